"""The synthetic county's custody records: realistic, in order, and importable as they are."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.custody.board import board
from safeguard.custody.models import Detention
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.synth.county import generate_county

END = date(2026, 11, 27)


@pytest.fixture(scope="module")
def custody() -> list[dict[str, Any]]:
    return [e for e in generate_county(seed=4, households=400, end=END)
            if str(e["event"]).startswith("custody")]


def test_the_county_detains_children_at_about_one_per_thousand_residents_a_year(
        custody: list[dict[str, Any]]) -> None:
    detentions = [e for e in custody if e["event"] == "custody_detention"]
    # 400 households hold under 1,000 residents; two more are still in custody at the end.
    assert 1 <= len(detentions) - 2 <= 2
    steps = Counter(str(e["step"]) for e in custody if e["event"] == "custody_update")
    assert steps["parent_informed"] == len(detentions)
    assert len({e["source_id"] for e in custody}) == len(custody)


def test_every_synthetic_custody_record_imports_and_two_children_are_in_custody_at_the_end(
        custody: list[dict[str, Any]], factory: sessionmaker[Session], session: Session,
        ctx: IntakeContext) -> None:
    session.commit()
    summary = import_lines(factory, [json.dumps(e) for e in custody], principal=SYSTEM,
                           ctx=ctx)
    assert summary.rejects == [] and summary.accepted == len(custody)
    with factory() as reader:
        assert reader.scalar(select(Detention.id).where(Detention.child.is_(False))) is None
        police = SYSTEM.__class__("user", 1, "t", "t", "police", "Police", "police",
                                  frozenset({"practitioner"}))
        now = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
        live = board(reader, principal=police, now=now)
        assert sorted(row.stage for row in live) == ["Not charged", "Transfer requested"]
        refused = next(row for row in live if row.stage == "Transfer requested")
        assert refused.next_duty is not None
