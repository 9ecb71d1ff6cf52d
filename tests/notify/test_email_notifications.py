"""Email notifications through a real SMTP server: a duty about to breach, its breach, its
escalation and the second level, the daily digest and an assignment; each person's choices;
retries; and never a word about the child in any email."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.models import User
from safeguard.access.service import SYSTEM
from safeguard.duties.models import Duty
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.notify.models import Email, Reason
from safeguard.notify.service import enqueue_duty_email, set_preferences
from safeguard.rules.catalogue import KINDS
from safeguard.worker import run_once, send_emails

from ..factories import USERS, add_user
from ..intake.scenario import AMY, FRIDAY_NIGHT, SCHOOL
from .conftest import MailServer

TITLE = KINDS["share_with_csc"].title
RECORDED = datetime(2026, 11, 27, 23, 55, tzinfo=UTC)
# Everything the scenario says about the child and her family: none of it may be emailed.
PERSONAL = ("Amy", "Smith", "Jane", "Mark", "2016", "1990", "1988", "05-01", "1 May",
            "Acacia", "NN1", "Northampton", "B801200005001", "Abington", "Argument",
            "neighbours")


def _address(username: str) -> str:
    return f"{username}@example.gov.uk"


def _people(session: Session) -> None:
    """The seeded users with work addresses, and a senior manager in social care."""
    add_user(session, "csc.senior", "childrens_social_care", "practitioner senior_manager")
    for user in session.scalars(select(User)):
        user.email = _address(user.username)
    session.flush()


def _import(factory: sessionmaker[Session], ctx: IntakeContext, *events: Any) -> None:
    summary = import_lines(factory, [json.dumps(e) for e in events], principal=SYSTEM,
                           ctx=ctx)
    assert summary.rejects == []


@pytest.fixture
def share(factory: sessionmaker[Session], session: Session, ctx: IntakeContext) -> Duty:
    """The scenario's people with work addresses, and its child-at-risk share: police share
    with social care, who must acknowledge it."""
    _people(session)
    _import(factory, ctx, SCHOOL, AMY, FRIDAY_NIGHT)
    return session.scalars(select(Duty).where(Duty.kind == "share_with_csc")).one()


def test_a_duty_is_warned_of_once_then_breaches_and_escalates_to_each_level_by_email(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, share: Duty) -> None:
    inbox = mail.inbox

    soon = share.due_at - timedelta(hours=1)
    assert run_once(factory, now=soon, rules=ctx, email=mail.settings).emailed > 0
    # Social care must acknowledge the police share: its people are warned, the police not.
    warned = [m for m in inbox.to(_address("csc.worker"))
              if m["Subject"] == f"Due soon: {TITLE}"]
    assert len(warned) == 1
    assert f"https://safeguard.example.gov.uk/duties/{share.id}" in inbox.text(warned[0])
    assert not [m for m in inbox.to(_address("mash.officer"))
                if TITLE in m["Subject"]]
    before = len(inbox.messages)
    run_once(factory, now=soon + timedelta(minutes=5), rules=ctx, email=mail.settings)
    assert len(inbox.messages) == before  # once per duty

    breach = share.due_at + timedelta(minutes=1)
    run_once(factory, now=breach, rules=ctx, email=mail.settings)
    subjects = {(m["To"], m["Subject"]) for m in inbox.messages[before:]}
    assert (_address("csc.worker"), f"Breached: {TITLE}") in subjects
    # A share's breach escalates to both agencies' supervisors, and each is emailed.
    assert (_address("csc.supervisor"), f"Escalated: {TITLE}") in subjects
    assert (_address("police.supervisor"), f"Escalated: {TITLE}") in subjects
    assert (_address("csc.worker"), f"Escalated: {TITLE}") not in subjects  # not a supervisor
    # A supervisor who also holds the duty is told once, of the escalation.
    assert (_address("csc.supervisor"), f"Breached: {TITLE}") not in subjects

    level_two = len(inbox.messages)
    run_once(factory, now=breach + timedelta(hours=25), rules=ctx, email=mail.settings)
    seniors = [m for m in inbox.messages[level_two:] if m["Subject"] == f"Escalated: {TITLE}"]
    assert [m["To"] for m in seniors] == [_address("csc.senior")]
    assert "as senior manager" in inbox.text(seniors[0])

    for message in inbox.messages:
        text = inbox.text(message)
        leaked = [word for word in PERSONAL if word.lower() in text.lower()]
        assert leaked == [], (message["Subject"], leaked)
        assert message["From"] == "safeguard@council.example"
        assert message["Auto-Submitted"] == "auto-generated"


def test_the_daily_digest_goes_once_a_day_at_its_london_time_with_counts_only(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, share: Duty) -> None:
    # Saturday 28 November: 06:59 London (GMT) is before the digest, 07:00 is its time.
    early = datetime(2026, 11, 28, 6, 59, tzinfo=UTC)
    quiet = mail.settings.model_copy(update={"due_soon_hours": 0.01})
    run_once(factory, now=early, rules=ctx, email=quiet)
    assert [m for m in mail.inbox.messages if m["Subject"].startswith("Your duties")] == []
    seven = datetime(2026, 11, 28, 7, 0, tzinfo=UTC)
    run_once(factory, now=seven, rules=ctx, email=quiet)
    run_once(factory, now=seven + timedelta(hours=3), rules=ctx, email=quiet)
    digests = [m for m in mail.inbox.messages if m["Subject"].startswith("Your duties")]
    # Everyone of an agency with undischarged duties, once; health has none here.
    assert sorted(m["To"] for m in digests) == sorted(
        _address(u) for u in (*USERS, "csc.senior") if u != "health.visitor")
    text = mail.inbox.text(next(m for m in digests if m["To"] == _address("csc.worker")))
    assert "Your duties for 28 November 2026" in text
    assert f"{TITLE}: 1 open, 1 due today, 0 breached" in text
    assert "https://safeguard.example.gov.uk/duties" in text
    assert [w for w in PERSONAL if w.lower() in text.lower()] == []


def test_each_person_gets_only_the_emails_they_chose_and_an_assignment_reaches_its_assignee(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, principal: Any, share: Duty) -> None:
    at = RECORDED + timedelta(minutes=1)
    set_preferences(session, principal=principal("csc.worker"), chosen=[Reason.DIGEST], now=at)
    assert not enqueue_duty_email(session, user_id=principal("csc.worker").id, duty=share,
                                  reason=Reason.ASSIGNED, now=at)
    assert enqueue_duty_email(session, user_id=principal("csc.supervisor").id, duty=share,
                              reason=Reason.ASSIGNED, now=at,
                              base_url=mail.settings.base_url)
    send_emails(factory, settings=mail.settings, now=at)
    assert [m["Subject"] for m in mail.inbox.messages] == [
        f"Assigned to you: {TITLE}"]
    assert mail.inbox.messages[0]["To"] == _address("csc.supervisor")

    run_once(factory, now=share.due_at + timedelta(minutes=1), rules=ctx, email=mail.settings)
    assert [m for m in mail.inbox.to(_address("csc.worker"))
            if m["Subject"].startswith(("Breached", "Due soon"))] == []
    assert mail.inbox.to(_address("csc.supervisor"))


def test_a_server_refusing_mail_is_tried_again_after_a_backoff_and_then_accepts(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, principal: Any, share: Duty) -> None:
    at = RECORDED + timedelta(minutes=1)
    enqueue_duty_email(session, user_id=principal("csc.worker").id, duty=share,
                       reason=Reason.ASSIGNED, now=at)
    mail.inbox.refuse = 1
    first = send_emails(factory, settings=mail.settings, now=at)
    assert (first.sent, first.retried) == (0, 1) and mail.inbox.messages == []
    email = session.scalars(select(Email).execution_options(populate_existing=True)).one()
    assert email.attempts == 1 and "451" in (email.last_error or "")
    assert at <= email.next_attempt_at <= at + timedelta(seconds=60)
    later = at + timedelta(seconds=61)
    assert send_emails(factory, settings=mail.settings, now=later).sent == 1
    assert len(mail.inbox.messages) == 1
    session.refresh(email)
    assert email.status == "sent" and email.sent_at == later


def test_an_email_that_keeps_failing_is_marked_failed_and_one_never_sent_expires(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        mail: MailServer, principal: Any, share: Duty) -> None:
    at = RECORDED + timedelta(minutes=1)
    for username in ("csc.worker", "csc.supervisor"):
        enqueue_duty_email(session, user_id=principal(username).id, duty=share,
                           reason=Reason.ASSIGNED, now=at)
    # No server configured: nothing is sent, and a day later it is no longer worth sending.
    unconfigured = mail.settings.model_copy(update={"host": ""})
    assert send_emails(factory, settings=unconfigured, now=at).sent == 0
    session.execute(update(Email).where(Email.to_address == _address("csc.supervisor"))
                    .values(created_at=at - timedelta(hours=25)))
    assert send_emails(factory, settings=unconfigured, now=at).expired == 1
    nowhere = mail.settings.model_copy(update={"port": 1, "max_attempts": 2,
                                               "backoff_base_seconds": 1})
    assert send_emails(factory, settings=nowhere, now=at).retried == 1
    assert send_emails(factory, settings=nowhere, now=at + timedelta(seconds=5)).failed == 1
    statuses = dict(session.execute(select(Email.to_address, Email.status)
                                    .execution_options(populate_existing=True)).all())
    assert statuses == {_address("csc.worker"): "failed", _address("csc.supervisor"): "expired"}
    assert mail.inbox.messages == []

