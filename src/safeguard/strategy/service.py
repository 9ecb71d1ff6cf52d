"""Recording a strategy discussion as held, and reading it back.

Recording one (a `strategy_discussion` event: form, API or import, through intake) keeps who
took part for which agency, what each shared, the decision and why; discharges the child's
open strategy-discussion duty with the decision as its outcome (a section 47 enquiry then
raises the initial child protection conference, as the kind declares); and turns each agreed
action into a `strategy_action` duty of its owning agency, due at the end of its day, so it
breaches and escalates like any other duty.

A discussion is read only by the agencies in it: those that took part, shared information,
or own an action, and the agency that recorded it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import acting_for_social_care, discharge, raise_duties
from safeguard.duties.models import Duty
from safeguard.duties.service import open_strategy_discussion, visible_to
from safeguard.errors import InvalidField, NotFound
from safeguard.events.strategy import StrategyDiscussionEvent
from safeguard.people.models import Person, PersonRecord
from safeguard.people.service import link_record, person_name
from safeguard.rules.context import RuleContext
from safeguard.rules.joint import (
    STRATEGY_DISCUSSION,
    conference_after_section_47,
    strategy_action_duty,
)
from safeguard.rules.kinds import Discharged
from safeguard.strategy.models import (
    Attendee,
    SharedInformation,
    StrategyAction,
    StrategyDiscussion,
)

DECISION_WORDS = STRATEGY_DISCUSSION.outcome_words
# Working Together 2023: a strategy discussion involves at least the local authority's
# children's social care and the police (health and the referrer as appropriate).
EXPECTED = ((AgencyKind.POLICE, "the police"),
            (AgencyKind.CHILDRENS_SOCIAL_CARE, "children's social care"))


@dataclass
class DiscussionAccepted:
    discussion_id: int
    person_ids: list[int] = field(default_factory=list)
    duty_ids: list[int] = field(default_factory=list)


def missing_agencies(kinds: Iterable[str]) -> list[str]:
    """Warnings for the agencies Working Together expects that took no part."""
    present = set(kinds)
    return [f"No one from {words} took part: Working Together 2023 expects {words} at every "
            "strategy discussion." for kind, words in EXPECTED if kind.value not in present]


def accept_discussion(
    session: Session, *, event_id: int, data: StrategyDiscussionEvent, via: str,
    principal: Principal, ctx: RuleContext, now: datetime,
) -> DiscussionAccepted:
    person = _child(session, event_id=event_id, data=data, principal=principal, now=now)
    agencies = _agencies(session, data)
    for n, action in enumerate(data.actions):
        if action.due_on < data.held_at.date():
            raise InvalidField(f"actions[{n}].due_on", f"{action.due_on.isoformat()} is before "
                               "the discussion was held")
    recorder = acting_for_social_care(session, principal)
    discussion = StrategyDiscussion(
        event_id=event_id, reference=data.source_id, person_id=person.id,
        held_at=data.held_at, decision=data.decision, reasons=data.reasons,
        agency_id=recorder.agency_id, recorded_at=now, recorded_by=principal.actor,
        warnings=missing_agencies(agencies[a.agency].kind for a in data.attendees) or None)
    session.add(discussion)
    session.flush()
    session.add_all([Attendee(discussion_id=discussion.id, agency_id=a.agency, name=a.name,
                              role=a.role) for a in data.attendees])
    session.add_all([SharedInformation(discussion_id=discussion.id, agency_id=i.agency,
                                       summary=i.summary) for i in data.information])
    accepted = DiscussionAccepted(discussion.id, person_ids=[person.id])
    live = ctx.live_from is None or data.held_at >= ctx.live_from
    name = person_name(person)
    accepted.duty_ids += _discharge(session, discussion=discussion, name=name,
                                    principal=recorder, ctx=ctx, live=live)
    drafts = [strategy_action_duty(
        number=n, subject_person_id=person.id, child_name=name, text=a.text,
        owner_agency_id=a.owner_agency, owner_words=_owner_words(
            a.owner_name, agencies[a.owner_agency].name), due_on=a.due_on,
        held_at=data.held_at) for n, a in enumerate(data.actions, start=1)]
    raised = raise_duties(session, drafts=drafts if live else [], event_id=event_id, now=now,
                          actor=principal.actor, ctx=ctx, none_stored=True)
    duty_of = {created.draft.rule_name: created.id for created in raised.duties}
    session.add_all([StrategyAction(
        discussion_id=discussion.id, duty_id=duty_of.get(draft.rule_name), text=a.text,
        owner_agency_id=a.owner_agency, owner_name=a.owner_name, due_on=a.due_on)
        for a, draft in zip(data.actions, drafts, strict=True)])
    accepted.duty_ids += raised.duty_ids
    session.flush()
    audit(session, principal=principal, action="write", entity="strategy_discussion",
          entity_id=discussion.id, person_id=person.id,
          why=f"{via} of strategy discussion {data.source_id}")
    return accepted


def _owner_words(owner_name: str | None, agency_name: str) -> str:
    return f"{owner_name} ({agency_name})" if owner_name else agency_name


def _child(session: Session, *, event_id: int, data: StrategyDiscussionEvent,
           principal: Principal, now: datetime) -> Person:
    """The child: by the product's id, if the recording agency knows them (its own record of
    them, or a duty about them it takes part in); else resolved from their details."""
    if data.child is not None:
        return link_record(session, fields=data.child, source=data.source,
                           source_id=data.source_id, event_id=event_id, address_id=None,
                           school_urn=None, recorded_at=data.held_at).person
    person = session.get(Person, data.person_id)
    if person is None or (principal.kind != "system" and not _knows(session, principal,
                                                                     person.id)):
        raise InvalidField("person_id", f"no child {data.person_id} known to "
                                        f"{principal.agency_name or 'the import'}")
    return person


def _knows(session: Session, principal: Principal, person_id: int) -> bool:
    return bool(session.scalar(select(or_(
        exists().where(PersonRecord.person_id == person_id,
                       PersonRecord.source == principal.agency_id,
                       PersonRecord.from_concern.is_(False)),
        exists().where(Duty.subject_person_id == person_id, visible_to(principal))))))


def _agencies(session: Session, data: StrategyDiscussionEvent) -> dict[str, Agency]:
    """Every agency the event names, each checked to exist (the field named if not)."""
    named = [(f"attendees[{n}].agency", a.agency) for n, a in enumerate(data.attendees)]
    named += [(f"information[{n}].agency", i.agency) for n, i in enumerate(data.information)]
    named += [(f"actions[{n}].owner_agency", a.owner_agency)
              for n, a in enumerate(data.actions)]
    found = {a.id: a for a in session.scalars(select(Agency).where(
        Agency.id.in_({agency for _, agency in named})))}
    for path, agency in named:
        if agency not in found:
            core = ", ".join(kind.value for kind in AgencyKind if kind is not AgencyKind.SCHOOL)
            raise InvalidField(path, f"unknown agency '{agency}': use an agency's id ({core}, "
                                     "or school-<URN>)")
    return found


def _discharge(session: Session, *, discussion: StrategyDiscussion, name: str,
               principal: Principal, ctx: RuleContext, live: bool) -> list[int]:
    """Discharge the child's open discussion duty with the decision as its outcome, at the
    time it was held (not before the duty was raised); a discussion no duty asked for still
    starts the conference's clock when it decides on a section 47 enquiry."""
    reasons = f"{DECISION_WORDS[discussion.decision]}: {discussion.reasons}"
    duty_id = open_strategy_discussion(session, person_id=discussion.person_id)
    if duty_id is not None:
        duty = session.get_one(Duty, duty_id)
        discussion.duty_id = duty_id
        discharge(session, duty_id=duty_id, principal=principal,
                  now=max(discussion.held_at, duty.created_at), ctx=ctx,
                  outcome=discussion.decision, note=reasons)
        # An open duty has raised nothing yet: what hangs from it now, discharging raised.
        return sorted(session.scalars(select(Duty.id).where(Duty.parent_duty_id == duty_id)))
    if not live:
        return []
    drafts = conference_after_section_47(Discharged(
        duty_id=0, event_id=discussion.event_id, subject_person_id=discussion.person_id,
        subject_name=name, outcome=discussion.decision, at=discussion.held_at), ctx)
    return raise_duties(session, drafts=drafts, event_id=discussion.event_id,
                        now=discussion.recorded_at, actor=principal.actor, ctx=ctx).duty_ids


