"""Finding 4: one rule for acknowledging a share, on every route, and signatures that name
the share (Standard Webhooks: msg_id.timestamp.body) with secret rotation.

A partner system (an API key of an agency with a webhook endpoint) acknowledges a share only
through the signed acknowledgement; the generic discharge API refuses it, saying why. A person
signed in to the partner's inbox still acknowledges with a click."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import create_api_key
from safeguard.db import transaction, utcnow
from safeguard.duties.models import DISCHARGED, OPEN
from safeguard.intake.service import IntakeContext
from safeguard.sharing.delivery import claim_due, send
from safeguard.sharing.models import Delivery, Share
from safeguard.sharing.webhooks import (
    ID_HEADER,
    SIGNATURE_HEADER,
    retire_secret,
    rotate_secret,
    set_endpoint,
    signed_headers,
    verify,
)

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..sharing.test_delivery_receiver import CSC, SCHOOL_AGENCY, record_incidents
from ..sharing.test_webhook_acknowledgement import Partner, good_ack, state


@pytest.fixture
def shares(session: Session, factory: sessionmaker[Session], ctx: IntakeContext
           ) -> tuple[Share, Share, Delivery, str, str]:
    """Two shares to children's social care: one sent before it had an endpoint (no
    delivery), one sent by webhook; its system's API key and the endpoint's secret."""
    record_incidents(factory, ctx, 1, start=50)
    _, secret = set_endpoint(session, agency_id=CSC, url="https://csc.example.org/hook")
    session.commit()
    record_incidents(factory, ctx, 1)
    earlier, sent = session.scalars(select(Share).where(Share.to_agency_id == CSC)
                                    .order_by(Share.id)).all()
    delivery = session.scalars(select(Delivery).where(Delivery.share_id == sent.id)).one()
    _, key = create_api_key(session, agency_id=CSC, name="CSC case system")
    session.commit()
    return earlier, sent, delivery, key, secret


def test_it_refuses_a_partner_systems_api_key_discharging_a_share_through_the_duty_api(
        shares: tuple[Share, Share, Delivery, str, str], client: AppClient,
        session: Session) -> None:
    _, share, _, key, _ = shares
    before = state(session, share)
    response = client.post(f"/api/v1/duties/{share.duty_id}/discharge", json={},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 403, response.text
    why = response.json()["detail"]
    assert "receives shares by webhook" in why
    assert f"/api/v1/shares/{share.id}/acknowledgement" in why and "webhook-signature" in why
    assert state(session, share) == before and before[2] == OPEN


def test_a_partner_without_an_endpoint_still_discharges_a_share_with_its_api_key(
        shares: tuple[Share, Share, Delivery, str, str], client: AppClient,
        session: Session) -> None:
    school_share = session.scalars(select(Share).where(Share.to_agency_id == SCHOOL_AGENCY)
                                   ).first()
    assert school_share is not None
    _, key = create_api_key(session, agency_id=SCHOOL_AGENCY, name="School MIS")
    session.commit()
    response = client.post(f"/api/v1/duties/{school_share.duty_id}/discharge", json={},
                           headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200, response.text
    assert state(session, school_share)[2] == DISCHARGED


def test_a_person_in_the_partners_inbox_still_acknowledges_with_a_click(
        shares: tuple[Share, Share, Delivery, str, str], client: AppClient,
        session: Session) -> None:
    _, share, _, _, _ = shares
    token = sign_in(client, "csc.worker")
    done = client.post(f"/inbox/{share.id}/acknowledge", data={"csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    acknowledged_at, by, status, _ = state(session, share)
    assert acknowledged_at is not None and by == "user:csc.worker" and status == DISCHARGED


def test_an_acknowledgement_signed_for_one_share_is_refused_for_another(
        shares: tuple[Share, Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session) -> None:
    earlier, sent, delivery, key, secret = shares
    body = json.dumps(good_ack(delivery, clock)).encode()
    captured = {"Authorization": f"Bearer {key}", **signed_headers(
        secret, body, msg_id=delivery.idempotency_key, timestamp=int(clock.now.timestamp()))}
    before = state(session, earlier)
    replayed = client.post(f"/api/v1/shares/{earlier.id}/acknowledgement", content=body,
                           headers=captured)
    assert replayed.status_code == 401, replayed.text
    assert ID_HEADER in replayed.json()["detail"]
    assert state(session, earlier) == before
    # The same request for the share it was signed for is accepted.
    genuine = client.post(f"/api/v1/shares/{sent.id}/acknowledgement", content=body,
                          headers=captured)
    assert genuine.status_code == 200, genuine.text


def test_during_a_rollover_either_secret_verifies_and_after_retiring_only_the_new_one(
        shares: tuple[Share, Share, Delivery, str, str], client: AppClient, clock: Clock,
        session: Session) -> None:
    _, share, delivery, key, old = shares
    _, new = rotate_secret(session, agency_id=CSC, now=clock.now)
    session.commit()
    partner = Partner(client, clock, key, old, delivery.endpoint_id)
    stale = partner.acknowledge(share.id, good_ack(delivery, clock), secret=old)
    assert stale.status_code == 200, stale.text  # the previous secret, mid-rollover
    assert partner.acknowledge(share.id, good_ack(delivery, clock),
                               secret=new).status_code == 200  # repeated, with the new one
    retire_secret(session, agency_id=CSC)
    session.commit()
    assert partner.acknowledge(share.id, good_ack(delivery, clock),
                               secret=old).status_code == 401
    assert partner.acknowledge(share.id, good_ack(delivery, clock),
                               secret=new).status_code == 200


def test_outgoing_shares_carry_a_signature_by_every_valid_secret(
        shares: tuple[Share, Share, Delivery, str, str], session: Session,
        factory: sessionmaker[Session]) -> None:
    _, _, delivery, _, old = shares
    start = utcnow()
    _, new = rotate_secret(session, agency_id=CSC, now=start, keep_previous=timedelta(hours=1))
    session.commit()
    seen: list[httpx.Request] = []

    def partner(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200)

    def signers(now: datetime) -> list[str]:
        """Which secrets sign the delivery when the worker claims it at `now`."""
        with transaction(factory) as tx:
            tx.execute(update(Delivery).values(claimed_until=None))
            claimed = claim_due(tx, worker_id="t", now=now, lease_seconds=30, limit=10)
        outgoing = next(o for o in claimed if o.delivery_id == delivery.id)
        at = int(now.timestamp())
        with httpx.Client(transport=httpx.MockTransport(partner)) as http:
            assert send(http, outgoing, timestamp=at).ok
        request = seen[-1]
        assert request.headers[ID_HEADER] == delivery.idempotency_key
        signature = request.headers[SIGNATURE_HEADER]
        assert len(signature.split(" ")) == len(outgoing.secrets)
        return [name for name, secret in (("old", old), ("new", new))
                if verify(secret, request.content, msg_id=delivery.idempotency_key,
                          timestamp=at, signature=signature, now=at)]

    assert signers(start) == ["old", "new"]
    # The rollover lapsed without being retired: the previous secret no longer signs.
    assert signers(start + timedelta(hours=1, seconds=1)) == ["new"]
