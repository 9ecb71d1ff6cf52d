"""Person events for the linkage tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.people.models import PersonLink, PersonRecord

from ..web.test_pages_support import accept

HOME = {"line1": "12 Acacia Road", "town": "Northampton", "postcode": "NN1 1AA"}


def person(source: str, source_id: str, given: str, family: str = "Smith",
           dob: str | None = "2015-02-11", *, sex: str | None = None,
           address: dict[str, str] | None = HOME, **ids: str) -> dict[str, Any]:
    event: dict[str, Any] = {"event": "person", "source": source, "source_id": source_id,
                             "given_name": given, "family_name": family,
                             "recorded_at": "2026-09-03T08:00:00+00:00"}
    if dob:
        event["dob"] = dob
    if sex:
        event["sex"] = sex
    if address:
        event["address"] = address
    if ids:
        event["ids"] = ids
    return event


def add(session: Session, ctx: IntakeContext, *events: dict[str, Any]) -> list[int]:
    """Accept person events; the person id each record was linked to."""
    out = []
    for event in events:
        accepted = accept(session, ctx, event)
        out.append(accepted.person_ids[0])
    session.flush()
    return out


def link_of(session: Session, source_id: str) -> PersonLink:
    found = session.scalar(select(PersonLink).join(
        PersonRecord, PersonRecord.id == PersonLink.record_id)
        .where(PersonRecord.source_id == source_id))
    assert found is not None
    return found
