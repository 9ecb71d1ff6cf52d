"""Each person chooses their emails on /account/notifications (audited); an administrator
sets where they go; and a real relay is reached with STARTTLS and the username and password
the environment gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.accounts.service import set_email
from safeguard.audit.models import AuditEntry
from safeguard.config import EmailSettings
from safeguard.errors import Invalid
from safeguard.notify.models import Reason
from safeguard.notify.outbox import Outgoing, send
from safeguard.notify.service import preferences

from ..app_client import AppClient
from ..conftest import sign_in
from .conftest import PASSWORD, USERNAME, Inbox


def test_a_person_chooses_their_emails_and_the_change_is_audited(
        client: AppClient, session: Session, principal: Any) -> None:
    token = sign_in(client, "csc.worker")
    page = client.get("/account/notifications")
    assert page.status_code == 200
    assert page.text.count('name="reasons"') == len(Reason)
    assert page.text.count("checked") == len(Reason)  # every email unless chosen otherwise
    assert "no email address on record" in page.text

    saved = client.post("/account/notifications", follow_redirects=False, data={
        "csrf_token": token, "reasons": ["assigned", "digest"]})
    assert saved.status_code == 303
    assert "Your choices are saved" in client.get(saved.headers["location"]).text
    worker = principal("csc.worker")
    assert {r for r, on in preferences(session, user_id=worker.id).items() if on} == {
        Reason.ASSIGNED, Reason.DIGEST}
    why = session.scalars(select(AuditEntry.why).where(
        AuditEntry.entity == "notification_preferences",
        AuditEntry.entity_id == str(worker.id))).one()
    assert why == ("changed email notifications: due_soon off, breached off, escalated off")

    refused = client.post("/account/notifications", data={"reasons": ["digest"]})
    assert refused.status_code == 403  # no CSRF token
    assert preferences(session, user_id=worker.id)[Reason.ASSIGNED]


def test_an_administrator_sets_where_a_persons_emails_go_audited(session: Session) -> None:
    user = set_email(session, principal=SYSTEM, username="csc.worker",
                     email=" sam.okafor@council.example.gov.uk ")
    assert user.email == "sam.okafor@council.example.gov.uk"
    with pytest.raises(Invalid):
        set_email(session, principal=SYSTEM, username="csc.worker", email="not an address")
    assert set_email(session, principal=SYSTEM, username="csc.worker", email="").email is None
    assert session.scalars(select(AuditEntry.why).where(
        AuditEntry.entity == "user", AuditEntry.entity_id == str(user.id))).all() == [
        "email address of csc.worker set", "email address of csc.worker removed"]


def test_emails_reach_a_relay_over_starttls_signed_in_with_credentials_from_the_environment(
        secure_mail: tuple[Inbox, int, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    inbox, port, certificate = secure_mail
    monkeypatch.setenv("SAFEGUARD_EMAIL_USERNAME", USERNAME)
    monkeypatch.setenv("SAFEGUARD_EMAIL_PASSWORD", PASSWORD)
    settings = EmailSettings(host="localhost", port=port, ca_file=str(certificate))
    assert settings.tls and PASSWORD not in repr(settings)  # the password is never printed
    outgoing = Outgoing(1, "sam@council.example", "Due soon: a duty", "Open it.", 0)
    assert send([outgoing], settings) == [(outgoing, None)]
    assert inbox.signed_in == [USERNAME]
    assert [m["Subject"] for m in inbox.messages] == ["Due soon: a duty"]

    # A refused sign-in is a failed attempt (smtplib then tries the next mechanism, which
    # this server leaves waiting: the timeout ends it).
    wrong = settings.model_copy(update={"password": SecretStr("guessed"), "timeout_seconds": 1})
    [(_, error)] = send([outgoing], wrong)
    assert error is not None and inbox.signed_in == [USERNAME]
    untrusted = settings.model_copy(update={"ca_file": ""})
    [(_, error)] = send([outgoing], untrusted)
    assert error is not None and "CERTIFICATE_VERIFY_FAILED" in error
    assert len(inbox.messages) == 1


