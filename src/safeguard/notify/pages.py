"""A person's choice of email notifications (/account/notifications)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from safeguard.access.models import User
from safeguard.access.service import Principal
from safeguard.config import Settings
from safeguard.notify.models import Reason
from safeguard.notify.service import preferences, set_preferences
from safeguard.web.deps import CsrfDep, SessionDep, UserDep, get_wall_now
from safeguard.web.i18n import translations
from safeguard.web.render import render

router = APIRouter(include_in_schema=False)
PATH = "/account/notifications"

# What each choice means, in the words of the page.
CHOICES = {
    Reason.ASSIGNED: ("A duty is assigned to me", None),
    Reason.DUE_SOON: ("A duty I hold is about to breach",
                      "Once per duty, {hours:g} hours before it is due. A duty nobody holds: "
                      "to everyone in the agency who may act on it"),
    Reason.BREACHED: ("A duty I hold breaches",
                      "A duty nobody holds: to everyone in the agency who may act on it"),
    Reason.ESCALATED: ("A breach is escalated to my role, or a duty I hold is escalated",
                       "To supervisors, and to senior managers when a share stays "
                       "unacknowledged"),
    Reason.DIGEST: ("A daily summary",
                    "Each morning at {at:%H:%M}: what is open, due today and breached"),
}


def _context(request: Request, session: Session, principal: Principal, saved: bool
             ) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    chosen = preferences(session, user_id=principal.id)
    user = session.get_one(User, principal.id)
    # The hints are translated before their figures go in (words.py declares the choices).
    words = translations(principal.language).gettext
    items = [{"value": reason.value, "text": words(text), "checked": chosen[reason],
              "hint": {"text": words(hint).format(hours=settings.email.due_soon_hours,
                                                  at=settings.email.digest_at)} if hint else None}
             for reason, (text, hint) in CHOICES.items()]
    return {"page_title": "Email notifications", "items": items, "email": user.email,
            "saved": saved}


@router.get(PATH, response_class=HTMLResponse)
def notification_settings(request: Request, session: SessionDep, principal: UserDep,
                          saved: bool = False) -> HTMLResponse:
    return render(request, "notify/preferences.html",
                  _context(request, session, principal, saved), principal=principal)


@router.post(PATH, dependencies=[CsrfDep], response_model=None)
def save_notification_settings(
    request: Request, session: SessionDep, principal: UserDep,
    reasons: Annotated[list[str] | None, Form()] = None,
) -> Response:
    known = {reason.value: reason for reason in Reason}
    chosen = [known[value] for value in reasons or [] if value in known]
    set_preferences(session, principal=principal, chosen=chosen, now=get_wall_now(request))
    return RedirectResponse(f"{PATH}?saved=true", status_code=303)
