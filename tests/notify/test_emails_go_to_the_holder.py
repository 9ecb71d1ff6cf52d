"""Through a real SMTP server: a duty someone holds is warned of, breached and escalated to
whoever holds it (the person, or each member of the holding team) and not to everyone of the
agency; a duty nobody holds still goes to everyone of the agency who may act on it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.models import User
from safeguard.access.service import Principal
from safeguard.duties.assignment import assign_duty
from safeguard.duties.models import Duty
from safeguard.intake.service import IntakeContext
from safeguard.rules.catalogue import KINDS
from safeguard.worker import run_once

from ..factories import add_user
from ..web.test_pages_support import RECORDED, record_incident
from ..work.test_assignment import _team
from .conftest import MailServer

Who = Callable[[str], Principal]
TITLE = KINDS["referral_decision"].title
NOW = RECORDED + timedelta(minutes=5)


def _decision(session: Session, ctx: IntakeContext) -> Duty:
    """Social care's referral decision for the scenario's incident, with a second social
    worker and a senior manager, and everyone with a work address."""
    duty_id = record_incident(session, ctx)["referral_decision"]
    add_user(session, "csc.second", "childrens_social_care", "practitioner")
    add_user(session, "csc.senior", "childrens_social_care", "practitioner senior_manager")
    for user in session.scalars(select(User)):
        user.email = f"{user.username}@example.gov.uk"
    session.commit()
    return session.get_one(Duty, duty_id)


def _told(mail: MailServer, start: int, subject: str) -> list[str]:
    return sorted(str(m["To"]).split("@")[0] for m in mail.inbox.messages[start:]
                  if m["Subject"] == f"{subject}: {TITLE}")


def test_a_duty_a_person_holds_is_warned_of_and_breached_to_them_alone(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, principal: Who) -> None:
    duty = _decision(session, ctx)
    assign_duty(session, duty_id=duty.id, by=principal("csc.supervisor"), now=NOW,
                to_user_id=principal("csc.second").id)
    session.commit()

    run_once(factory, now=duty.due_at - timedelta(hours=1), rules=ctx, email=mail.settings)
    assert _told(mail, 0, "Due soon") == ["csc.second"]
    before = len(mail.inbox.messages)
    run_once(factory, now=duty.due_at + timedelta(minutes=1), rules=ctx, email=mail.settings)
    assert _told(mail, before, "Breached") == ["csc.second"]
    # The breach escalates to the owning agency's supervisor, as it did.
    assert _told(mail, before, "Escalated") == ["csc.supervisor"]


def test_a_duty_a_team_holds_goes_to_each_member_and_not_to_the_rest_of_the_agency(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, principal: Who) -> None:
    duty = _decision(session, ctx)
    team = _team(session, "childrens_social_care", "Referrals team", "csc.worker",
                 "csc.second")
    assign_duty(session, duty_id=duty.id, by=principal("csc.supervisor"), now=NOW,
                to_team_id=team.id)
    session.commit()

    run_once(factory, now=duty.due_at - timedelta(hours=1), rules=ctx, email=mail.settings)
    assert _told(mail, 0, "Due soon") == ["csc.second", "csc.worker"]
    before = len(mail.inbox.messages)
    run_once(factory, now=duty.due_at + timedelta(minutes=1), rules=ctx, email=mail.settings)
    assert _told(mail, before, "Breached") == ["csc.second", "csc.worker"]


def test_a_duty_nobody_holds_goes_to_everyone_of_the_agency_who_may_act_on_it(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer) -> None:
    duty = _decision(session, ctx)
    run_once(factory, now=duty.due_at - timedelta(hours=1), rules=ctx, email=mail.settings)
    assert _told(mail, 0, "Due soon") == ["csc.second", "csc.senior", "csc.supervisor",
                                          "csc.worker"]


def test_a_holder_who_left_does_not_leave_the_duty_untold(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, principal: Who) -> None:
    duty = _decision(session, ctx)
    assign_duty(session, duty_id=duty.id, by=principal("csc.supervisor"), now=NOW,
                to_user_id=principal("csc.second").id)
    session.execute(update(User).where(User.username == "csc.second").values(active=False))
    session.commit()
    run_once(factory, now=duty.due_at - timedelta(hours=1), rules=ctx, email=mail.settings)
    assert _told(mail, 0, "Due soon") == ["csc.senior", "csc.supervisor", "csc.worker"]


def test_a_held_share_is_told_to_its_holder_and_its_partner_and_so_is_its_second_level(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, principal: Who) -> None:
    _decision(session, ctx)
    share = session.scalars(select(Duty).where(Duty.kind == "share_with_csc")).one()
    assign_duty(session, duty_id=share.id, by=principal("police.supervisor"), now=NOW,
                to_user_id=principal("mash.officer").id)
    session.commit()
    title = KINDS["share_with_csc"].title

    def told(start: int, subject: str) -> dict[str, str]:
        return {str(m["To"]).split("@")[0]: mail.inbox.text(m)
                for m in mail.inbox.messages[start:] if m["Subject"] == f"{subject}: {title}"}

    run_once(factory, now=share.due_at - timedelta(hours=1), rules=ctx, email=mail.settings)
    # Social care acknowledges the share, so its people are told beside the police holder.
    assert sorted(told(0, "Due soon")) == ["csc.second", "csc.senior", "csc.supervisor",
                                           "csc.worker", "mash.officer"]
    breach = share.due_at + timedelta(minutes=1)
    run_once(factory, now=breach, rules=ctx, email=mail.settings)
    level_two = len(mail.inbox.messages)
    run_once(factory, now=breach + timedelta(hours=25), rules=ctx, email=mail.settings)
    escalated = told(level_two, "Escalated")
    assert sorted(escalated) == ["csc.senior", "mash.officer"]
    assert "as senior manager" in escalated["csc.senior"]
    assert "A duty you hold is escalated" in escalated["mash.officer"]
    run_once(factory, now=breach + timedelta(hours=26), rules=ctx, email=mail.settings)
    assert len(told(level_two, "Escalated")) == 2  # once each
