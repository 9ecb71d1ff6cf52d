"""JSON API: find anyone, as the search page does (the same rule of who may see whom)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import BaseModel

from safeguard.search.service import search
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1", tags=["search"])


class HitOut(BaseModel):
    person_id: int
    name: str
    dob: date | None
    age: int | None
    child: bool
    why: list[str]


class SearchOut(BaseModel):
    query: str
    results: list[HitOut]
    more: bool


@router.get("/search", response_model=SearchOut)
def api_search(q: str, session: SessionDep, principal: PrincipalDep, now: NowDep) -> SearchOut:
    """People the caller may see whom the query describes (a name, a date of birth, an NHS
    number, UPN or PNC ID, an address or postcode), best first, each with why it matched."""
    found = search(session, principal=principal, query=q, now=now)
    return SearchOut(query=found.query, more=found.more, results=[
        HitOut(person_id=h.person.id, name=h.name, dob=h.person.dob, age=h.age, child=h.child,
               why=[str(r) for r in h.reasons]) for h in found.hits])
