"""A strategy discussion about a child that forensic findings concern: the joint kind, of
which a child has one open at a time, so the findings are added to the open one or raise it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeguard.casework.service import raise_duties
from safeguard.duties.models import ONE_OPEN_STRATEGY_DISCUSSION
from safeguard.duties.service import add_evidence, open_strategy_discussion
from safeguard.errors import Conflict
from safeguard.rules.context import RuleContext
from safeguard.rules.forensics import ChildAtRisk, strategy_discussion_duty


def raise_or_add_discussion(session: Session, *, child: ChildAtRisk, evidence: str,
                            event_id: int, ctx: RuleContext, now: datetime, actor: str
                            ) -> list[int]:
    """One open discussion per child: add the findings to the open one, or raise one. Two
    transactions may both raise one; the database's unique index refuses the second, whose
    evidence then goes to the first (in a savepoint, so nothing else is undone)."""
    for _ in range(2):
        open_id = open_strategy_discussion(session, person_id=child.person_id)
        if open_id is not None and add_evidence(session, duty_id=open_id, lines=[evidence],
                                                now=now, actor=actor) is not None:
            return []
        draft = strategy_discussion_duty(
            child, evidence, recorded_at=now, calendar=ctx.calendar,
            working_days=ctx.sharing.strategy_discussion_working_days)
        try:
            with session.begin_nested():
                return raise_duties(session, drafts=[draft], event_id=event_id, now=now,
                                    actor=actor, ctx=ctx).duty_ids
        except IntegrityError as error:
            if not _second_discussion(error):
                raise  # another constraint: a real fault
            # raised meanwhile by another transaction: add to that one
    raise Conflict(f"the strategy discussion for {child.name} kept changing while these "
                   "findings were recorded; record them again")


def _second_discussion(error: IntegrityError) -> bool:
    """Whether the one-open-discussion index refused the insert (PostgreSQL names the index,
    SQLite the indexed column)."""
    words = str(error.orig)
    return ONE_OPEN_STRATEGY_DISCUSSION in words or "duties.subject_person_id" in words
