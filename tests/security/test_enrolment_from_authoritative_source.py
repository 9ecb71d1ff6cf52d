"""Finding 1: a school cannot take over another school's pupils.

Which school a child attends (and so which school receives their Operation Encompass notice,
with the child's voice) comes from the council's education service, or from the school for a
pupil it already holds; no record may be dated in the future to stay "newest" for ever.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.people.service import school_of

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_api import key_for
from ..web.test_pages_support import (
    BROOK,
    HILLSIDE,
    MIA_NHS,
    add_user,
    person_id,
    pupil,
    seed_household,
)
from .forms import concern_form

FUTURE = "2099-01-01T08:00:00+00:00"


def _mia_as(source: str, source_id: str, **changes: Any) -> dict[str, Any]:
    event = pupil(source_id, "Mia", "Jones", "2018-03-14", BROOK, "12 Acacia Road", "NN1 1AA",
                  nhs=MIA_NHS)
    event["source"] = source
    event.update(changes)
    return {k: v for k, v in event.items() if v is not None}


def _school_of_mia(session: Session) -> str | None:
    session.expire_all()
    found = school_of(session, person_id=person_id(session, "E-88"))
    return found.urn if found else None


def test_it_refuses_a_school_moving_another_schools_pupil_to_itself(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    brook = key_for(session, f"school-{BROOK}")
    # As the finding found it: Brook's key writes as the council, naming itself, dated 2099.
    as_council = client.post("/api/v1/events", headers=brook,
                             json=_mia_as("education", "E-TAKE-1", recorded_at=FUTURE))
    assert as_council.status_code in (403, 422), as_council.text
    # As itself, with an honest date: still not its pupil to claim.
    as_itself = client.post("/api/v1/events", headers=brook,
                            json=_mia_as(f"school-{BROOK}", "B-1"))
    assert as_itself.status_code == 403, as_itself.text
    assert as_itself.json()["detail"].startswith("school_urn: ")
    assert "not on the roll" in as_itself.json()["detail"]
    assert _school_of_mia(session) == HILLSIDE


# (agency sending, the event it sends about Mia, words the refusal must say)
REFUSED = {
    "a school recording a child it does not hold": (
        f"school-{BROOK}", _mia_as(f"school-{BROOK}", "B-2", school_urn=None), "not on the roll"),
    "a school moving its own pupil to another school": (
        f"school-{HILLSIDE}", _mia_as(f"school-{HILLSIDE}", "H-1", school_urn=BROOK),
        "school_urn: a school records its own pupils only"),
    "an agency that is not education naming a school": (
        "health", _mia_as("health", "HV-9"), "school_urn: only the council's education"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_it_refuses_enrolment_from_anyone_but_the_council_or_the_childs_school(
    client: AppClient, session: Session, ctx: IntakeContext, case: str,
) -> None:
    seed_household(session, ctx)
    agency, event, words = REFUSED[case]
    response = client.post("/api/v1/events", headers=key_for(session, agency), json=event)
    assert response.status_code == 403, response.text
    assert words in response.json()["detail"]
    assert _school_of_mia(session) == HILLSIDE


def test_a_school_records_a_pupil_it_holds_and_only_the_council_moves_her(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    hillside = client.post("/api/v1/events", headers=key_for(session, f"school-{HILLSIDE}"),
                           json=_mia_as(f"school-{HILLSIDE}", "H-2", school_urn=HILLSIDE,
                                        recorded_at="2026-11-20T08:00:00+00:00"))
    assert hillside.status_code == 201, hillside.text
    # The council moves her, with a record older than the school's: the council decides.
    council = client.post("/api/v1/events", headers=key_for(session, "education"),
                          json=_mia_as("education", "E-88-MOVE",
                                       recorded_at="2026-11-10T08:00:00+00:00"))
    assert council.status_code == 201, council.text
    assert _school_of_mia(session) == BROOK


FUTURE_EVENTS = {
    "person recorded_at": (_mia_as("education", "E-F-1", recorded_at=FUTURE), "recorded_at"),
    "concern occurred_at": ({"event": "concern", "source": "education", "source_id": "C-F-1",
                             "kind": "neglect", "occurred_at": FUTURE, "summary": "s",
                             "child": {"given_name": "Mia"}}, "occurred_at"),
    "concern recorded_at": ({"event": "concern", "source": "education", "source_id": "C-F-2",
                             "kind": "neglect", "occurred_at": "2026-11-20T08:00:00+00:00",
                             "recorded_at": FUTURE, "summary": "s",
                             "child": {"given_name": "Mia"}}, "recorded_at"),
    "incident recorded_at": ({"event": "incident", "source": "police", "source_id": "I-F-1",
                              "kind": "other", "occurred_at": "2026-11-20T08:00:00+00:00",
                              "recorded_at": FUTURE, "address": {"line1": "1 High St"},
                              "people": [{"role": "witness", "given_name": "Al"}]},
                             "recorded_at"),
}


@pytest.mark.parametrize("name", sorted(FUTURE_EVENTS))
def test_it_refuses_a_future_timestamp_on_every_event_naming_the_field_by_api_and_import(
    client: AppClient, session: Session, factory: sessionmaker[Session], ctx: IntakeContext,
    name: str,
) -> None:
    event, field = FUTURE_EVENTS[name]
    agency = event["source"]
    response = client.post("/api/v1/events", headers=key_for(session, agency), json=event)
    assert response.status_code == 422, response.text
    assert {"field": field, "reason": response.json()["detail"][0]["reason"]} \
        in response.json()["detail"]
    assert "in the future" in response.json()["detail"][0]["reason"]
    summary = import_lines(factory, [json.dumps(event)], principal=SYSTEM, ctx=ctx,
                           via="import")
    assert [(r.line, r.field) for r in summary.rejects] == [(1, field)]
    assert summary.accepted == 0


def test_the_concern_form_refuses_a_concern_dated_in_the_future(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    add_user(session, "hillside.dsl", f"school-{HILLSIDE}")
    token = sign_in(client, "hillside.dsl")
    response = client.post("/concerns", data=concern_form(token, "CON-F-1",
                                                          **{"occurred-year": "2099"}))
    assert response.status_code == 422
    assert "in the future" in response.text
