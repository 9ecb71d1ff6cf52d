"""Concerns come back in through the JSON API, imports and the form: the child is resolved,
the concern kept and audited, seen in the chronology, and the joint rules run."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM, Principal, create_api_key
from safeguard.audit.models import AuditEntry
from safeguard.casework.service import discharge
from safeguard.children.service import child_view, may_see_person
from safeguard.concerns.models import Concern
from safeguard.config import Settings
from safeguard.duties.models import Duty
from safeguard.duties.service import DutyFilter, list_duties
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.rules.context import build_context

from ..app_client import AppClient
from ..web.test_pages_support import (
    FRIDAY_NIGHT,
    HILLSIDE,
    MIA_NHS,
    accept,
    add_user,
    person_id,
    record_incident,
    seed_household,
)

RULES = build_context(Settings())

Who = Callable[[str], Principal]


def concern(source: str, source_id: str, days_after: float = 1, **changes: Any
            ) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": "concern", "source": source, "source_id": source_id,
        "kind": "physical_injury",
        # Before the Friday night: the clock of the real world is not far past it.
        "occurred_at": (FRIDAY_NIGHT - timedelta(days=10 - days_after)).isoformat(),
        "summary": "Bruising on Mia's arm; she said she fell.", "raised_by": "Jo Clarke",
        "child": {"given_name": "Mia", "family_name": "Jones", "dob": "2018-03-14",
                  "ids": {"nhs": MIA_NHS}},
    }
    event.update(changes)
    return event


def api_post(client: AppClient, session: Session, agency: str, event: dict[str, Any]
             ) -> Any:
    _, key = create_api_key(session, agency_id=agency, name=f"{agency} system")
    session.commit()
    return client.post("/api/v1/events", json=event, headers={"Authorization": f"Bearer {key}"})


def test_a_concern_sent_to_the_api_is_kept_against_the_resolved_child_and_audited(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    response = api_post(client, session, "health", concern("health", "HV-1"))
    assert response.status_code == 201, response.text
    stored = session.scalars(select(Concern)).one()
    assert stored.person_id == person_id(session, "E-88")  # matched by NHS number
    assert (stored.agency_id, stored.kind, stored.raised_by) == ("health", "physical_injury",
                                                                 "Jo Clarke")
    assert session.scalar(select(AuditEntry.why).where(AuditEntry.entity == "concern")) == \
        "api of health concern HV-1"
    # A repeat is a no-op; the same reference with other content is a conflict.
    assert api_post(client, session, "health", concern("health", "HV-1")).status_code == 200
    assert api_post(client, session, "health",
                    concern("health", "HV-1", summary="other")).status_code == 409


def test_an_agency_cannot_raise_a_concern_as_another_and_bad_concerns_are_explained(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    assert api_post(client, session, "health", concern("police", "X-1")).status_code == 403
    bad = api_post(client, session, "health", concern("health", "X-2", kind="gossip",
                                                      child={"dob": "2018-03-14"}))
    assert bad.status_code == 422
    fields = {problem["field"] for problem in bad.json()["detail"]}
    assert {"kind", "child"} <= fields


def test_concerns_arrive_by_import_like_any_other_event(
    factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    summary = import_lines(factory, [json.dumps(concern("education", "E-C-1")),
                                     json.dumps(concern("probation", "P-C-1", 2))],
                           principal=SYSTEM, ctx=ctx)
    assert summary.rejects == [] and summary.by_type["concern"] == 2
    # Two agencies within 30 days: children's social care must hold a strategy discussion.
    assert summary.duties_raised == 1


def test_concerns_from_two_agencies_raise_one_strategy_discussion_with_its_evidence(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    seed_household(session, ctx)
    first = accept(session, ctx, concern("education", "E-C-1"))
    assert first.duty_ids == []
    second = accept(session, ctx, concern("health", "HV-2", 3), username="health.visitor")
    [duty] = session.scalars(select(Duty).where(Duty.id.in_(second.duty_ids))).all()
    assert (duty.kind, duty.owner_agency_id) == ("strategy_discussion", "childrens_social_care")
    assert duty.participants == ["police", "health"]
    assert duty.evidence and "E-C-1" in duty.evidence[0] and "HV-2" in duty.evidence[0]
    # Police and health take part: they see it; the school does not.
    assert duty.id in _visible_duty_ids(session, principal("mash.officer"))
    assert duty.id in _visible_duty_ids(session, principal("health.visitor"))
    # One open strategy discussion per child: a third concern adds none.
    third = accept(session, ctx, concern("probation", "P-3", 4))
    assert third.duty_ids == []


def _visible_duty_ids(session: Session, who: Principal) -> set[int]:
    duties, _ = list_duties(session, principal=who, filters=DutyFilter(), now=FRIDAY_NIGHT,
                            why=None)
    return {d.id for d in duties}


def test_a_section_47_outcome_starts_the_initial_child_protection_conference_clock(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    seed_household(session, ctx)
    accept(session, ctx, concern("education", "E-C-1"))
    raised = accept(session, ctx, concern("health", "HV-2", 2))
    discussed = FRIDAY_NIGHT + timedelta(days=4)  # Tuesday 1 Dec 2026, 22:40
    duty = discharge(session, duty_id=raised.duty_ids[0], principal=principal("csc.worker"),
                     ctx=RULES, now=discussed, outcome="section_47", note="Threshold met.")
    icpc = session.scalars(select(Duty).where(Duty.parent_duty_id == duty.id)).one()
    assert icpc.kind == "initial_child_protection_conference"
    assert icpc.owner_agency_id == "childrens_social_care"
    # 15 working days after Tuesday 1 Dec: Tuesday 22 Dec, same time.
    assert icpc.due_at == discussed + timedelta(days=21)


def test_no_further_action_raises_no_conference(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    seed_household(session, ctx)
    accept(session, ctx, concern("education", "E-C-1"))
    raised = accept(session, ctx, concern("health", "HV-2", 2))
    discharge(session, ctx=RULES, duty_id=raised.duty_ids[0], principal=principal("csc.worker"),
              now=FRIDAY_NIGHT + timedelta(days=4), outcome="no_further_action")
    assert session.scalars(select(Duty).where(
        Duty.parent_duty_id == raised.duty_ids[0])).all() == []


def test_a_concern_arriving_while_a_referral_is_open_raises_a_strategy_discussion(
    session: Session, ctx: IntakeContext,
) -> None:
    record_incident(session, ctx)
    accepted = accept(session, ctx, concern("education", "E-C-9", 1))
    [duty] = session.scalars(select(Duty).where(Duty.id.in_(accepted.duty_ids))).all()
    assert duty.evidence and "while a referral is open" in duty.evidence[0]


def test_the_concern_is_in_the_chronology_for_every_agency_that_may_see_the_child(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    seed_household(session, ctx)
    add_user(session, "hillside.dsl", f"school-{HILLSIDE}")
    accept(session, ctx, concern("health", "HV-1"), username="health.visitor")
    mia = person_id(session, "E-88")
    # Health had no record of Mia before: raising a concern is no relationship with her, so
    # it gives health no sight of what other agencies hold (docs/security.md, finding 2).
    assert not may_see_person(session, principal=principal("health.visitor"), person_id=mia)
    view = child_view(session, principal=principal("hillside.dsl"), person_id=mia, why="test")
    item = next(i for i in view.chronology if i.label.startswith("Concern"))
    assert item.label.startswith("Concern from Integrated Care Board")
    # Only the raising agency opens the concern itself.
    assert item.link is None
    # The police hold nothing about Mia: they do not see her.
    assert not may_see_person(session, principal=principal("mash.officer"), person_id=mia)
