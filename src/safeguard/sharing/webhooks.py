"""Partner systems: the signed share document, their webhook endpoints, and their acknowledgements.

A share is POSTed as canonical JSON (sorted keys, no spaces) so that the bytes signed are the
bytes sent. Signing follows Standard Webhooks (https://www.standardwebhooks.com): HMAC-SHA256
with the agency's secret over ``f"{msg_id}.{timestamp}.{body}"``, sent as ``webhook-id``,
``webhook-timestamp`` and ``webhook-signature: v1,<base64>``. The message id is the share's
idempotency key, so a signature made for one share cannot be replayed for another, and the
timestamp stops a captured request being replayed outside the window. A partner's
acknowledgement coming back is signed the same way, with the same message id.

During a secret rollover an agency holds two secrets: messages out carry a signature by each
(space-separated, as the standard allows) and messages in may be signed by either.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal, known_agency
from safeguard.errors import Invalid, NotFound
from safeguard.sharing.models import Delivery, Share, WebhookEndpoint

ID_HEADER = "webhook-id"
TIMESTAMP_HEADER = "webhook-timestamp"
SIGNATURE_HEADER = "webhook-signature"
# Kept beside webhook-id for partners that already drop repeats by it.
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_WINDOW_SECONDS = 300.0
SECRET_PREFIX = "whsec_"
# How long the previous secret stays valid after a rotation unless retired sooner.
DEFAULT_ROLLOVER = timedelta(days=7)
URL_MAX = 500  # webhook_endpoints.url


# --- signing ------------------------------------------------------------------------------

def new_secret() -> str:
    """A Standard Webhooks secret: "whsec_" and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


def _key(secret: str) -> bytes:
    # Secrets made before Standard Webhooks signing are plain text and used as their bytes;
    # rotating gives the agency a "whsec_" one that the standard's libraries read as-is.
    if secret.startswith(SECRET_PREFIX):
        return base64.b64decode(secret[len(SECRET_PREFIX):])
    return secret.encode("utf-8")


def idempotency_key(share_id: int, endpoint_id: int) -> str:
    """The share's message id: sent as webhook-id and Idempotency-Key, signed with the body."""
    return f"share-{share_id}-{endpoint_id}"


def canonical_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def sign(secret: str, body: bytes, *, msg_id: str, timestamp: int) -> str:
    """One "v1,<base64>" signature of msg_id.timestamp.body."""
    mac = hmac.new(_key(secret), f"{msg_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode("ascii")


def signed_headers(secrets_: str | Sequence[str], body: bytes, *, msg_id: str, timestamp: int
                   ) -> dict[str, str]:
    """The headers of a signed message; with several secrets (a rollover), one signature each."""
    keys = [secrets_] if isinstance(secrets_, str) else list(secrets_)
    return {"Content-Type": "application/json", ID_HEADER: msg_id,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: " ".join(sign(s, body, msg_id=msg_id, timestamp=timestamp)
                                       for s in keys),
            IDEMPOTENCY_HEADER: msg_id}


def _signatures(header: str) -> list[bytes]:
    """The v1 signatures in a webhook-signature header; others (future versions) are skipped."""
    found = []
    for part in header.split():
        version, _, value = part.partition(",")
        if version != "v1":
            continue
        try:
            found.append(base64.b64decode(value, validate=True))
        except (binascii.Error, ValueError):
            continue
    return found


def signature_problem(secrets_: str | Sequence[str], body: bytes, *, msg_id: str | None,
                      timestamp: str | int | None, signature: str | None,
                      now: datetime | float, window: float = REPLAY_WINDOW_SECONDS
                      ) -> str | None:
    """Why this message is not authentic under any of the secrets, or None when it is."""
    if not msg_id or timestamp is None or not signature:
        return f"missing {ID_HEADER}, {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header"
    try:
        stamp = int(timestamp)
    except ValueError:
        return f"{TIMESTAMP_HEADER} must be unix seconds"
    current = now.timestamp() if isinstance(now, datetime) else now
    if abs(current - stamp) > window:
        return f"{TIMESTAMP_HEADER} is outside the {window:.0f}-second replay window"
    sent = _signatures(signature)
    keys = [secrets_] if isinstance(secrets_, str) else list(secrets_)
    for secret in keys:
        expected = base64.b64decode(sign(secret, body, msg_id=msg_id, timestamp=stamp)[3:])
        # compare_digest takes the same time whatever the first wrong byte.
        if any(hmac.compare_digest(expected, given) for given in sent):
            return None
    return "signature does not match the message"


def verify(secrets_: str | Sequence[str], body: bytes, *, msg_id: str | None,
           timestamp: str | int | None, signature: str | None, now: datetime | float,
           window: float = REPLAY_WINDOW_SECONDS) -> bool:
    """For partners (and tests): is this a genuine, fresh message from the other side?"""
    return signature_problem(secrets_, body, msg_id=msg_id, timestamp=timestamp,
                             signature=signature, now=now, window=window) is None


# --- the document ---------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def share_document(*, share_id: int, kind: str, from_agency: str, to_agency: str,
                   subject: dict[str, Any], lawful_basis: str, purpose: str, reason: str,
                   created_at: datetime, due_at: datetime, idempotency_key: str
                   ) -> dict[str, Any]:
    """What a partner system receives: the share's minimal content and why it was shared
    (the share's columns and its duty's reason and due time, as the worker reads them)."""
    return {
        "share_id": share_id, "kind": kind, "from_agency": from_agency,
        "to_agency": to_agency, "subject": subject,
        "lawful_basis": lawful_basis, "purpose": purpose, "reason": reason,
        "created_at": _iso(created_at), "due_at": _iso(due_at),
        "idempotency_key": idempotency_key,
        "acknowledge": f"/api/v1/shares/{share_id}/acknowledgement",
    }


