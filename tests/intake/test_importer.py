"""Bulk import: a bad line is reported with its number, field and reason; good lines land."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.events.models import Event
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.people.models import PersonRecord

from .scenario import AMY, FRIDAY_NIGHT, SCHOOL


def lines(*events: object) -> list[str]:
    return [e if isinstance(e, str) else json.dumps(e) for e in events]


def test_good_lines_land_and_bad_lines_are_reported_by_number(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    bad_nhs = dict(AMY, source_id="E-89", ids={"nhs": "9434765918"})
    summary = import_lines(factory, lines(SCHOOL, "{not json", bad_nhs, "", AMY, FRIDAY_NIGHT),
                           principal=SYSTEM, ctx=ctx)
    assert summary.lines == 5  # the blank line is not an event
    assert summary.accepted == 3
    assert [(r.line, r.field) for r in summary.rejects] == [(2, "(line)"), (3, "ids.nhs")]
    assert "not valid JSON" in summary.rejects[0].reason
    assert summary.rejects[1].source_id == "E-89"
    assert summary.duties_raised == 4  # share, decision, school notice, MARAC
    assert session.scalar(select(func.count()).select_from(PersonRecord)
                          .where(PersonRecord.source_id == "E-89")) == 0


def test_importing_the_same_file_twice_changes_nothing(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> None:
    first = import_lines(factory, lines(SCHOOL, AMY, FRIDAY_NIGHT), principal=SYSTEM, ctx=ctx)
    events = session.scalar(select(func.count()).select_from(Event))
    second = import_lines(factory, lines(SCHOOL, AMY, FRIDAY_NIGHT), principal=SYSTEM, ctx=ctx)
    assert (first.accepted, second.accepted, second.duplicates) == (3, 0, 3)
    assert session.scalar(select(func.count()).select_from(Event)) == events
    assert second.duties_raised == 0 and not second.rejects


def test_a_changed_line_under_a_used_source_id_is_a_reported_conflict(
        factory: sessionmaker[Session], ctx: IntakeContext) -> None:
    import_lines(factory, lines(AMY), principal=SYSTEM, ctx=ctx)
    summary = import_lines(factory, lines(dict(AMY, family_name="Smyth")), principal=SYSTEM,
                           ctx=ctx)
    [reject] = summary.rejects
    assert (reject.line, reject.field) == (1, "source_id")
    assert "already imported with different content" in reject.reason


def test_history_before_the_live_cutoff_raises_no_duties(
        factory: sessionmaker[Session], ctx: IntakeContext) -> None:
    historic = replace(ctx, live_from=datetime(2026, 11, 28, tzinfo=UTC))
    summary = import_lines(factory, lines(SCHOOL, AMY, FRIDAY_NIGHT), principal=SYSTEM,
                           ctx=historic)
    assert summary.accepted == 3 and summary.duties_raised == 0