# ------------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class ActionView:
    action: StrategyAction
    duty: Duty | None
    owner: str  # the named person and agency, in words


@dataclass(frozen=True)
class DiscussionView:
    discussion: StrategyDiscussion
    child: str
    agency_names: dict[str, str]
    attendees: list[Attendee]
    information: list[SharedInformation]
    actions: list[ActionView]

    @property
    def agencies(self) -> set[str]:
        """The agencies in the discussion: they, and only they, may read it."""
        return ({self.discussion.agency_id} | {a.agency_id for a in self.attendees}
                | {i.agency_id for i in self.information}
                | {a.action.owner_agency_id for a in self.actions})

    @property
    def decision_words(self) -> str:
        return DECISION_WORDS.get(self.discussion.decision, self.discussion.decision)


def discussions_about(session: Session, *, person_id: int) -> list[DiscussionView]:
    """The child's discussions, newest first, each with its parts (a few queries in all)."""
    discussions = list(session.scalars(select(StrategyDiscussion).where(
        StrategyDiscussion.person_id == person_id)
        .order_by(StrategyDiscussion.held_at.desc(), StrategyDiscussion.id.desc())))
    return _views(session, discussions)


def _views(session: Session, discussions: list[StrategyDiscussion]) -> list[DiscussionView]:
    if not discussions:
        return []
    ids = [d.id for d in discussions]
    attendees = list(session.scalars(select(Attendee).where(Attendee.discussion_id.in_(ids))
                                     .order_by(Attendee.id)))
    information = list(session.scalars(select(SharedInformation).where(
        SharedInformation.discussion_id.in_(ids)).order_by(SharedInformation.id)))
    actions = list(session.execute(select(StrategyAction, Duty)
                                   .outerjoin(Duty, Duty.id == StrategyAction.duty_id)
                                   .where(StrategyAction.discussion_id.in_(ids))
                                   .order_by(StrategyAction.due_on, StrategyAction.id)).all())
    names = dict(session.execute(select(Agency.id, Agency.name)).all())
    people = {p.id: person_name(p) for p in session.scalars(select(Person).where(
        Person.id.in_({d.person_id for d in discussions})))}
    return [DiscussionView(
        discussion=d, child=people.get(d.person_id, "the child"), agency_names=names,
        attendees=[a for a in attendees if a.discussion_id == d.id],
        information=[i for i in information if i.discussion_id == d.id],
        actions=[ActionView(a, duty, _owner_words(a.owner_name, names.get(a.owner_agency_id,
                                                                          a.owner_agency_id)))
                 for a, duty in actions if a.discussion_id == d.id])
        for d in discussions]


def discussion_of_event(session: Session, *, event_id: int) -> int | None:
    """The discussion an event recorded (a repeated event finds the one it first made)."""
    return session.scalar(select(StrategyDiscussion.id).where(
        StrategyDiscussion.event_id == event_id))


def read_discussion(session: Session, *, discussion_id: int, principal: Principal,
                    why: str) -> DiscussionView:
    """A discussion an agency in it reads (audited); NotFound for any other agency."""
    discussion = session.get(StrategyDiscussion, discussion_id)
    view = _views(session, [discussion])[0] if discussion is not None else None
    if view is None or principal.agency_id not in view.agencies:
        raise NotFound(f"strategy discussion {discussion_id} not found")
    audit(session, principal=principal, action="read", entity="strategy_discussion",
          entity_id=discussion_id, person_id=view.discussion.person_id, why=why)
    return view
