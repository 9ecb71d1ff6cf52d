"""Shared set-up for the page tests (this module holds no tests).

A synthetic household: Mia Jones (8) is on Hillside Primary's roll at 12 Acacia Road, known
only from the education record E-88. A Friday-night domestic-abuse incident at that address
names the adults and not Mia.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import User
from safeguard.access.service import SYSTEM, principal_for_user
from safeguard.duties.models import Duty
from safeguard.events.schemas import EVENT_ADAPTER, dash_questions
from safeguard.intake.service import Accepted, IntakeContext, accept_event
from safeguard.people.models import PersonRecord

from .. import factories

HILLSIDE = "123456"
BROOK = "654321"
MIA_NHS = "9992914173"
# Fri 27 Nov 2026, 22:40 in London (GMT): after the school day, before a weekend.
FRIDAY_NIGHT = datetime(2026, 11, 27, 22, 40, tzinfo=UTC)
# When it is recorded: the time the conftest clock shows.
RECORDED = datetime(2026, 11, 27, 23, 55, tzinfo=UTC)


def accept(session: Session, ctx: IntakeContext, payload: dict[str, Any], *,
           username: str | None = None, now: datetime = FRIDAY_NIGHT) -> Accepted:
    principal = SYSTEM
    if username is not None:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None
        principal = principal_for_user(session, user=user)
    return accept_event(session, data=EVENT_ADAPTER.validate_python(payload), raw=payload,
                        via="api", principal=principal, ctx=ctx, now=now)


def school(urn: str, name: str) -> dict[str, Any]:
    return {"event": "school", "source": "education", "source_id": f"S-{urn}", "urn": urn,
            "name": name, "phase": "primary"}


def pupil(source_id: str, given: str, family: str, dob: str, urn: str, line1: str,
          postcode: str, nhs: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": "person", "source": "education", "source_id": source_id,
        "given_name": given, "family_name": family, "dob": dob, "school_urn": urn,
        "address": {"line1": line1, "town": "Northampton", "postcode": postcode},
        "recorded_at": "2026-09-03T08:00:00+00:00",
    }
    if nhs:
        event["ids"] = {"nhs": nhs}
    return event


def seed_household(session: Session, ctx: IntakeContext) -> None:
    """Two schools; Mia at Hillside (12 Acacia Road), Leo at Brook (3 Mill Lane)."""
    accept(session, ctx, school(HILLSIDE, "Hillside Primary School"))
    accept(session, ctx, school(BROOK, "Brook Primary School"))
    accept(session, ctx, pupil("E-88", "Mia", "Jones", "2018-03-14", HILLSIDE,
                               "12 Acacia Road", "NN1 1AA", nhs=MIA_NHS))
    accept(session, ctx, pupil("E-91", "Leo", "Brook", "2017-06-02", BROOK,
                               "3 Mill Lane", "NN2 2BB"))
    session.commit()


def person_id(session: Session, source_id: str) -> int:
    found = session.scalar(select(PersonRecord.person_id)
                           .where(PersonRecord.source_id == source_id))
    assert found is not None, source_id
    return found


def add_user(session: Session, username: str, agency_id: str,
             roles: str = "practitioner") -> None:
    factories.add_user(session, username, agency_id, roles)
    session.commit()


def incident_event(reference: str = "INC-20261127-2240", yes: int = 4) -> dict[str, Any]:
    """The incident as the JSON API takes it: the adults listed, Mia not."""
    keys = [key for key, _ in dash_questions()]
    return {
        "event": "incident", "source": "police", "source_id": reference,
        "kind": "domestic_abuse", "occurred_at": FRIDAY_NIGHT.isoformat(),
        "address": {"line1": "12 Acacia Rd", "town": "Northampton", "postcode": "NN1 1AA"},
        "officer": "PC 1234 Ali Shah", "summary": "Neighbour reported shouting.",
        "people": [
            {"role": "victim", "given_name": "Sarah", "family_name": "Jones",
             "dob": "1990-05-01"},
            {"role": "suspect", "given_name": "Mark", "family_name": "Jones",
             "dob": "1988-02-11"},
        ],
        "dash": {"answers": {key: i < yes for i, key in enumerate(keys)}},
    }


def incident_form(token: str, **changes: str) -> dict[str, str]:
    """The record-incident form filled in as an officer would (Mia not listed)."""
    form = {
        "csrf_token": token, "source_id": "INC-20261127-2240", "kind": "domestic_abuse",
        "occurred-day": "27", "occurred-month": "11", "occurred-year": "2026",
        "occurred-time": "22:40", "address-line1": "12 Acacia Rd",
        "address-town": "Northampton", "address-postcode": "nn1 1aa",
        "officer": "PC 1234 Ali Shah", "summary": "Neighbour reported shouting.",
        "people-1-role": "victim", "people-1-given_name": "Sarah",
        "people-1-family_name": "Jones", "people-1-dob-day": "1", "people-1-dob-month": "5",
        "people-1-dob-year": "1990",
        "people-2-role": "suspect", "people-2-given_name": "Mark",
        "people-2-family_name": "Jones",
        "professional_judgement": "",
    }
    for i, (key, _) in enumerate(dash_questions()):
        form[f"dash-{key}"] = "yes" if i < 4 else "no"
    form.update(changes)
    return form


def first_link(html: str, prefix: str) -> int:
    """The id in the first link to ``prefix``/<id> on a page."""
    match = re.search(rf'href="{prefix}/(\d+)"', html)
    assert match, f"no link to {prefix}/<id>"
    return int(match.group(1))


def record_incident(session: Session, ctx: IntakeContext) -> dict[str, int]:
    """The household, then the incident recorded by a police officer; the ids tests need."""
    seed_household(session, ctx)
    # Sent as the force's system sends it, with the time the officer recorded it (without
    # it, an event sent to the API was recorded when it occurred).
    event = {**incident_event(), "recorded_at": RECORDED.isoformat()}
    accepted = accept(session, ctx, event, username="mash.officer", now=RECORDED)
    session.commit()
    duties = {kind: duty_id for duty_id, kind in session.execute(
        select(Duty.id, Duty.kind).where(Duty.id.in_(accepted.duty_ids)))}
    assert accepted.incident_id is not None
    return {**duties, "incident": accepted.incident_id, "mia": person_id(session, "E-88"),
            "leo": person_id(session, "E-91")}
