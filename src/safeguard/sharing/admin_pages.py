"""The administrator's page of webhook deliveries: filter by status, re-drive dead ones."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from safeguard.sharing.delivery import list_deliveries, redrive, require_admin
from safeguard.web.deps import CsrfDep, NowDep, SessionDep, UserDep
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 100
STATUS_CHOICES = (("dead", "Dead (needs re-driving)"), ("pending", "Pending"),
                  ("delivered", "Delivered"), ("withdrawn", "Withdrawn (duplicate)"),
                  ("all", "All"))


@router.get("/admin/deliveries", response_class=HTMLResponse)
def deliveries_page(request: Request, session: SessionDep, principal: UserDep,
                    status: str = "dead", redriven: str = "") -> HTMLResponse:
    require_admin(principal)
    status = status if status in dict(STATUS_CHOICES) else "dead"
    rows, total = list_deliveries(session, principal=principal,
                                  status=None if status == "all" else status, limit=PAGE_SIZE)
    ctx: dict[str, Any] = {"rows": rows, "total": total, "status": status,
                           "status_choices": STATUS_CHOICES,
                           "redriven": int(redriven) if redriven.isdigit() else None}
    return render(request, "admin/deliveries.html", {"nav": "admin", **ctx}, principal=principal)


@router.post("/admin/deliveries/{delivery_id}/redrive", dependencies=[CsrfDep])
def redrive_page(delivery_id: int, session: SessionDep, principal: UserDep, now: NowDep
                 ) -> RedirectResponse:
    redrive(session, delivery_id=delivery_id, principal=principal, now=now)
    return RedirectResponse(f"/admin/deliveries?status=dead&redriven={delivery_id}",
                            status_code=303)
