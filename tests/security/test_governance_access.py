"""Finding 7: information governance sees who accessed a child (page and API) and unusual
access across the partnership (volume, refusals, out of hours, break-glass); nobody else
does, and their own looking is audited."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Role
from safeguard.access.service import create_api_key, ensure_user
from safeguard.audit.models import AuditEntry
from safeguard.config import GovernanceSettings, Settings
from safeguard.duties.models import Duty

from ..app_client import AppClient
from ..conftest import PASSWORD, sign_in
from ..web.test_api import key_for, record_scenario

IG = Role.INFORMATION_GOVERNANCE.value


def ig_key(session: Session) -> dict[str, str]:
    _, plaintext = create_api_key(session, agency_id="police", name="IG audit", roles=IG)
    session.commit()
    return {"Authorization": f"Bearer {plaintext}"}


def child_of(session: Session, body: dict[str, object]) -> int:
    # The child-at-risk notification is about the child; the incident's other duties may be
    # about the adult victim, whom children's social care does not see.
    subject = session.scalars(select(Duty.subject_person_id).where(
        Duty.id.in_(body["duty_ids"]),  # type: ignore[arg-type]
        Duty.kind == "share_with_csc")).one()
    assert subject is not None
    return subject


def test_it_shows_governance_every_read_write_and_refusal_about_a_child(
        client: AppClient, session: Session) -> None:
    body = record_scenario(client, session)
    child = child_of(session, body)
    assert client.get(f"/api/v1/persons/{child}",
                      headers=key_for(session, "childrens_social_care")).status_code == 200
    assert client.get(f"/api/v1/persons/{child}",
                      headers=key_for(session, "health")).status_code == 404
    history = client.get(f"/api/v1/governance/access/{child}", headers=ig_key(session))
    assert history.status_code == 200, history.text
    entries = history.json()["entries"]
    assert {"write", "read", "refused"} <= {e["action"] for e in entries}
    refused = next(e for e in entries if e["action"] == "refused")
    assert (refused["agency_id"], refused["entity"]) == ("health", "person")
    assert all({"at", "actor", "agency_id", "why"} <= set(e) for e in entries)
    # Governance's own look is audited, under the child.
    assert session.scalars(select(AuditEntry).where(
        AuditEntry.entity == "access_history", AuditEntry.person_id == child)).one()

    ensure_user(session, username="ig.officer", display_name="Ines Grant",
                agency_id="childrens_social_care", roles=IG, password=PASSWORD)
    session.commit()
    sign_in(client, "ig.officer")
    page = client.get(f"/governance/access/{child}")
    assert page.status_code == 200
    # The refused key by its name and agency, not its actor id.
    assert "Refused" in page.text and "health system, Integrated Care Board" in page.text
    assert "api_key:" not in page.text


def test_only_information_governance_may_see_access_records(client: AppClient,
                                                            session: Session) -> None:
    body = record_scenario(client, session)
    child = child_of(session, body)
    police = key_for(session, "police")
    assert client.get(f"/api/v1/governance/access/{child}", headers=police).status_code == 403
    assert client.get("/api/v1/governance/unusual", headers=police).status_code == 403
    sign_in(client, "csc.supervisor")
    assert client.get(f"/governance/access/{child}").status_code == 403
    assert client.get("/governance/unusual").status_code == 403
    tried = session.scalars(select(AuditEntry).where(AuditEntry.action == "refused")).all()
    assert len(tried) == 4 and sum(t.person_id == child for t in tried) == 2


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def entry(session: Session, when: str, actor: str, action: str = "read",
          person_id: int | None = None) -> None:
    session.add(AuditEntry(at=at(when), actor=actor, agency_id="health", action=action,
                           entity="person", entity_id=str(person_id or 1),
                           person_id=person_id, why="test"))


def test_it_lists_unusual_volume_refusals_out_of_hours_and_break_glass(
        app: FastAPI, client: AppClient, session: Session) -> None:
    app.state.settings = Settings(
        database_url=app.state.settings.database_url,
        governance=GovernanceSettings(reads_per_hour=2))
    body = record_scenario(client, session)
    child = child_of(session, body)
    for minute in (1, 20, 40):  # three reads in one hour: over the threshold of two
        entry(session, f"2026-11-26 10:{minute:02d}", "api_key:7:scraper")
    entry(session, "2026-11-26 11:05", "api_key:7:scraper")  # only one the next hour
    entry(session, "2026-11-26 23:30", "user:night.owl")  # 23:30 in London: out of hours
    entry(session, "2026-11-26 03:00", "system:worker")  # the service's own: not listed
    entry(session, "2026-11-26 12:00", "user:prober", "refused")
    entry(session, "2026-11-26 12:10", "user:prober", "refused")
    entry(session, "2026-11-26 14:00", "user:dr.who", "break_glass", person_id=child)
    entry(session, "2026-07-01 18:30", "user:summer")  # 19:30 BST: out of hours
    entry(session, "2026-07-01 06:30", "user:early")  # 07:30 BST: in hours
    session.commit()
    ig = ig_key(session)
    report = client.get("/api/v1/governance/unusual", headers=ig).json()
    assert [(h["actor"], h["reads"]) for h in report["high_volume"]] == [
        ("api_key:7:scraper", 3)]
    assert [(t["actor"], t["count"]) for t in report["refusals"]] == [("user:prober", 2)]
    late = {t["actor"] for t in report["out_of_hours"]}
    assert "user:night.owl" in late and "system:worker" not in late
    assert "api_key:7:scraper" not in late
    assert [(b["actor"], b["person_id"]) for b in report["break_glass"]] == [
        ("user:dr.who", child)]
    summer = client.get("/api/v1/governance/unusual?date_from=2026-07-01&date_to=2026-07-01",
                        headers=ig).json()
    assert {t["actor"] for t in summer["out_of_hours"]} == {"user:summer"}
    edges = client.get("/api/v1/governance/unusual?date_from=0001-01-01&date_to=9999-12-31",
                       headers=ig)
    assert edges.status_code == 200 and len(edges.json()["refusals"]) == 1

    ensure_user(session, username="ig.officer", display_name="Ines Grant",
                agency_id="police", roles=IG, password=PASSWORD)
    session.commit()
    sign_in(client, "ig.officer")
    assert client.get("/governance/unusual?date_from=%C2%B2&date_to=9999-12-31"
                      ).status_code == 200
    page = client.get("/governance/unusual").text
    for shown in ("api_key:7:scraper", "user:prober", "user:night.owl", "user:dr.who",
                  f"/governance/access/{child}"):
        assert shown in page
