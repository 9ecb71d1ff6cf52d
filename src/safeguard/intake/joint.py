"""The joint assessment at intake: what the joint rules need to know about a child (the
concerns agencies have raised, the referrals and strategy discussion open), and the strategy
discussion they call for, on a concern or on a domestic-abuse incident riskier than the
child's last."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.service import Principal
from safeguard.casework.service import raise_strategy_discussion
from safeguard.concerns.models import Concern
from safeguard.concerns.service import concerns_about
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.duties.service import add_evidence
from safeguard.events.models import Event
from safeguard.incidents.service import previous_incident
from safeguard.rules.context import RuleContext
from safeguard.rules.incidents import REFERRAL_DECISION, SHARE_WITH_CSC, IncidentFacts
from safeguard.rules.joint import (
    STRATEGY_DISCUSSION,
    ConcernFact,
    IncidentRisk,
    JointFacts,
    joint_evidence,
    risk_escalated,
    strategy_discussion_duties,
)


def _concern_fact(concern: Concern, reference: str, names: dict[str, str]) -> ConcernFact:
    return ConcernFact(agency_id=concern.agency_id,
                       agency_name=names.get(concern.agency_id, concern.agency_id),
                       kind=concern.kind, occurred_at=concern.occurred_at, reference=reference)


def joint_facts(session: Session, *, ctx: RuleContext, person_id: int, child_name: str,
                recorded_at: datetime, concern: Concern | None, reference: str = "",
                incident: IncidentRisk | None = None,
                previous: IncidentRisk | None = None) -> tuple[JointFacts, int | None]:
    """What the joint rules need to know about the child, and their open strategy
    discussion's id."""
    settings = ctx.sharing
    days = max(settings.joint_window_days, settings.repeat_concern_days)
    since = (concern.occurred_at if concern else recorded_at) - timedelta(days=days)
    earlier = concerns_about(session, person_id=person_id, since=since,
                             exclude_event_id=concern.event_id if concern else None)
    # Names and references are only needed to describe concerns; most incidents have none.
    refs = dict(session.execute(select(Event.id, Event.source_id).where(
        Event.id.in_([c.event_id for c in earlier]))).all()) if earlier else {}
    names = dict(session.execute(select(Agency.id, Agency.name)).all()) \
        if earlier or concern else {}
    # Columns, not whole duties: a child known for years may have many open.
    undischarged = session.execute(select(Duty.id, Duty.kind, Duty.status).where(
        Duty.subject_person_id == person_id, Duty.status != DISCHARGED,
        Duty.kind.in_((REFERRAL_DECISION.name, SHARE_WITH_CSC.name, STRATEGY_DISCUSSION.name)))
        .order_by(Duty.id)).all()
    discussion = next((d.id for d in undischarged if d.kind == STRATEGY_DISCUSSION.name), None)
    return JointFacts(
        person_id=person_id, child_name=child_name,
        recorded_at=recorded_at,
        concern=_concern_fact(concern, reference, names) if concern else None,
        earlier_concerns=tuple(_concern_fact(c, refs.get(c.event_id, ""), names)
                               for c in earlier),
        open_referrals=tuple(
            f"{d.kind.replace('_', ' ')} (duty {d.id}, {d.status})" for d in undischarged
            if d.kind != STRATEGY_DISCUSSION.name),
        open_strategy_discussion=discussion is not None,
        incident=incident, previous_incident=previous), discussion


def strategy_discussion(session: Session, *, joint: JointFacts, open_id: int | None,
                        event_id: int, ctx: RuleContext, now: datetime, actor: str
                        ) -> list[int]:
    """Raise the child's strategy discussion if the rules call for one, or add what this
    event shows to the one already open; returns the ids of the duties raised. One is open
    per child, however many transactions draft one at once
    (:func:`casework.service.raise_strategy_discussion`)."""
    if open_id is not None:
        added = add_evidence(session, duty_id=open_id, lines=joint_evidence(joint, ctx.sharing),
                             now=now, actor=actor)
        if added is not None:  # still open: this event's facts are on it
            return []
        # The discussion seen open was held in the meantime: the rules decide afresh.
        joint = replace(joint, open_strategy_discussion=False)
    return [duty_id for draft in strategy_discussion_duties(joint, calendar=ctx.calendar,
                                                            settings=ctx.sharing)
            for duty_id in raise_strategy_discussion(session, draft=draft, event_id=event_id,
                                                     now=now, actor=actor, ctx=ctx)]


def risk_escalation(session: Session, *, facts: IncidentFacts, incident_id: int,
                    principal: Principal, ctx: RuleContext, now: datetime) -> list[int]:
    """A child's domestic-abuse incident riskier than their previous one: meet jointly;
    returns the ids of the duties raised."""
    raised: list[int] = []
    this = IncidentRisk(facts.reference, facts.occurred_at,
                        facts.risk.level if facts.risk else None)
    for child in facts.children:
        last = previous_incident(session, person_id=child.person_id, kind="domestic_abuse",
                                 before=facts.occurred_at, excluding=incident_id)
        before = IncidentRisk(*last) if last else None
        if before is None or not risk_escalated(this, before, ctx.sharing):
            continue
        joint, open_id = joint_facts(
            session, ctx=ctx, person_id=child.person_id, child_name=child.name,
            recorded_at=facts.recorded_at,
            concern=None, incident=this, previous=before)
        raised += strategy_discussion(session, joint=joint, open_id=open_id,
                                      event_id=facts.event_id, ctx=ctx, now=now,
                                      actor=principal.actor)
    return raised
