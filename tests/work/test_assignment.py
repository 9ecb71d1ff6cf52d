"""Owning the work: a duty is claimed by a user, assigned by a supervisor to a person or a
team of the owning agency, reassigned only with a reason; each change is in the duty's
history and the audit trail, and the queues and the supervision view show who holds what."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Team, User
from safeguard.access.service import SYSTEM, Principal, create_api_key, principal_for_api_key
from safeguard.accounts.teams import add_member, create_team, list_teams, remove_member
from safeguard.audit.models import AuditEntry
from safeguard.casework.service import discharge
from safeguard.duties.assignment import assign_duty, claim_duty, holders
from safeguard.duties.models import BREACHED, Duty, DutyTransition
from safeguard.errors import Conflict, Forbidden, Invalid, NotFound
from safeguard.intake.service import IntakeContext
from safeguard.seed import hand_out_demo_work, seed_demo_teams
from safeguard.work.service import held_by, my_work, supervision, team_work

from ..factories import add_user
from ..web.test_pages_support import RECORDED, record_incident

Who = Callable[[str], Principal]
NOW = RECORDED + timedelta(minutes=5)


def _team(session: Session, agency: str, name: str, *usernames: str) -> Team:
    team = create_team(session, principal=SYSTEM, agency_id=agency, name=name, now=NOW)
    for user_id in session.scalars(select(User.id).where(User.username.in_(usernames))):
        add_member(session, principal=SYSTEM, team_id=team.id, user_id=user_id, now=NOW)
    return team


def _history(session: Session, duty_id: int) -> list[tuple[str, str, str | None]]:
    return [(t.action, t.actor, t.note) for t in session.scalars(
        select(DutyTransition).where(DutyTransition.duty_id == duty_id,
                                     DutyTransition.action.in_(
                                         ("claimed", "assigned", "reassigned")))
        .order_by(DutyTransition.id))]


@pytest.fixture
def duties(session: Session, ctx: IntakeContext) -> dict[str, int]:
    return record_incident(session, ctx)


def test_a_practitioner_claims_an_unheld_duty_and_it_is_in_their_work(
        session: Session, duties: dict[str, int], principal: Who) -> None:
    worker = principal("csc.worker")
    done = claim_duty(session, duty_id=duties["referral_decision"], by=worker, now=NOW)
    assert (done.action, done.holder.name, done.previous) == ("claimed", "Sam Okafor", None)
    assert _history(session, done.duty_id) == [
        ("claimed", "user:csc.worker", "Claimed by Sam Okafor")]
    assert session.scalar(select(AuditEntry.why).where(
        AuditEntry.entity == "duty", AuditEntry.action == "write")) == \
        "duty claimed by Sam Okafor"
    assert [d.id for d in my_work(session, principal=worker)] == [done.duty_id]
    # Claiming it again changes nothing; a colleague cannot take it by claiming.
    assert claim_duty(session, duty_id=done.duty_id, by=worker, now=NOW).action == "unchanged"
    with pytest.raises(Conflict, match="Sam Okafor holds this duty"):
        claim_duty(session, duty_id=done.duty_id, by=principal("csc.supervisor"), now=NOW)
    assert my_work(session, principal=principal("csc.supervisor")) == []


def test_only_a_supervisor_gives_a_duty_to_someone_else_and_a_reassignment_needs_a_reason(
        session: Session, duties: dict[str, int], principal: Who) -> None:
    duty_id = duties["referral_decision"]
    worker, manager = principal("csc.worker"), principal("csc.supervisor")
    with pytest.raises(Forbidden, match="only a supervisor or manager"):
        assign_duty(session, duty_id=duty_id, by=worker, now=NOW, to_user_id=manager.id)
    assign_duty(session, duty_id=duty_id, by=manager, now=NOW, to_user_id=worker.id)
    team = _team(session, "childrens_social_care", "CSC duty team", "csc.worker")
    with pytest.raises(Invalid, match="give a reason for taking the duty from Sam Okafor"):
        assign_duty(session, duty_id=duty_id, by=manager, now=NOW, to_team_id=team.id)
    done = assign_duty(session, duty_id=duty_id, by=manager, now=NOW, to_team_id=team.id,
                       reason="  Sam is on leave  from tomorrow ")
    assert (done.action, done.previous and done.previous.name) == ("reassigned", "Sam Okafor")
    assert _history(session, duty_id) == [
        ("assigned", "user:csc.supervisor", "Assigned to Sam Okafor"),
        ("reassigned", "user:csc.supervisor",
         "Reassigned to CSC duty team from Sam Okafor: Sam is on leave from tomorrow")]
    assert holders(session, [duty_id])[duty_id].team_id == team.id


def test_only_people_and_teams_of_the_owning_agency_may_hold_a_duty(
        session: Session, duties: dict[str, int], principal: Who) -> None:
    duty_id = duties["referral_decision"]  # social care's; the police are its partner
    manager, officer = principal("csc.supervisor"), principal("mash.officer")
    police_team = _team(session, "police", "MASH police team")
    with pytest.raises(Invalid, match="only a user of the owning agency"):
        assign_duty(session, duty_id=duty_id, by=manager, now=NOW, to_user_id=officer.id)
    with pytest.raises(Invalid, match="only a team of the owning agency"):
        assign_duty(session, duty_id=duty_id, by=manager, now=NOW, to_team_id=police_team.id)
    with pytest.raises(Invalid, match="one person or one team"):
        assign_duty(session, duty_id=duty_id, by=manager, now=NOW)
    # The partner sees the duty but may not take or give it; another agency does not see it.
    with pytest.raises(Forbidden):
        claim_duty(session, duty_id=duty_id, by=officer, now=NOW)
    with pytest.raises(NotFound):
        claim_duty(session, duty_id=duty_id, by=principal("health.visitor"), now=NOW)
    _, plaintext = create_api_key(session, agency_id="childrens_social_care",
                                  name="case system", roles="practitioner supervisor")
    system = principal_for_api_key(session, plaintext=plaintext)
    assert system is not None
    with pytest.raises(Forbidden, match="only a person claims"):
        claim_duty(session, duty_id=duty_id, by=system, now=NOW)
    with pytest.raises(Forbidden, match="only a signed-in person has work"):
        my_work(session, principal=system)
    assert holders(session, [duty_id]) == {}


def test_a_discharged_duty_is_held_by_nobody_new(
        session: Session, duties: dict[str, int], principal: Who, ctx: IntakeContext) -> None:
    manager = principal("csc.supervisor")
    duty_id = duties["referral_decision"]
    discharge(session, duty_id=duty_id, principal=manager, now=NOW, ctx=ctx,
              outcome="no_further_action")
    with pytest.raises(Conflict, match="was discharged"):
        assign_duty(session, duty_id=duty_id, by=manager, now=NOW, to_user_id=manager.id)


def test_team_work_holds_the_teams_duties_and_its_members_and_a_member_claims_from_it(
        session: Session, duties: dict[str, int], principal: Who) -> None:
    officer, sergeant = principal("mash.officer"), principal("police.supervisor")
    team = _team(session, "police", "MASH police team", "mash.officer", "police.supervisor")
    share, notice = duties["share_with_csc"], duties["encompass_notice"]
    assign_duty(session, duty_id=share, by=sergeant, now=NOW, to_team_id=team.id)
    assign_duty(session, duty_id=notice, by=sergeant, now=NOW, to_user_id=sergeant.id)
    work = team_work(session, principal=officer)
    assert [t.name for t in work.teams] == ["MASH police team"]
    assert [d.id for d in work.duties] == [share, notice]  # due soonest first
    assert claim_duty(session, duty_id=share, by=officer, now=NOW).action == "claimed"
    assert _history(session, share)[-1] == (
        "claimed", "user:mash.officer", "Claimed by DC Priya Patel from MASH police team")
    assert [d.id for d in my_work(session, principal=officer)] == [share]
    # Leaving the team leaves the duty with its holder, and the team's queue without it.
    remove_member(session, principal=SYSTEM, team_id=team.id, user_id=officer.id)
    assert [d.id for d in team_work(session, principal=sergeant).duties] == [notice]
    assert team_work(session, principal=officer).duties == []


def test_the_supervision_view_counts_open_due_today_and_breached_per_holder(
        session: Session, duties: dict[str, int], principal: Who) -> None:
    officer, sergeant = principal("mash.officer"), principal("police.supervisor")
    team = _team(session, "police", "MASH police team", "mash.officer")
    share, notice = duties["share_with_csc"], duties["encompass_notice"]
    assign_duty(session, duty_id=share, by=sergeant, now=NOW, to_user_id=officer.id)
    # At 23:00 London time on the 28th the share (due 23:55) is due today; two days on
    # it is breached, and the notice (due the 30th, 08:30) is past due too.
    evening = RECORDED + timedelta(hours=23, minutes=5)
    loads = {load.key: load for load in supervision(session, principal=sergeant, now=evening)}
    assert (loads[f"user-{officer.id}"].open, loads[f"user-{officer.id}"].due_today,
            loads[f"user-{officer.id}"].breached) == (1, 1, 0)
    assert (loads["nobody"].open, loads["nobody"].due_today) == (1, 0)
    assert (loads[f"team-{team.id}"].name, loads[f"team-{team.id}"].open) == (
        "MASH police team", 0)
    session.get_one(Duty, share).status = BREACHED
    later = {load.key: load for load in supervision(
        session, principal=sergeant, now=RECORDED + timedelta(days=3))}
    assert later[f"user-{officer.id}"].breached == 1 and later["nobody"].breached == 1
    assert [d.id for d in held_by(session, principal=sergeant, holder="nobody")] == [notice]
    with pytest.raises(Forbidden, match="only a supervisor or manager"):
        supervision(session, principal=officer, now=NOW)
    with pytest.raises(Invalid):
        held_by(session, principal=sergeant, holder="user-x")


def test_an_administrator_manages_only_their_own_agencys_teams(
        session: Session, principal: Who) -> None:
    admin = principal(add_user(session, "csc.admin", "childrens_social_care", "admin").username)
    team = create_team(session, principal=admin, agency_id="childrens_social_care",
                       name=" CSC   duty team ", now=NOW)
    assert team.name == "CSC duty team"
    with pytest.raises(Conflict):
        create_team(session, principal=admin, agency_id="childrens_social_care",
                    name="CSC duty team", now=NOW)
    with pytest.raises(Forbidden):
        create_team(session, principal=admin, agency_id="police", name="Theirs", now=NOW)
    with pytest.raises(Forbidden):
        list_teams(session, principal=principal("csc.worker"))
    police_team = _team(session, "police", "MASH police team")
    with pytest.raises(NotFound):
        add_member(session, principal=admin, team_id=police_team.id,
                   user_id=principal("csc.worker").id, now=NOW)
    with pytest.raises(Invalid, match="own agency"):
        add_member(session, principal=admin, team_id=team.id,
                   user_id=principal("mash.officer").id, now=NOW)
    add_member(session, principal=admin, team_id=team.id, user_id=principal("csc.worker").id,
               now=NOW)
    assert list(session.scalars(select(AuditEntry.why).where(AuditEntry.entity == "team")
                                .order_by(AuditEntry.id)))[-3:] == [
        "team CSC duty team made at childrens_social_care",
        "team MASH police team made at police", "user csc.worker added to team CSC duty team"]
    assert [t.name for t in list_teams(session, principal=admin)] == ["CSC duty team"]


def test_the_demo_hands_out_work_to_its_teams_and_people(
        session: Session, duties: dict[str, int], principal: Who) -> None:
    seed_demo_teams(session, now=NOW)
    seed_demo_teams(session, now=NOW)  # made once however often the demo starts
    assert hand_out_demo_work(session, now=NOW, per_team=1, per_person=1) == 3
    held = holders(session, list(duties.values()))
    assert held[duties["referral_decision"]].name == "CSC duty team"
    assert held[duties["share_with_csc"]].name == "MASH police team"
    assert held[duties["encompass_notice"]].name == "DC Priya Patel"
    assert [t.name for t in team_work(session, principal=principal("csc.worker")).teams] == [
        "CSC duty team"]
