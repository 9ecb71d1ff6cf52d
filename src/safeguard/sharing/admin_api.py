"""JSON API for administrators: the webhook deliveries of their agency's shares, and re-driving
dead ones."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from safeguard.sharing.delivery import list_deliveries, redrive
from safeguard.sharing.models import Delivery, Share, WebhookEndpoint
from safeguard.web.deps import NowDep, PrincipalDep, SessionDep

router = APIRouter(prefix="/api/v1/admin/deliveries", tags=["administration"])


class DeliveryOut(BaseModel):
    id: int
    share_id: int
    share_kind: str
    from_agency: str
    to_agency: str
    url: str
    idempotency_key: str
    status: str
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    dead_at: datetime | None


def delivery_out(delivery: Delivery, share: Share, endpoint: WebhookEndpoint) -> DeliveryOut:
    return DeliveryOut(
        id=delivery.id, share_id=share.id, share_kind=share.kind,
        from_agency=share.from_agency_id, to_agency=share.to_agency_id, url=endpoint.url,
        idempotency_key=delivery.idempotency_key, status=delivery.status,
        attempts=delivery.attempts, next_attempt_at=delivery.next_attempt_at,
        last_status_code=delivery.last_status_code, last_error=delivery.last_error,
        created_at=delivery.created_at, delivered_at=delivery.delivered_at,
        dead_at=delivery.dead_at)


@router.get("", response_model=list[DeliveryOut])
def api_list_deliveries(
    session: SessionDep, principal: PrincipalDep,
    status: Annotated[Literal["pending", "delivered", "dead"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[DeliveryOut]:
    """Deliveries of shares the administrator's agency sent or received, newest first."""
    rows, _ = list_deliveries(session, principal=principal, status=status, limit=limit,
                              offset=offset)
    return [delivery_out(*row) for row in rows]


@router.post("/{delivery_id}/redrive", response_model=DeliveryOut)
def api_redrive(delivery_id: int, session: SessionDep, principal: PrincipalDep,
                now: NowDep) -> DeliveryOut:
    """Send a dead delivery again: back to pending with its attempts reset."""
    delivery = redrive(session, delivery_id=delivery_id, principal=principal, now=now)
    share = session.get_one(Share, delivery.share_id)
    return delivery_out(delivery, share, session.get_one(WebhookEndpoint, delivery.endpoint_id))
