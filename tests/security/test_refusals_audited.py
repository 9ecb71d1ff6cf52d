"""Finding 7: refused reads leave a trace. A 404 or 403 on a person, duty, incident, share or
concern for want of access is an audit entry (`refused`): who, which agency, when, what was
asked for and why it was refused, naming the child concerned where there is one; written in
a transaction of its own, since the refused request's rolls back."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.audit.models import AuditEntry
from safeguard.duties.models import Duty
from safeguard.incidents.models import IncidentPerson
from safeguard.intake.service import IntakeContext
from safeguard.sharing.models import Share

from ..app_client import AppClient
from ..concerns.test_concern_intake import concern
from ..conftest import sign_in
from ..web.test_api import key_for, record_scenario
from ..web.test_pages_support import accept, person_id, seed_household


def refusals(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")
                                .order_by(AuditEntry.id)))


def test_it_audits_every_refused_person_look_up_by_a_key(client: AppClient,
                                                         session: Session) -> None:
    body = record_scenario(client, session)
    subject = session.scalars(select(Duty.subject_person_id).where(
        Duty.id.in_(body["duty_ids"]))).first()  # type: ignore[arg-type]
    health = key_for(session, "health")
    for _ in range(3):
        assert client.get(f"/api/v1/persons/{subject}", headers=health).status_code == 404
    assert client.get("/api/v1/persons/987654", headers=health).status_code == 404
    rows = refusals(session)
    assert len(rows) == 4
    first = rows[0]
    assert (first.actor.startswith("api_key:"), first.agency_id, first.entity, first.entity_id,
            first.person_id) == (True, "health", "person", str(subject), subject)
    assert first.why == f"refused GET /api/v1/persons/{subject}: person {subject} not found"
    # Nobody of that id: the attempt is still recorded, naming no one.
    assert (rows[-1].entity_id, rows[-1].person_id) == ("987654", None)


def test_it_names_the_child_behind_a_refused_duty_incident_and_share(
        client: AppClient, session: Session) -> None:
    body = record_scenario(client, session)
    health = key_for(session, "health")
    duty = session.get_one(Duty, body["duty_ids"][0])  # type: ignore[index]
    share = session.get_one(Share, body["share_ids"][0])  # type: ignore[index]
    incident = body["incident_id"]
    assert client.get(f"/api/v1/duties/{duty.id}", headers=health).status_code == 404
    assert client.get(f"/api/v1/incidents/{incident}", headers=health).status_code == 404
    assert client.post(f"/api/v1/shares/{share.id}/acknowledgement", json={},
                       headers=health).status_code == 404
    named = {(r.entity, r.person_id) for r in refusals(session)}
    people = set(session.scalars(select(IncidentPerson.person_id).where(
        IncidentPerson.incident_id == incident)))
    assert ("duty", duty.subject_person_id) in named
    assert ("share", share.subject_person_id) in named
    assert {p for e, p in named if e == "incident"} == people


def test_it_audits_a_refused_page_as_the_signed_in_user(client: AppClient,
                                                        session: Session) -> None:
    body = record_scenario(client, session)
    duty = session.get_one(Duty, body["duty_ids"][0])  # type: ignore[index]
    sign_in(client, "health.visitor")
    assert client.get(f"/duties/{duty.id}").status_code == 404
    assert client.get(f"/children/{duty.subject_person_id}").status_code == 404
    rows = refusals(session)
    assert [(r.actor, r.agency_id, r.entity) for r in rows] == [
        ("user:health.visitor", "health", "duty"), ("user:health.visitor", "health", "person")]
    assert all(r.person_id == duty.subject_person_id for r in rows)


def test_it_leaves_no_refusal_for_what_was_allowed_or_for_nobody(client: AppClient,
                                                                 session: Session) -> None:
    record_scenario(client, session)
    assert client.get("/api/v1/persons/1").status_code == 401  # no key: nobody to name
    police = key_for(session, "police")
    assert client.get("/api/v1/duties", headers=police).status_code == 200
    assert refusals(session) == []


def test_it_names_the_child_behind_a_refused_concern(client: AppClient, session: Session,
                                                     ctx: IntakeContext) -> None:
    seed_household(session, ctx)
    raised = accept(session, ctx, concern("education", "E-C-1"))
    session.commit()
    sign_in(client, "health.visitor")  # the concern is the education service's
    assert client.get(f"/concerns/{raised.concern_id}").status_code == 404
    [row] = refusals(session)
    assert (row.entity, row.entity_id, row.person_id) == (
        "concern", str(raised.concern_id), person_id(session, "E-88"))
