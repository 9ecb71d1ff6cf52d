"""Partner systems: the signed share document, their webhook endpoints, and their acknowledgements.

A share is POSTed as canonical JSON (sorted keys, no spaces) so that the bytes signed are the
bytes sent. The signature is HMAC-SHA256 with the agency's secret over
``f"{timestamp}.{body}"``: binding the timestamp stops an old, captured request being replayed
outside the window. The same scheme signs a partner's acknowledgement coming back.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import HTTPException
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.service import Principal
from safeguard.duties.models import Duty
from safeguard.errors import NotFound
from safeguard.sharing.models import Delivery, Share, WebhookEndpoint

SIGNATURE_HEADER = "X-Safeguard-Signature"
TIMESTAMP_HEADER = "X-Safeguard-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"
REPLAY_WINDOW_SECONDS = 300.0


# --- signing ------------------------------------------------------------------------------

def new_secret() -> str:
    return secrets.token_urlsafe(32)


def canonical_json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode("utf-8")


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signed_headers(secret: str, body: bytes, *, timestamp: int, idempotency_key: str
                   ) -> dict[str, str]:
    return {"Content-Type": "application/json", TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret, body, timestamp), IDEMPOTENCY_HEADER: idempotency_key}


def signature_problem(secret: str, body: bytes, timestamp: str | int | None,
                      signature: str | None, now: datetime | float,
                      window: float = REPLAY_WINDOW_SECONDS) -> str | None:
    """Why this request is not authentic, or None when it is."""
    if timestamp is None or signature is None:
        return f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header"
    try:
        stamp = int(timestamp)
    except ValueError:
        return f"{TIMESTAMP_HEADER} must be unix seconds"
    current = now.timestamp() if isinstance(now, datetime) else now
    if abs(current - stamp) > window:
        return f"{TIMESTAMP_HEADER} is outside the {window:.0f}-second replay window"
    # compare_digest takes the same time whatever the first wrong character.
    if not hmac.compare_digest(sign(secret, body, stamp), signature):
        return "signature does not match the body"
    return None


def verify(secret: str, body: bytes, timestamp: str | int | None, signature: str | None,
           now: datetime | float, window: float = REPLAY_WINDOW_SECONDS) -> bool:
    """For partners (and tests): is this a genuine, fresh request from the other side?"""
    return signature_problem(secret, body, timestamp, signature, now, window) is None


# --- the document ---------------------------------------------------------------------------

def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


def share_document(share: Share, duty: Duty, *, idempotency_key: str) -> dict[str, Any]:
    """What a partner system receives: the share's minimal content and why it was shared."""
    return {
        "share_id": share.id, "kind": share.kind, "from_agency": share.from_agency_id,
        "to_agency": share.to_agency_id, "subject": share.content,
        "lawful_basis": share.lawful_basis, "purpose": share.purpose, "reason": duty.reason,
        "created_at": _iso(share.created_at), "due_at": _iso(duty.due_at),
        "idempotency_key": idempotency_key,
        "acknowledge": f"/api/v1/shares/{share.id}/acknowledgement",
    }


# --- endpoints ------------------------------------------------------------------------------

def set_endpoint(session: Session, *, agency_id: str, url: str
                 ) -> tuple[WebhookEndpoint, str]:
    """Point an agency's shares at a URL with a fresh secret (returned once, to hand over)."""
    if session.get(Agency, agency_id) is None:
        raise NotFound(f"agency {agency_id} not found")
    if not url.startswith(("https://", "http://")):
        raise ValueError("the URL must start with https:// (or http:// for local testing)")
    secret = new_secret()
    endpoint = session.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.agency_id == agency_id))
    if endpoint is None:
        endpoint = WebhookEndpoint(agency_id=agency_id, url=url, secret=secret, active=True)
        session.add(endpoint)
    else:
        endpoint.url, endpoint.secret, endpoint.active = url, secret, True
    session.flush()
    return endpoint, secret


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
    already_acknowledged: bool


class Unauthentic(Exception):
    """The acknowledgement's signature or timestamp is wrong: 401, nothing changes."""


def verify_acknowledgement(
    session: Session, *, share_id: int, principal: Principal, body: bytes,
    timestamp: str | None, signature: str | None, now: datetime,
) -> tuple[Share, AcknowledgementIn]:
    """Check, in order, who is asking, about which share, with what; nothing changes here
    (the caller discharges the duty last, by the same function as a user's click)."""
    endpoint = endpoint_for(session, agency_id=principal.agency_id)
    if endpoint is not None:
        problem = signature_problem(endpoint.secret, body, timestamp, signature, now)
        if problem:
            raise Unauthentic(problem)
    share = session.get(Share, share_id)
    # Another agency's share is "not found", not "forbidden": its existence is not disclosed.
    if share is None or share.to_agency_id != principal.agency_id:
        raise NotFound(f"share {share_id} not found")
    ack = _parse(body)
    keys = set(session.scalars(select(Delivery.idempotency_key).where(
        Delivery.share_id == share.id)))
    if keys and ack.idempotency_key not in keys:
        raise _invalid("idempotency_key", "does not match the key this share was sent with")
    if ack.received_at > now + timedelta(seconds=REPLAY_WINDOW_SECONDS):
        raise _invalid("received_at", "is in the future")
    return share, ack


def _invalid(field: str, reason: str) -> HTTPException:
    return HTTPException(422, [{"field": field, "reason": reason}])


def _parse(body: bytes) -> AcknowledgementIn:
    try:
        return AcknowledgementIn.model_validate_json(body)
    except ValidationError as error:
        problems = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "reason": e["msg"]}
                    for e in error.errors()]
        raise HTTPException(422, problems) from None
