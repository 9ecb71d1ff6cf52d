"""Every read and write of a person's data is audited, and the trail cannot be rewritten."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM, Principal
from safeguard.audit.models import AuditEntry
from safeguard.children.service import child_view
from safeguard.duties.models import DutyTransition
from safeguard.events.models import Event
from safeguard.intake.service import IntakeContext

from ..intake.test_friday_night_scenario import record_scenario


def test_recording_and_reading_a_child_are_both_audited(session: Session, ctx: IntakeContext,
                                                        principal: object) -> None:
    accepted = record_scenario(session, ctx)
    amy = accepted.person_ids[0]
    writes = session.scalars(select(AuditEntry).where(AuditEntry.person_id == amy,
                                                      AuditEntry.action == "write")).all()
    assert {w.entity for w in writes} == {"person_record", "incident"}
    assert all(w.actor == SYSTEM.actor for w in writes)
    worker: Principal = principal("csc.worker")  # type: ignore[operator]
    child_view(session, principal=worker, person_id=amy, why="viewed the child page")
    read = session.scalars(select(AuditEntry).where(AuditEntry.person_id == amy,
                                                    AuditEntry.action == "read")).one()
    assert (read.actor, read.agency_id, read.why) == (
        "user:csc.worker", "childrens_social_care", "viewed the child page")


@pytest.mark.parametrize("table", [AuditEntry, DutyTransition, Event])
def test_history_tables_refuse_updates_and_deletes(session: Session, ctx: IntakeContext,
                                                   table: type) -> None:
    record_scenario(session, ctx)
    session.flush()
    for statement in (update(table).values(id=table.id), delete(table)):
        with pytest.raises(DatabaseError, match="append-only"), session.begin_nested():
            session.execute(statement)
