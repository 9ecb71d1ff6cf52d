"""JSON API for partner systems acknowledging the shares they received."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request

from safeguard.casework.service import acknowledge_from_partner_system
from safeguard.sharing.webhooks import (
    ID_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    AcknowledgementIn,
    AcknowledgementOut,
    Malformed,
    Unauthentic,
)
from safeguard.web.deps import NowDep, PrincipalDep, RulesDep, SessionDep

router = APIRouter(prefix="/api/v1/shares", tags=["sharing"])


async def raw_body(request: Request) -> bytes:
    """The signature covers the exact bytes sent, so the route reads them unparsed."""
    return await request.body()


@router.post("/{share_id}/acknowledgement", response_model=AcknowledgementOut,
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": AcknowledgementIn.model_json_schema()}}}})
def api_acknowledge(
    share_id: int, request: Request, session: SessionDep, principal: PrincipalDep,
    now: NowDep, ctx: RulesDep, body: Annotated[bytes, Depends(raw_body)],
) -> AcknowledgementOut:
    """A partner system acknowledges a share it received. When the agency has a webhook
    endpoint the request must be signed (Standard Webhooks: `webhook-id` is the share's
    idempotency key, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
    id.timestamp.body>`), and this is the only way its API keys may acknowledge a share.
    Repeating an acknowledgement returns the original one."""
    try:
        return acknowledge_from_partner_system(
            session, share_id=share_id, principal=principal, body=body, now=now, ctx=ctx,
            msg_id=request.headers.get(ID_HEADER),
            timestamp=request.headers.get(TIMESTAMP_HEADER),
            signature=request.headers.get(SIGNATURE_HEADER))
    except Unauthentic as error:
        raise HTTPException(401, str(error)) from None
    except Malformed as error:
        raise HTTPException(422, error.problems) from None
