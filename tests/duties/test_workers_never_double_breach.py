"""Several workers at once: every overdue duty is breached and escalated exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from safeguard.access.service import SYSTEM
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.duties.models import Duty, DutyTransition, Notification
from safeguard.intake.importer import import_lines
from safeguard.intake.service import build_context
from safeguard.worker import run_once

from ..factories import BACKENDS, incident_lines, migrated_store


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return migrated_store(request.param, tmp_path, "workers")


@pytest.mark.slow
def test_four_workers_breach_each_overdue_duty_once(url: str) -> None:
    engine = make_engine(url, pool_size=8) if url.startswith("postgresql") else make_engine(url)
    factory = make_session_factory(engine)
    # Forty incidents at forty addresses, each with a known child: 160 duties.
    summary = import_lines(factory, incident_lines(40), principal=SYSTEM,
                           ctx=build_context(Settings(database_url=url)))
    assert summary.rejects == [] and summary.duties_raised == 160

    # After every deadline: a referral decision is owed from the share's arrival, which is
    # now, so a fixed date would fall before it on some days of the week.
    with transaction(factory) as session:
        last_due = session.scalar(select(func.max(Duty.due_at)))
    assert last_due is not None
    later = last_due + timedelta(minutes=1)
    results: list[int] = []
    workers = [threading.Thread(target=lambda: results.append(
        run_once(factory, now=later).breached)) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)

    with transaction(factory) as session:
        breached = session.scalars(select(Duty.id).where(Duty.status == "breached")).all()
        # A share's breach notifies both agencies' supervisors: once each.
        notified = Counter(session.execute(select(Notification.duty_id,
                                                  Notification.agency_id)).all())
        marked = Counter(session.scalars(select(DutyTransition.duty_id).where(
            DutyTransition.action == "breached")).all())
    assert len(breached) == 160
    assert sum(results) == 160  # the workers shared the work; none did a duty twice
    assert set(notified.values()) == {1} and len({duty for duty, _ in notified}) == 160
    assert set(marked.values()) == {1} and len(marked) == 160
    engine.dispose()
