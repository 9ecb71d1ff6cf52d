"""Server-side sessions: sign-out, disabling a user and changing their roles end them.

The signed cookie carries only a random token; the `user_sessions` row it names is checked on
every request (no cache), so a session revoked here is refused at its very next request. A
session also ends when what it was granted on changes: the user's roles, agency, password or
active flag (a fingerprint of them, `grant`, is compared on each request), so however a user
is changed — by a command, a page or SQL — their sessions end with it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from safeguard.access.models import User, UserSession

# Ended sessions are kept this long after they would have expired (a record of who was
# signed in when), then deleted as new sessions begin.
KEEP_ENDED = timedelta(days=30)
# last_seen_at is written at most this often: a write per request would queue every page
# behind the SQLite write lock for a timestamp nobody needs to the second.
TOUCH_EVERY = timedelta(seconds=60)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def grant_of(user: User) -> str:
    """What a session was granted on; any change ends the user's sessions."""
    held = "\x1f".join((user.agency_id, " ".join(sorted(user.roles.split())),
                        user.password_hash, "active" if user.active else "disabled"))
    return hashlib.sha256(held.encode()).hexdigest()


def start_session(session: Session, *, user: User, now: datetime, max_age: timedelta
                  ) -> str:
    """A new session for a user who has just signed in; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.execute(delete(UserSession).where(UserSession.expires_at < now - KEEP_ENDED))
    session.add(UserSession(token_hash=_hash(token), user_id=user.id, grant=grant_of(user),
                            created_at=now, last_seen_at=now, expires_at=now + max_age))
    session.flush()
    return token


@dataclass(frozen=True)
class Current:
    user: User
    session_id: int


@dataclass(frozen=True)
class Ended:
    """No session: `why` it ended now (written on its row: the caller commits that, so a
    user disabled and enabled again, or given back their roles, does not revive it), or None
    when there is no such session or it had already ended."""

    why: str | None = None


def current_user(session: Session, *, token: str, now: datetime, idle: timedelta
                 ) -> Current | Ended:
    """The user a session token signs in, or why not: revoked, expired, idle too long, or
    the user changed since it began."""
    row = session.scalar(select(UserSession).where(UserSession.token_hash == _hash(token)))
    if row is None or row.revoked_at is not None:
        return Ended()
    user = session.get(User, row.user_id)
    why = None
    if user is None or not user.active:
        why = "user disabled"
    elif row.grant != grant_of(user):
        why = "roles, agency or password changed"
    elif now >= row.expires_at:
        why = "expired"
    elif now >= row.last_seen_at + idle:
        why = "idle"
    if why is not None or user is None:
        row.revoked_at, row.revoked_why = now, why
        session.flush()
        return Ended(why)
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return Current(user, row.id)


def end_session(session: Session, *, token: str, now: datetime, why: str = "signed out"
                ) -> None:
    session.execute(update(UserSession)
                    .where(UserSession.token_hash == _hash(token),
                           UserSession.revoked_at.is_(None))
                    .values(revoked_at=now, revoked_why=why)
                    .execution_options(synchronize_session=False))


def end_sessions_of(session: Session, *, user_id: int, now: datetime, why: str) -> int:
    """End every live session of a user (disabled, roles changed, signed out everywhere)."""
    result = session.execute(update(UserSession)
                             .where(UserSession.user_id == user_id,
                                    UserSession.revoked_at.is_(None))
                             .values(revoked_at=now, revoked_why=why)
                             .execution_options(synchronize_session=False))
    return int(getattr(result, "rowcount", 0) or 0)
