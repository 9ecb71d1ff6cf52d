"""Break-glass: seeing a child with no relationship to them, for a reason, for a while.

An agency sees a child through a relationship: its own records of them, or a duty or share
addressed to it (``children.service._visible``). Anything else is break-glass: a signed-in
person states why, gets sight of that one child for ``Settings.break_glass_hours``, and the
information-governance role at their agency is alerted at once (a ``Notification``) and
reviews every use on ``/break-glass``. Nothing here is ever deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, false, select
from sqlalchemy.orm import Session

from safeguard.access.models import Role
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.children.models import BreakGlass
from safeguard.duties.models import Notification
from safeguard.errors import Forbidden, Invalid, NotFound
from safeguard.people.models import Person
from safeguard.workdays import LONDON

REVIEWER_ROLE = Role.INFORMATION_GOVERNANCE
NOTIFICATION_KIND = "break_glass"
REASON_MIN, REASON_MAX = 10, 2000
REASON_NEEDED = ("Give the reason you need to see this child’s records "
                 "(%(min)s to %(max)s characters).")


def grant_condition(principal: Principal, now: datetime) -> ColumnElement[bool]:
    """SQL condition: the principal holds a live break-glass grant for Person. Only people
    break glass (a system key has no one to account for the reason)."""
    if principal.kind != "user":
        return false()
    return exists().where(BreakGlass.person_id == Person.id,
                          BreakGlass.user_id == principal.id, BreakGlass.expires_at > now)


def live_grant(session: Session, *, principal: Principal, person_id: int,
               now: datetime) -> BreakGlass | None:
    """The principal's live grant for this child, if their sight of the child is by one."""
    if principal.kind != "user":
        return None
    return session.scalar(select(BreakGlass).where(
        BreakGlass.person_id == person_id, BreakGlass.user_id == principal.id,
        BreakGlass.expires_at > now).order_by(BreakGlass.expires_at.desc()).limit(1))


def break_glass(session: Session, *, principal: Principal, person_id: int, reason: str,
                now: datetime, hours: float) -> BreakGlass:
    """Grant sight of one child for `hours`, alert information governance and audit it."""
    if principal.kind != "user":
        raise Forbidden("Break-glass access is for a signed-in person, who must give a reason.")
    reason = " ".join(reason.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise Invalid(REASON_NEEDED % {"min": REASON_MIN, "max": REASON_MAX})
    if session.get(Person, person_id) is None:
        raise NotFound(f"person {person_id} not found")
    grant = BreakGlass(person_id=person_id, user_id=principal.id, actor=principal.actor,
                       agency_id=principal.agency_id, reason=reason, granted_at=now,
                       expires_at=now + timedelta(hours=hours))
    session.add(grant)
    until = grant.expires_at.astimezone(LONDON)
    session.add(Notification(
        agency_id=principal.agency_id, role=REVIEWER_ROLE.value, duty_id=None,
        kind=NOTIFICATION_KIND, created_at=now,
        message=(f"Break-glass: {principal.display_name} ({principal.actor}) opened the "
                 f"records of person {person_id} until {until:%d %b %Y %H:%M}. Reason: "
                 f"{reason}")))
    session.flush()
    audit(session, principal=principal, action="break_glass", entity="person",
          entity_id=person_id, person_id=person_id,
          why=f"break-glass {grant.id} until {grant.expires_at.isoformat()}: {reason}")
    return grant


def require_reviewer(principal: Principal) -> None:
    if principal.kind != "user" or not principal.has_role(REVIEWER_ROLE):
        raise Forbidden("Only information governance reviews break-glass access.")


def grants_for_review(session: Session, *, principal: Principal, unreviewed_only: bool = False,
                      limit: int = 200) -> list[BreakGlass]:
    """Every break-glass use at the reviewer's agency, newest first."""
    require_reviewer(principal)
    query = select(BreakGlass).where(BreakGlass.agency_id == principal.agency_id)
    if unreviewed_only:
        query = query.where(BreakGlass.reviewed_at.is_(None))
    grants = list(session.scalars(query.order_by(BreakGlass.granted_at.desc(),
                                                 BreakGlass.id.desc()).limit(limit)))
    # A reason may say something about the child: listing it is a read of their data.
    record_many(session, principal=principal, action="read", entity="break_glass",
                person_ids=[g.person_id for g in grants], why="break-glass review list")
    return grants


def mark_reviewed(session: Session, *, principal: Principal, grant_id: int, note: str,
                  now: datetime) -> BreakGlass:
    require_reviewer(principal)
    grant = session.get(BreakGlass, grant_id)
    if grant is None or grant.agency_id != principal.agency_id:
        raise NotFound(f"break-glass {grant_id} not found")
    if grant.reviewed_at is not None:
        return grant  # a repeated form: the first review stands
    grant.reviewed_at, grant.reviewed_by = now, principal.actor
    grant.review_note = " ".join(note.split())[:REASON_MAX] or None
    audit(session, principal=principal, action="review", entity="break_glass",
          entity_id=grant.id, person_id=grant.person_id,
          why=f"reviewed break-glass {grant.id}" + (f": {grant.review_note}"
                                                    if grant.review_note else ""))
    return grant
