"""Two-factor sign-in for people: time-based one-time codes (TOTP, RFC 6238) by pyotp.

A user enrols by adding a secret to an authenticator app (typed in, or scanned from a QR
code made by segno) and proving it with a code; from then on every sign-in asks for a code
after the password. An agency (or one user) can be made to require it, and then a user who
has not enrolled enrols at their next sign-in before getting in. Each code is good once: the
30-second step it was accepted for is kept, and no code of that step or earlier is accepted
again, so a code seen over a shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, User, UserTwoFactor
from safeguard.access.security_keys import forget_keys
from safeguard.access.sessions import end_sessions_of
from safeguard.errors import NotFound

ISSUER = "safeguard"
# A code from the step before or after the current one is accepted: phones' clocks drift.
DRIFT_STEPS = 1


def enrolment(session: Session, *, user_id: int) -> UserTwoFactor | None:
    return session.get(UserTwoFactor, user_id)


def is_enrolled(session: Session, *, user_id: int) -> bool:
    row = enrolment(session, user_id=user_id)
    return row is not None and row.secret is not None


def is_required(session: Session, *, user: User) -> bool:
    """Whether the user must sign in with a code: their own flag, or their agency's."""
    row = enrolment(session, user_id=user.id)
    agency = session.get(Agency, user.agency_id)
    return bool((row is not None and row.required)
                or (agency is not None and agency.require_two_factor))


def _row(session: Session, user_id: int) -> UserTwoFactor:
    row = enrolment(session, user_id=user_id)
    if row is None:
        row = UserTwoFactor(user_id=user_id, required=False)
        session.add(row)
    return row


def begin_enrolment(session: Session, *, user_id: int) -> str:
    """The secret the user is adding to their authenticator (the same one until confirmed)."""
    row = _row(session, user_id)
    if row.pending_secret is None:
        row.pending_secret = pyotp.random_base32()
    session.flush()
    return row.pending_secret


def provisioning_uri(secret: str, *, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_code_svg(uri: str) -> str:
    """The otpauth URI as an inline SVG (no script, no external image: the page's content
    security policy need not allow either)."""
    return str(segno.make(uri, error="m").svg_inline(
        scale=4, title="QR code of the secret for your authenticator app"))


def _step_matching(secret: str, code: str, now: datetime, after: int | None) -> int | None:
    """The step whose code this is, if it is one not used before."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        # compare_digest: the time taken does not say how many digits were right.
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step),
                                                                   code):
            return step
    return None


def confirm_enrolment(session: Session, *, user_id: int, code: str, now: datetime) -> bool:
    """Make the pending secret the user's, if the code proves their authenticator holds it."""
    row = enrolment(session, user_id=user_id)
    if row is None or row.pending_secret is None:
        return False
    step = _step_matching(row.pending_secret, code, now, None)
    if step is None:
        return False
    row.secret, row.pending_secret, row.confirmed_at, row.last_step = (
        row.pending_secret, None, now, step)
    session.flush()
    return True


def check_code(session: Session, *, user_id: int, code: str, now: datetime) -> bool:
    row = enrolment(session, user_id=user_id)
    if row is None or row.secret is None:
        return False
    step = _step_matching(row.secret, code, now, row.last_step)
    if step is None:
        return False
    row.last_step = step
    session.flush()
    return True


def reset(session: Session, *, username: str, now: datetime) -> None:
    """Forget a user's authenticator and security keys (a lost phone or key, or one that may
    be copied): they enrol again at their next sign-in if it is required, and their sessions
    end now."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username} not found")
    row = enrolment(session, user_id=user.id)
    if row is not None:
        row.secret = row.pending_secret = row.confirmed_at = row.last_step = None
    forget_keys(session, user_id=user.id)
    end_sessions_of(session, user_id=user.id, now=now, why="two-factor reset")
    session.flush()


def set_required(session: Session, *, required: bool, username: str | None = None,
                 agency_id: str | None = None) -> None:
    """Require (or stop requiring) two-factor sign-in of one user or a whole agency."""
    if agency_id is not None:
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound(f"agency {agency_id} not found")
        agency.require_two_factor = required
    if username is not None:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"user {username} not found")
        _row(session, user.id).required = required
    session.flush()
