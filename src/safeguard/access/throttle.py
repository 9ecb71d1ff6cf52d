"""Throttling password and code guesses, per account and per client address.

Attempts are rows (`sign_in_attempts`), not memory, so the limits hold across every web
process and restart. Past a number of failures each further guess must wait, the wait
doubling with each failure up to a cap: a person who mistypes waits a minute, a guesser gets
a few dozen tries a day at one account. A username is throttled whether or not such a user
exists, and the refusal reads the same either way, so it reveals nothing about accounts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from safeguard.access.models import SignInAttempt
from safeguard.config import SignInSettings

FAILED, SUCCEEDED, REFUSED = "failed", "succeeded", "refused"
# Attempts are kept this long (the record of failed sign-ins, ASVS 16.3.1), then deleted as
# new ones arrive; no throttling window looks back further.
KEEP = timedelta(days=30)


def username_key(username: str) -> str:
    return username.strip().lower()[:100]


def _wait(failures: int, latest: datetime | None, allowed: int, now: datetime,
          policy: SignInSettings) -> float:
    if failures < allowed or latest is None:
        return 0.0
    lockout = min(policy.lockout_max_seconds,
                  policy.lockout_seconds * 2 ** min(failures - allowed, 30))
    return max(0.0, (latest + timedelta(seconds=lockout) - now).total_seconds())


def _failures(session: Session, who: ColumnElement[bool], *, since: datetime
              ) -> tuple[int, datetime | None]:
    count, latest = session.execute(
        select(func.count(), func.max(SignInAttempt.at))
        .where(who, SignInAttempt.outcome == FAILED, SignInAttempt.at >= since)).one()
    return int(count), latest


@dataclass(frozen=True)
class Refusal:
    seconds: int

    @property
    def message(self) -> str:
        minutes = max(1, math.ceil(self.seconds / 60))
        wait = f"{minutes} minute{'s' if minutes != 1 else ''}"
        return f"Too many failed sign-in attempts. Wait {wait}, then try again."


def refusal(session: Session, *, username: str, address: str, now: datetime,
            policy: SignInSettings) -> Refusal | None:
    """Why this guess must wait, or None: checked before the password is, so a guess made
    while refused tells the guesser nothing."""
    key = username_key(username)
    account_since = now - timedelta(seconds=policy.account_window_seconds)
    # A sign-in to the account clears its failures (not its address's: see SignInSettings).
    last_success = session.scalar(select(func.max(SignInAttempt.at)).where(
        SignInAttempt.username == key, SignInAttempt.outcome == SUCCEEDED,
        SignInAttempt.at >= account_since))
    if last_success is not None:
        account_since = last_success
    by_account = _wait(*_failures(session, SignInAttempt.username == key, since=account_since),
                       policy.account_failures, now, policy)
    address_since = now - timedelta(seconds=policy.address_window_seconds)
    by_address = _wait(*_failures(session, SignInAttempt.client_address == address,
                                 since=address_since),
                       policy.address_failures, now, policy)
    wait = max(by_account, by_address)
    return Refusal(math.ceil(wait)) if wait > 0 else None


def record_attempt(session: Session, *, username: str, address: str, now: datetime,
                   outcome: str) -> None:
    session.execute(delete(SignInAttempt).where(SignInAttempt.at < now - KEEP))
    session.add(SignInAttempt(username=username_key(username), client_address=address[:64],
                              at=now, outcome=outcome))
    session.flush()
