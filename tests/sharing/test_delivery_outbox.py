"""The outbox: a delivery is written with its share, in the share's own transaction."""

from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.db import utcnow
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import IntakeContext, accept_event
from safeguard.sharing.models import PENDING, Delivery, Share
from safeguard.sharing.webhooks import set_endpoint

from ..factories import incident_lines
from .test_delivery_receiver import CSC, SCHOOL_AGENCY, record_incidents


def count(session: Session, model: type[Delivery] | type[Share]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_it_queues_a_delivery_for_each_share_to_an_agency_with_an_endpoint(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext) -> None:
    endpoint, _ = set_endpoint(session, agency_id=CSC, url="https://csc.example.org/hook")
    session.commit()
    record_incidents(factory, ctx, 3)
    shares = session.scalars(select(Share).order_by(Share.id)).all()
    deliveries = session.scalars(select(Delivery).order_by(Delivery.id)).all()
    assert sorted({s.to_agency_id for s in shares}) == [CSC, SCHOOL_AGENCY]
    # Only social care has an endpoint: the school's shares stay in the product's inbox.
    assert [d.share_id for d in deliveries] == [s.id for s in shares if s.to_agency_id == CSC]
    assert {d.status for d in deliveries} == {PENDING}
    assert [d.idempotency_key for d in deliveries] == [
        f"share-{d.share_id}-{endpoint.id}" for d in deliveries]


def test_it_writes_no_delivery_when_the_share_s_transaction_rolls_back(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext) -> None:
    record_incidents(factory, ctx, 0)  # the school (and its agency) first
    set_endpoint(session, agency_id=CSC, url="https://csc.example.org/hook")
    set_endpoint(session, agency_id=SCHOOL_AGENCY, url="https://school.example.org/hook")
    session.commit()
    record_incidents(factory, ctx, 1)
    assert count(session, Delivery) == count(session, Share) == 2
    # The same kind of incident again, rolled back: neither its shares nor their sends remain.
    lines = incident_lines(1, start=50)
    nested = session.begin_nested()
    for line in lines[1:]:
        raw = json.loads(line)
        accept_event(session, data=EVENT_ADAPTER.validate_python(raw), raw=raw, via="test",
                     principal=SYSTEM, ctx=ctx, now=utcnow())
    assert count(session, Delivery) == count(session, Share) == 4
    nested.rollback()
    assert count(session, Delivery) == count(session, Share) == 2


def test_it_queues_nothing_for_an_inactive_endpoint(
        session: Session, factory: sessionmaker[Session], ctx: IntakeContext) -> None:
    endpoint, _ = set_endpoint(session, agency_id=CSC, url="https://csc.example.org/hook")
    endpoint.active = False
    session.commit()
    record_incidents(factory, ctx, 2)
    assert count(session, Share) == 4 and count(session, Delivery) == 0