# --- endpoints ------------------------------------------------------------------------------

def set_endpoint(session: Session, *, agency_id: str, url: str
                 ) -> tuple[WebhookEndpoint, str]:
    """Point an agency's shares at a URL with a fresh secret (returned once, to hand over).
    Any previous secret stops working at once: use `rotate_secret` for a rollover."""
    agency_id = known_agency(session, agency_id=agency_id).id
    url = url.strip()
    if not url.startswith(("https://", "http://")) or len(url) <= len("https://"):
        raise Invalid(f"the URL {url!r} must start with https:// (or http:// for local "
                      "testing) and name a host")
    if len(url) > URL_MAX:
        raise Invalid(f"the URL is {len(url)} characters long: at most {URL_MAX}")
    secret = new_secret()
    endpoint = session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.agency_id == agency_id))
    if endpoint is None:
        endpoint = WebhookEndpoint(agency_id=agency_id, url=url, secret=secret, active=True)
        session.add(endpoint)
    else:
        endpoint.url, endpoint.secret, endpoint.active = url, secret, True
    endpoint.previous_secret, endpoint.previous_valid_until = None, None
    session.flush()
    return endpoint, secret


def _endpoint_of(session: Session, agency_id: str) -> WebhookEndpoint:
    # An unknown agency is told apart from a known one without an endpoint, naming the agencies.
    agency_id = known_agency(session, agency_id=agency_id).id
    endpoint = session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.agency_id == agency_id))
    if endpoint is None:
        raise NotFound(f"agency {agency_id} has no webhook endpoint")
    return endpoint


def rotate_secret(session: Session, *, agency_id: str, now: datetime,
                  keep_previous: timedelta = DEFAULT_ROLLOVER) -> tuple[WebhookEndpoint, str]:
    """Make a new secret current (returned once); the current one stays valid for
    `keep_previous` or until retired, so the partner can switch without losing a message."""
    endpoint = _endpoint_of(session, agency_id)
    secret = new_secret()
    endpoint.previous_secret, endpoint.secret = endpoint.secret, secret
    endpoint.previous_valid_until = now + keep_previous
    session.flush()
    return endpoint, secret


