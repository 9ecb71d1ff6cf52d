"""The review queue: possible matches side by side, decided by MASH researchers.

MASH researchers at children's social care and the police only (others get 403). A reviewer
sees only records of people they may otherwise see; the rest are shown as withheld (the
comparison of fields, which holds no personal data, is always shown). Every view and decision
is audited; a decision is final (a merge can be undone, which records the opposite decision).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.merges import decide, unmerge
from safeguard.children.service import visible_person_ids
from safeguard.errors import Invalid
from safeguard.people.linkage.review import (
    ReviewView,
    open_reviews,
    require_reviewer,
    review_view,
)
from safeguard.people.models import PersonMerge
from safeguard.people.names import full_name
from safeguard.people.service import address_label, person_name, source_words
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)

LEVEL_WORDS = {
    "given_name": "Given name", "family_name": "Family name", "dob": "Date of birth",
    "sex": "Sex", "location": "Address", "nhs": "NHS number", "upn": "UPN", "pnc": "PNC ID",
}


WITHHELD = "withheld"


def _record_row(view: Any, visible: set[int]) -> dict[str, Any]:
    r = view.record
    if r.person_id not in visible:
        # Which agency holds a record says something about the child too: nothing is shown.
        return {WITHHELD: True, "name": f"record {r.id} (withheld)"}
    return {"source": source_words(r.source), "source_id": r.source_id,
            "name": full_name(r.given_name, r.family_name), "dob": r.dob,
            "sex": r.sex or "not recorded",
            "address": address_label(view.address) if view.address else "Not known"}


def _evidence(view: ReviewView) -> list[tuple[str, str]]:
    levels = json.loads(view.review.evidence).get("levels", {})
    return [(LEVEL_WORDS.get(name, name), level.replace("_", " "))
            for name, level in levels.items()]


def _visible(session: Session, principal: Principal, views: list[ReviewView],
             now: datetime) -> set[int]:
    """Which of the reviews' people the reviewer may see, in one query."""
    ids = {v.record.record.person_id for v in views} | {v.candidate.id for v in views}
    return visible_person_ids(session, principal=principal, person_ids=sorted(ids), now=now)


def _candidate_name(view: ReviewView, visible: set[int]) -> str:
    if view.candidate.id in visible:
        return person_name(view.candidate)
    return f"person {view.candidate.id} (withheld)"


@router.get("/review", response_class=HTMLResponse)
def review_queue(request: Request, session: SessionDep, principal: UserDep,
                 now: NowDep) -> HTMLResponse:
    require_reviewer(principal)
    views = open_reviews(session)
    visible = _visible(session, principal, views, now)
    for view in views:
        audit(session, principal=principal, action="read", entity="match_review",
              entity_id=view.review.id, person_id=view.record.record.person_id,
              why="review queue")
    merges = session.scalars(select(PersonMerge).order_by(PersonMerge.merged_at.desc(),
                                                          PersonMerge.id.desc()).limit(20)).all()
    return render(request, "review/list.html", {
        "nav": "review", "rows": [{"view": v, "record": _record_row(v.record, visible),
                                   "candidate": _candidate_name(v, visible)} for v in views],
        "merges": merges,
    }, principal=principal)


@router.get("/review/{review_id}", response_class=HTMLResponse)
def review_page(request: Request, review_id: int, session: SessionDep,
                principal: UserDep, now: NowDep) -> HTMLResponse:
    require_reviewer(principal)
    view = review_view(session, review_id=review_id)
    visible = _visible(session, principal, [view], now)
    audit(session, principal=principal, action="read", entity="match_review",
          entity_id=review_id, person_id=view.record.record.person_id,
          why="review a possible match")
    if view.candidate.id in visible:
        audit(session, principal=principal, action="read", entity="person",
              entity_id=view.candidate.id, person_id=view.candidate.id,
              why=f"candidate in match review {review_id}")
    return render(request, "review/detail.html", {
        "nav": "review", "view": view, "record": _record_row(view.record, visible),
        "candidate_records": [_record_row(r, visible) for r in view.candidate_records],
        "candidate_withheld": view.candidate.id not in visible,
        "candidate_name": _candidate_name(view, visible), "evidence": _evidence(view),
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
