"""Partners acknowledge shares through the JSON API with their API key, signed like the share
when their agency has a webhook endpoint. Every refusal is a clear 4xx and changes nothing."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.models import Agency
from safeguard.access.service import create_api_key
from safeguard.duties.models import DISCHARGED, Duty, DutyTransition
from safeguard.intake.service import IntakeContext
from safeguard.sharing.models import Delivery, Share
from safeguard.sharing.webhooks import set_endpoint, signed_headers

from ..app_client import AppClient
from ..conftest import Clock
from .test_delivery_receiver import CSC, SCHOOL_AGENCY, record_incidents


class Partner:
    """A partner's system: its API key and, when its agency has an endpoint, the endpoint's
    id and secret (the message id it signs is the share's idempotency key)."""

    def __init__(self, client: AppClient, clock: Clock, key: str, secret: str | None,
                 endpoint_id: int = 0) -> None:
        self.client, self.clock, self.key, self.secret = client, clock, key, secret
        self.endpoint_id = endpoint_id

    def acknowledge(self, share_id: int, payload: dict[str, Any] | bytes, *,
                    secret: str | None = None, skew: float = 0, signed: bool = True,
                    msg_id: str | None = None) -> Any:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        headers = {"Authorization": f"Bearer {self.key}", "Content-Type": "application/json"}
        if signed and (secret or self.secret):
            stamp = int(self.clock.now.timestamp() + skew)
            headers.update(signed_headers(secret or self.secret or "", body,
                                          msg_id=msg_id or f"share-{share_id}-{self.endpoint_id}",
                                          timestamp=stamp))
        return self.client.post(f"/api/v1/shares/{share_id}/acknowledgement", content=body,
                                headers=headers)


@pytest.fixture
def setup(session: Session, factory: sessionmaker[Session], ctx: IntakeContext
          ) -> tuple[Share, Delivery, str, str]:
    record_incidents(factory, ctx, 0)
    _, secret = set_endpoint(session, agency_id=CSC, url="https://csc.example.org/hook")
    session.commit()
    record_incidents(factory, ctx, 1)
    share = session.scalars(select(Share).where(Share.to_agency_id == CSC)).one()
    delivery = session.scalars(select(Delivery).where(Delivery.share_id == share.id)).one()
    _, key = create_api_key(session, agency_id=CSC, name="CSC case system")
    session.commit()
    return share, delivery, key, secret


def good_ack(delivery: Delivery, clock: Clock) -> dict[str, Any]:
    return {"idempotency_key": delivery.idempotency_key,
            "received_at": (clock.now - timedelta(seconds=5)).isoformat(), "note": "On file."}


def state(session: Session, share: Share) -> tuple[Any, ...]:
    session.expire_all()
    fresh = session.get_one(Share, share.id)
    duty = session.get_one(Duty, fresh.duty_id)
    transitions = session.scalar(select(func.count()).select_from(DutyTransition)
                                 .where(DutyTransition.duty_id == duty.id))
    return fresh.acknowledged_at, fresh.acknowledged_by, duty.status, transitions


def test_a_signed_acknowledgement_discharges_the_sharing_duty_once(
        setup: tuple[Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session) -> None:
    share, delivery, key, secret = setup
    partner = Partner(client, clock, key, secret, delivery.endpoint_id)
    response = partner.acknowledge(share.id, good_ack(delivery, clock))
    assert response.status_code == 200, response.text
    assert response.json() == {"share_id": share.id, "acknowledged_at": "2026-11-27T23:55:00Z",
                               "acknowledged_by": response.json()["acknowledged_by"],
                               "acknowledged_by_name": "CSC case system, "
                               + session.get_one(Agency, CSC).name,
                               "already_acknowledged": False}
    acknowledged_at, by, status, _ = state(session, share)
    assert (acknowledged_at, status) == (clock.now, DISCHARGED)
    assert by is not None and by.startswith("api_key:")
    duty = session.get_one(Duty, share.duty_id)
    assert duty.discharge_note == ("Received by CSC case system at 2026-11-27T23:54:55+00:00. "
                                   "On file.")
    # Sent again later (the partner did not see our answer): the original acknowledgement.
    before = state(session, share)
    clock.now += timedelta(minutes=10)
    again = partner.acknowledge(share.id, good_ack(delivery, clock))
    assert again.status_code == 200
    assert again.json()["already_acknowledged"] is True
    assert again.json()["acknowledged_by_name"] == response.json()["acknowledged_by_name"]
    assert again.json()["acknowledged_at"] == "2026-11-27T23:55:00Z"
    assert state(session, share) == before


@pytest.mark.parametrize(("change", "field"), [
    ({"received_at": None}, "received_at"),
    ({"received_at": "2026-11-27T23:00:00"}, "received_at"),  # no UTC offset
    ({"received_at": "2026-11-29T23:00:00+00:00"}, "received_at"),  # in the future
    ({"idempotency_key": "share-999-1"}, "idempotency_key"),
    ({"idempotency_key": ""}, "idempotency_key"),
    ({"extra": "field"}, "extra"),
])
def test_a_malformed_acknowledgement_is_refused_with_its_field_and_changes_nothing(
        setup: tuple[Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session, change: dict[str, Any], field: str) -> None:
    share, delivery, key, secret = setup
    before = state(session, share)
    body = {k: v for k, v in {**good_ack(delivery, clock), **change}.items() if v is not None}
    partner = Partner(client, clock, key, secret, delivery.endpoint_id)
    response = partner.acknowledge(share.id, body)
    assert response.status_code == 422, response.text
    assert [p["field"] for p in response.json()["detail"]] == [field]
    assert all(p["reason"] for p in response.json()["detail"])
    assert state(session, share) == before


def test_a_body_that_is_not_json_is_refused(
        setup: tuple[Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session) -> None:
    share, delivery, key, secret = setup
    before = state(session, share)
    partner = Partner(client, clock, key, secret, delivery.endpoint_id)
    response = partner.acknowledge(share.id, b"{not json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "body"
    assert state(session, share) == before


@pytest.mark.parametrize("how", ["unsigned", "wrong secret", "stale", "from the future",
                                 "tampered", "another share's id"])
def test_a_badly_signed_acknowledgement_is_refused_and_changes_nothing(
        setup: tuple[Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session, how: str) -> None:
    share, delivery, key, secret = setup
    partner = Partner(client, clock, key, secret, delivery.endpoint_id)
    before = state(session, share)
    ack = good_ack(delivery, clock)
    if how == "unsigned":
        response = partner.acknowledge(share.id, ack, signed=False)
    elif how == "wrong secret":
        response = partner.acknowledge(share.id, ack, secret="guessed")
    elif how == "stale":
        response = partner.acknowledge(share.id, ack, skew=-301)
    elif how == "from the future":
        response = partner.acknowledge(share.id, ack, skew=301)
    elif how == "another share's id":
        response = partner.acknowledge(share.id, ack,
                                       msg_id=f"share-{share.id + 1}-{delivery.endpoint_id}")
    else:
        stamp = int(clock.now.timestamp())
        body = json.dumps(ack).encode()
        response = client.post(
            f"/api/v1/shares/{share.id}/acknowledgement", content=body.replace(b"On", b"Of"),
            headers={"Authorization": f"Bearer {key}", **signed_headers(
                secret, body, msg_id=delivery.idempotency_key, timestamp=stamp)})
    assert response.status_code == 401, response.text
    assert state(session, share) == before


def test_another_agency_cannot_acknowledge_a_share_or_learn_it_exists(
        setup: tuple[Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session) -> None:
    share, delivery, _, _ = setup
    _, health_key = create_api_key(session, agency_id="health", name="Health system")
    session.commit()
    before = state(session, share)
    health = Partner(client, clock, health_key, None)
    assert health.acknowledge(share.id, good_ack(delivery, clock)).status_code == 404
    assert health.acknowledge(share.id + 1000, good_ack(delivery, clock)).status_code == 404
    assert client.post(f"/api/v1/shares/{share.id}/acknowledgement",
                       json=good_ack(delivery, clock)).status_code == 401  # no key at all
    assert state(session, share) == before


def test_an_agency_without_an_endpoint_acknowledges_with_its_key_alone(
        setup: tuple[Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session) -> None:
    school_share = session.scalars(select(Share).where(Share.to_agency_id == SCHOOL_AGENCY)
                                   ).one()
    _, key = create_api_key(session, agency_id=SCHOOL_AGENCY, name="School MIS")
    session.commit()
    response = Partner(client, clock, key, None).acknowledge(school_share.id, {
        "idempotency_key": "mis-1", "received_at": clock.now.isoformat()})
    assert response.status_code == 200, response.text
    assert state(session, school_share)[2] == DISCHARGED