def retire_secret(session: Session, *, agency_id: str) -> WebhookEndpoint:
    """End a rollover: only the current secret is valid from now on."""
    endpoint = _endpoint_of(session, agency_id)
    endpoint.previous_secret, endpoint.previous_valid_until = None, None
    session.flush()
    return endpoint


def valid_secrets(endpoint: WebhookEndpoint, *, now: datetime) -> tuple[str, ...]:
    """The current secret, and the previous one while its rollover lasts."""
    return secrets_in_force(endpoint.secret, endpoint.previous_secret,
                            endpoint.previous_valid_until, now=now)


def secrets_in_force(secret: str, previous: str | None, previous_valid_until: datetime | None,
                     *, now: datetime) -> tuple[str, ...]:
    """`valid_secrets` from an endpoint's columns (the delivery worker reads no objects)."""
    if previous and (previous_valid_until is None or now < previous_valid_until):
        return (secret, previous)
    return (secret,)


def list_endpoints(session: Session) -> list[WebhookEndpoint]:
    return list(session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.agency_id)))


def endpoint_for(session: Session, *, agency_id: str) -> WebhookEndpoint | None:
    return session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.agency_id == agency_id, WebhookEndpoint.active.is_(True)))


# --- acknowledgement by a partner system ----------------------------------------------------

class AcknowledgementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    idempotency_key: str = Field(min_length=1, max_length=80)
    received_at: AwareDatetime
    note: str | None = Field(default=None, max_length=4000)


class AcknowledgementOut(BaseModel):
    share_id: int
    acknowledged_at: datetime
    acknowledged_by: str
    acknowledged_by_name: str  # the actor's name and agency (access/names.py)
    already_acknowledged: bool


class Unauthentic(Exception):
    """The acknowledgement's signature or timestamp is wrong: 401, nothing changes."""


class Malformed(Exception):
    """The acknowledgement's body is refused, each problem a field and its reason: 422,
    nothing changes."""

    def __init__(self, problems: list[dict[str, str]]) -> None:
        super().__init__("; ".join(f"{p['field']}: {p['reason']}" for p in problems))
        self.problems = problems


def verify_acknowledgement(
    session: Session, *, share_id: int, principal: Principal, body: bytes,
    msg_id: str | None, timestamp: str | None, signature: str | None, now: datetime,
) -> tuple[Share, AcknowledgementIn]:
    """Check, in order, who is asking, about which share, with what; nothing changes here
    (the caller discharges the duty last, by the same function as a user's click)."""
    endpoint = endpoint_for(session, agency_id=principal.agency_id)
    if endpoint is not None:
        problem = signature_problem(valid_secrets(endpoint, now=now), body, msg_id=msg_id,
                                    timestamp=timestamp, signature=signature, now=now)
        if problem:
            raise Unauthentic(problem)
    share = session.get(Share, share_id)
    # Another agency's share is "not found", not "forbidden": its existence is not disclosed.
    if share is None or share.to_agency_id != principal.agency_id:
        raise NotFound(f"share {share_id} not found")
    keys = set(session.scalars(select(Delivery.idempotency_key).where(
        Delivery.share_id == share.id)))
    if endpoint is not None:
        # The signature covers the message id; it must be this share's, so an acknowledgement
        # signed for one share is refused for every other.
        keys.add(idempotency_key(share.id, endpoint.id))
        if msg_id not in keys:
            raise Unauthentic(f"{ID_HEADER} is not the id share {share_id} was sent with")
    ack = _parse(body)
    if keys and ack.idempotency_key not in keys:
        raise _invalid("idempotency_key", "does not match the key this share was sent with")
    if ack.received_at > now + timedelta(seconds=REPLAY_WINDOW_SECONDS):
        raise _invalid("received_at", "is in the future")
    return share, ack


def _invalid(field: str, reason: str) -> Malformed:
    return Malformed([{"field": field, "reason": reason}])


def _parse(body: bytes) -> AcknowledgementIn:
    try:
        return AcknowledgementIn.model_validate_json(body)
    except ValidationError as error:
        problems = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]}
                    for e in error.errors()]
        raise Malformed(problems) from None
