"""A real SMTP server for the notification tests (aiosmtpd, on a free port of this machine),
which keeps every message it accepts; and, for STARTTLS, a certificate made for localhost."""

from __future__ import annotations

import datetime as dt
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from safeguard.config import EmailSettings

from ..factories import free_port

USERNAME, PASSWORD = "safeguard-relay", "relay-test-password"


@dataclass
class Inbox:
    """What the server accepted; `refuse` answers that many messages with a temporary
    failure first (a server that is busy, then recovers)."""

    messages: list[EmailMessage] = field(default_factory=list)
    refuse: int = 0
    signed_in: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 Try again later"
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]

    def text(self, message: EmailMessage) -> str:
        body = message.get_body(("plain",))
        assert body is not None
        return f"{message['Subject']}\n{body.get_content()}"


@dataclass
class MailServer:
    inbox: Inbox
    settings: EmailSettings


@pytest.fixture
def mail() -> Iterator[MailServer]:
    """A plain SMTP server (no TLS, no sign-in), and the settings that send to it."""
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield MailServer(inbox, EmailSettings(
        host="127.0.0.1", port=port, tls=False, from_address="safeguard@council.example",
        base_url="https://safeguard.example.gov.uk", backoff_base_seconds=60))
    controller.stop()


def _certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(hours=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "relay.pem", folder / "relay.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def secure_mail(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    """A server that requires STARTTLS and a username and password, as a real relay does;
    yields its inbox, port and the certificate to trust."""
    cert_file, key_file = _certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    inbox, port = Inbox(), free_port()

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == USERNAME
              and auth_data.password.decode() == PASSWORD)
        if ok:
            inbox.signed_in.append(USERNAME)
        return AuthResult(success=ok)

    controller = Controller(inbox, hostname="localhost", port=port, tls_context=context,
                            require_starttls=True, auth_required=True,
                            authenticator=authenticator)
    controller.start()
    yield inbox, port, cert_file
    controller.stop()
