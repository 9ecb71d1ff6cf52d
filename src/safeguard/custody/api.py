"""JSON API over custody: the board, for the systems of a custody suite or of the council's
out-of-hours team (events themselves arrive by `POST /api/v1/events`)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from safeguard.custody.board import board
from safeguard.rules.catalogue import KINDS
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1/custody", tags=["custody"])


class InCustodyOut(BaseModel):
    detention_id: int
    custody_record: str
    child: str
    custody_suite: str
    authorised_at: datetime
    hours_detained: float
    charged_at: datetime | None
    hours_since_charge: float | None
    stage: str
    due_next: str | None
    due_next_kind: str | None
    due_at: datetime | None
    overdue: bool


@router.get("/board", response_model=list[InCustodyOut])
def api_custody_board(session: SessionDep, principal: PrincipalDep, now: NowDep,
                      suite: str = "") -> list[InCustodyOut]:
    """Children in police custody now, longest held first, with what is due next (the
    police and children's social care only; each child's reading audited)."""
    return [InCustodyOut(
        detention_id=row.detention.id, custody_record=row.detention.reference,
        child=row.child, custody_suite=row.detention.custody_suite,
        authorised_at=row.detention.authorised_at,
        hours_detained=round(row.hours_detained, 2), charged_at=row.detention.charged_at,
        hours_since_charge=round(row.hours_since_charge, 2)
        if row.hours_since_charge is not None else None,
        stage=row.stage,
        due_next=KINDS[row.next_duty.kind].title if row.next_duty else None,
        due_next_kind=row.next_duty.kind if row.next_duty else None,
        due_at=row.next_duty.due_at if row.next_duty else None, overdue=row.overdue)
        for row in board(session, principal=principal, now=now, suite=suite)]
