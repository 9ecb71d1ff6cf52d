"""Clocks start when an event was recorded: as sent; a form when it is submitted; an import or
API call that leaves recorded_at out when the event occurred, so that history imported
months later is not given fresh deadlines."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.concerns.models import Concern
from safeguard.duties.models import Duty
from safeguard.incidents.models import Incident
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..web.test_pages_support import (
    MIA_NHS,
    RECORDED,
    accept,
    incident_event,
    incident_form,
    seed_household,
)

MAY = datetime(2026, 5, 14, 21, 30, tzinfo=UTC)  # a Thursday
DECEMBER = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)


def due(session: Session, kind: str) -> datetime:
    found = session.scalar(select(Duty.due_at).where(Duty.kind == kind))
    assert found is not None, kind
    return found


def may_incident(**changes: Any) -> dict[str, Any]:
    return {**incident_event("INC-2026-MAY"), "occurred_at": MAY.isoformat(), **changes}


def test_an_imported_incident_without_recorded_at_starts_its_clocks_when_it_occurred(
    factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    summary = import_lines(factory, [json.dumps(may_incident())], principal=SYSTEM, ctx=ctx)
    assert summary.rejects == []
    incident = session.scalars(select(Incident)).one()
    assert incident.recorded_at == MAY
    assert due(session, "share_with_csc") == MAY + timedelta(hours=24)


def test_an_incident_sent_to_the_api_without_recorded_at_starts_its_clocks_when_it_occurred(
    session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    accept(session, ctx, may_incident(), username="mash.officer", now=DECEMBER)
    assert due(session, "share_with_csc") == MAY + timedelta(hours=24)


def test_an_incident_with_recorded_at_starts_its_clocks_then(
    session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    recorded = MAY + timedelta(hours=3)
    accept(session, ctx, may_incident(recorded_at=recorded.isoformat()), now=DECEMBER)
    assert due(session, "share_with_csc") == recorded + timedelta(hours=24)


def test_an_incident_recorded_through_the_form_starts_its_clocks_as_it_is_submitted(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    seed_household(session, ctx)
    token = sign_in(client, "mash.officer")
    assert clock.now == RECORDED
    response = client.post("/incidents", data=incident_form(token), follow_redirects=False)
    assert response.status_code == 303, response.text
    assert session.scalars(select(Incident)).one().recorded_at == RECORDED
    assert due(session, "share_with_csc") == RECORDED + timedelta(hours=24)


def concern(source: str, source_id: str, occurred: datetime) -> dict[str, Any]:
    return {"event": "concern", "source": source, "source_id": source_id,
            "kind": "neglect", "occurred_at": occurred.isoformat(),
            "summary": "Mia missed three appointments.",
            "child": {"given_name": "Mia", "family_name": "Jones", "dob": "2018-03-14",
                      "ids": {"nhs": MIA_NHS}}}


def test_an_imported_concern_without_recorded_at_is_recorded_when_it_occurred(
    factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    events = [concern("education", "E-C-1", MAY), concern("health", "HV-1", MAY + timedelta(1))]
    summary = import_lines(factory, [json.dumps(e) for e in events], principal=SYSTEM, ctx=ctx)
    assert summary.rejects == [] and summary.duties_raised == 1
    assert [c.recorded_at for c in session.scalars(select(Concern).order_by(Concern.id))] == \
        [MAY, MAY + timedelta(1)]
    # Concerns from two agencies: the strategy discussion was due a working day after the
    # second was recorded (Friday 15 May), on Monday 18 May.
    assert due(session, "strategy_discussion") == MAY + timedelta(days=4)
