"""The review queue: possible matches side by side, decided by MASH researchers.

Children's social care and police only (others get 403). Every view and decision is audited;
a decision is final (a merge can be undone, which records the opposite decision).
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select

from safeguard.audit.service import record as audit
from safeguard.casework.merges import decide, unmerge
from safeguard.errors import Invalid
from safeguard.people.linkage.review import (
    ReviewView,
    open_reviews,
    require_reviewer,
    review_view,
)
from safeguard.people.models import PersonMerge
from safeguard.people.names import full_name
from safeguard.people.service import SOURCE_WORDS, address_label, person_name
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)

LEVEL_WORDS = {
    "given_name": "Given name", "family_name": "Family name", "dob": "Date of birth",
    "sex": "Sex", "location": "Address", "nhs": "NHS number", "upn": "UPN", "pnc": "PNC ID",
}


def _record_row(view: Any) -> dict[str, Any]:
    r = view.record
    return {"source": SOURCE_WORDS.get(r.source, r.source), "source_id": r.source_id,
            "name": full_name(r.given_name, r.family_name), "dob": r.dob,
            "sex": r.sex or "not recorded",
            "address": address_label(view.address) if view.address else "Not known"}


def _evidence(view: ReviewView) -> list[tuple[str, str]]:
    levels = json.loads(view.review.evidence).get("levels", {})
    return [(LEVEL_WORDS.get(name, name), level.replace("_", " "))
            for name, level in levels.items()]


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, session: SessionDep, principal: UserDep) -> HTMLResponse:
    require_reviewer(principal)
    views = open_reviews(session)
    for view in views:
        audit(session, principal=principal, action="read", entity="match_review",
              entity_id=view.review.id, person_id=view.record.record.person_id,
              why="review queue")
    merges = session.scalars(select(PersonMerge).order_by(PersonMerge.merged_at.desc(),
                                                          PersonMerge.id.desc()).limit(20)).all()
    return render(request, "review/list.html", {
        "nav": "review", "rows": [{"view": v, "record": _record_row(v.record),
                                   "candidate": person_name(v.candidate)} for v in views],
        "merges": merges,
    }, principal=principal)


@router.get("/review/{review_id}", response_class=HTMLResponse)
def review_page(request: Request, review_id: int, session: SessionDep,
                principal: UserDep) -> HTMLResponse:
    require_reviewer(principal)
    view = review_view(session, review_id=review_id)
    audit(session, principal=principal, action="read", entity="match_review",
          entity_id=review_id, person_id=view.record.record.person_id,
          why="review a possible match")
    audit(session, principal=principal, action="read", entity="person",
          entity_id=view.candidate.id, person_id=view.candidate.id,
          why=f"candidate in match review {review_id}")
    return render(request, "review/detail.html", {
        "nav": "review", "view": view, "record": _record_row(view.record),
        "candidate_records": [_record_row(r) for r in view.candidate_records],
        "candidate_name": person_name(view.candidate), "evidence": _evidence(view),
    }, principal=principal)


@router.post("/review/{review_id}", dependencies=[CsrfDep])
def review_decide(review_id: int, session: SessionDep, principal: UserDep, now: NowDep,
                  ctx: RulesDep,
                  decision: Annotated[str, Form()] = "") -> RedirectResponse:
    if decision not in ("same", "different"):
        raise Invalid("Choose whether these are the same person.")
    decide(session, review_id=review_id, same=decision == "same", principal=principal,
           ctx=ctx, now=now)
    return RedirectResponse(f"/review?decided={review_id}", status_code=303)


@router.post("/review/merges/{merge_id}/undo", dependencies=[CsrfDep])
def merge_undo(merge_id: int, session: SessionDep, principal: UserDep,
               now: NowDep) -> RedirectResponse:
    unmerge(session, merge_id=merge_id, principal=principal, now=now)
    return RedirectResponse(f"/review?undone={merge_id}", status_code=303)
