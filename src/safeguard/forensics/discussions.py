"""A strategy discussion about a child that forensic findings concern: the joint kind, of
which a child has one open at a time, so the findings are added to the open one or raise it
(casework.raise_strategy_discussion).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from safeguard.casework.service import raise_strategy_discussion
from safeguard.rules.context import RuleContext
from safeguard.rules.forensics import ChildAtRisk, strategy_discussion_duty


def raise_or_add_discussion(session: Session, *, child: ChildAtRisk, evidence: str,
                            event_id: int, ctx: RuleContext, now: datetime, actor: str
                            ) -> list[int]:
    draft = strategy_discussion_duty(
        child, evidence, recorded_at=now, calendar=ctx.calendar,
        working_days=ctx.sharing.strategy_discussion_working_days)
    return raise_strategy_discussion(session, draft=draft, event_id=event_id, now=now,
                                     actor=actor, ctx=ctx)
