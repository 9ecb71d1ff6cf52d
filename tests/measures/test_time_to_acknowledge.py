"""Time to acknowledge per receiving agency: count, median, p90, max, share on time."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safeguard.access.service import Principal
from safeguard.casework.service import acknowledge_share
from safeguard.cli import app
from safeguard.config import Settings
from safeguard.intake.service import IntakeContext
from safeguard.measures.service import (
    duration_words,
    percent_words,
    percentile,
    summarise,
    time_to_acknowledge,
)
from safeguard.rules.context import build_context
from safeguard.sharing.models import Share

from ..intake.scenario import AMY, FRIDAY_NIGHT, SCHOOL
from ..test_cli import database, write_lines
from ..web.test_pages_support import RECORDED, record_incident

RULES = build_context(Settings())

__all__ = ["database"]  # the CLI test's fixture: a migrated SQLite file

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_percentiles_are_nearest_rank_values_that_occurred() -> None:
    waits = [timedelta(minutes=m) for m in (10, 20, 30, 40, 50, 60, 70, 80, 90, 100)]
    assert percentile(waits, 0.5) == timedelta(minutes=50)
    assert percentile(waits, 0.9) == timedelta(minutes=90)
    assert percentile([], 0.5) is None


def test_an_agency_summary_counts_on_time_among_shares_whose_outcome_is_known() -> None:
    rows = [(T0, T0 + 2 * H, T0 + 24 * H),       # on time
            (T0, T0 + 30 * H, T0 + 24 * H),      # late
            (T0, None, T0 + 24 * H),             # overdue, not acknowledged
            (T0, None, T0 + 100 * H)]            # not yet due: outcome unknown
    m = summarise("health", "Health", rows, now=T0 + 48 * H)
    assert (m.shares, m.acknowledged, m.overdue_unacknowledged) == (4, 2, 1)
    assert (m.median, m.p90, m.max) == (2 * H, 30 * H, 30 * H)
    assert m.within_deadline == 1 / 3
    assert (duration_words(m.median), duration_words(m.max), percent_words(1 / 3)) == (
        "2 h 00 min", "1 d 6 h", "33%")


def test_time_to_acknowledge_groups_the_shares_by_receiving_agency(
    session: Session, ctx: IntakeContext, principal: Callable[[str], Principal],
) -> None:
    ids = record_incident(session, ctx)
    share = session.scalars(select(Share).where(Share.duty_id == ids["share_with_csc"])).one()
    acknowledge_share(session, ctx=RULES, share_id=share.id, principal=principal("csc.worker"),
                      now=RECORDED + 3 * H)
    found = {m.agency_id: m for m in time_to_acknowledge(session, now=RECORDED + 4 * H)}
    assert set(found) == {"childrens_social_care", "school-123456"}
    csc = found["childrens_social_care"]
    assert (csc.shares, csc.acknowledged, csc.median, csc.within_deadline) == (1, 1, 3 * H, 1.0)
    assert found["school-123456"].acknowledged == 0
    assert time_to_acknowledge(session, now=RECORDED, since=RECORDED + H) == []


def test_the_cli_prints_time_to_acknowledge_per_agency(database: Path, tmp_path: Path) -> None:
    lines = write_lines(tmp_path / "e.jsonl", SCHOOL, AMY, FRIDAY_NIGHT)
    assert CliRunner().invoke(app, ["import", str(lines)]).exit_code == 0
    table = CliRunner().invoke(app, ["measures"])
    assert table.exit_code == 0 and "Time to acknowledge shares" in table.output
    rows = json.loads(CliRunner().invoke(app, ["measures", "--json"]).stdout)
    assert {r["agency"] for r in rows} == {"childrens_social_care", "school-121234"}
    assert all(r["shares"] == 1 and r["acknowledged"] == 0 for r in rows)
