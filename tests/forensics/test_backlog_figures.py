"""The backlog's figures from the store: ages, breaches, the last 90 days' rates and the
queue's length month by month, against a small queue worked by hand."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from safeguard.forensics.queue import backlog, backlog_document
from safeguard.intake.service import IntakeContext

from .scenario import accept, step, submission

NOW = datetime.fromisoformat("2026-11-27T12:00:00+00:00")


@pytest.fixture
def report(session: Session, ctx: IntakeContext) -> dict[str, Any]:
    for exhibit, offence, submitted in (("EX-A", "other", "2026-06-01T09:00:00+00:00"),
                                        ("EX-B", "other", "2026-09-01T09:00:00+00:00"),
                                        ("EX-C", "iioc", "2026-11-02T09:00:00+00:00"),
                                        ("EX-D", "other", "2026-11-10T09:00:00+00:00")):
        accept(session, ctx, submission(exhibit, offence=offence, suspect=None,
                                        submitted_at=submitted,
                                        seized_at="2026-05-30T09:00:00+00:00"), submitted)
    accept(session, ctx, step("EX-B/S", "started", "2026-10-10T09:00:00+00:00",
                              submission_id="EX-B"), "2026-10-10T09:00:00+00:00")
    accept(session, ctx, step("EX-B/C", "completed", "2026-10-15T09:00:00+00:00",
                              submission_id="EX-B"), "2026-10-15T09:00:00+00:00")
    return backlog_document(backlog(session, now=NOW, settings=ctx.forensics))


def test_it_gives_each_prioritys_waiting_ages_and_breaches(report: dict[str, Any]) -> None:
    one, two, three = report["priorities"]
    assert (one["waiting"], two["waiting"], three["waiting"]) == (0, 1, 2)
    # EX-A waited 179 days 3 hours, EX-D 17 days 3 hours: the median is their mean.
    assert (three["oldest_days"], three["median_days"]) == (179, 98.1)
    # EX-C's 14-day triage clock ran out on 16 November; EX-A's 180 days run to 28 November.
    assert (two["breached"], three["breached"]) == (1, 0)


def test_it_reads_the_last_90_days_rates(report: dict[str, Any]) -> None:
    rates = report["rates"]
    assert (rates["arrivals"], rates["completions"]) == (3, 1)
    assert rates["arrivals_per_week"] == round(3 / (90 / 7), 2)


def test_it_counts_the_queue_at_the_start_of_each_month(report: dict[str, Any]) -> None:
    measured = {date.fromisoformat(p["month"]): p["waiting"]
                for p in report["series"] if not p["projected"]}
    assert measured[date(2026, 6, 1)] == 0  # EX-A arrived at 09:00
    assert measured[date(2026, 7, 1)] == 1
    assert measured[date(2026, 10, 1)] == 2  # EX-A and EX-B
    assert measured[date(2026, 11, 1)] == 1  # EX-B was completed on 15 October
    assert measured[date(2026, 11, 27)] == 3  # now: EX-A, EX-C and EX-D
