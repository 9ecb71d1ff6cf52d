"""Accepting missing events: the report opens an episode, updates re-grade it, the return
closes it, and the return home interview discharges social care's duty.

Intake hands each event here (the one path for form, API and import); an event that names an
unknown report, or contradicts the episode, is refused with its field and reason
(`InvalidField`), which rolls back the event's savepoint and loses nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency, AgencyKind
from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.casework.service import (
    acting_for_social_care,
    discharge,
    raise_duties,
    raise_strategy_discussion,
)
from safeguard.duties.models import DISCHARGED, Duty
from safeguard.errors import InvalidField
from safeguard.events.missing import (
    MissingEvent,
    MissingReportEvent,
    MissingReturnEvent,
    MissingUpdateEvent,
    ReturnInterviewEvent,
)
from safeguard.missing.models import MissingEntry, MissingEpisode
from safeguard.people.models import Person
from safeguard.people.service import (
    age_on,
    link_record,
    person_name,
    school_agency_for_urn,
    school_of,
    upsert_address,
)
from safeguard.rules.context import RuleContext
from safeguard.rules.missing import (
    RETURN_HOME_INTERVIEW,
    EpisodeFacts,
    SchoolFact,
    interview_note,
    long_open_check_at,
    long_open_evidence,
    notify_duties,
    report_evidence,
    return_interview_duty,
    school_check_at,
    strategy_duty,
    update_evidence,
    when,
)
from safeguard.rules.quality import data_quality_duties, identifier_conflict_gaps
from safeguard.workdays import LONDON


@dataclass
class MissingAccepted:
    episode_id: int
    person_ids: list[int] = field(default_factory=list)
    duty_ids: list[int] = field(default_factory=list)
    share_ids: list[int] = field(default_factory=list)


def placing_agency_id(code: str) -> str:
    """Another council's agency id, by its DfE local-authority code."""
    return f"la-{code}"


def register_placing_authority(session: Session, *, code: str, name: str) -> Agency:
    """Another council as an agency of its own (`la-<code>`, social care), so the missing
    notices about the children it placed here reach it; its users and API keys are added
    like any agency's."""
    if not (len(code) == 3 and code.isdigit()):
        raise InvalidField("code", f"{code!r} is not a DfE local-authority code (three digits)")
    agency = session.get(Agency, placing_agency_id(code))
    if agency is None:
        agency = Agency(id=placing_agency_id(code), name=name,
                        kind=AgencyKind.CHILDRENS_SOCIAL_CARE.value)
        session.add(agency)
        session.flush()
    return agency


def accept_missing(session: Session, *, event_id: int, data: MissingEvent, via: str,
                   principal: Principal, ctx: RuleContext, now: datetime) -> MissingAccepted:
    if isinstance(data, MissingReportEvent):
        result = _report(session, event_id=event_id, data=data, principal=principal, ctx=ctx,
                         now=now)
        why = f"{via} of missing report {data.source_id}"
    else:
        episode = _episode(session, reference=data.report)
        result = MissingAccepted(episode.id, [episode.person_id])
        if isinstance(data, MissingUpdateEvent):
            _update(session, episode=episode, event_id=event_id, data=data,
                    principal=principal, ctx=ctx, now=now, result=result)
        elif isinstance(data, MissingReturnEvent):
            _return(session, episode=episode, event_id=event_id, data=data, via=via,
                    principal=principal, ctx=ctx, now=now, result=result)
        else:
            _interview(session, episode=episode, event_id=event_id, data=data, via=via,
                       principal=principal, ctx=ctx, now=now)
        why = f"{via} of {data.event.replace('_', ' ')} {data.source_id} on {data.report}"
    audit(session, principal=principal, action="write", entity="missing_episode",
          entity_id=result.episode_id, person_id=result.person_ids[0], why=why)
    session.flush()
    return result


def _episode(session: Session, *, reference: str) -> MissingEpisode:
    episode = session.scalars(select(MissingEpisode).where(
        MissingEpisode.reference == reference).with_for_update()).first()
    if episode is None:
        raise InvalidField("report", f"no missing report {reference} is known: send the "
                                 "missing_report first, or check the reference")
    return episode


def _live(ctx: RuleContext, at: datetime) -> bool:
    return ctx.live_from is None or at >= ctx.live_from


# ------------------------------------------------------------------------------ report


def _report(session: Session, *, event_id: int, data: MissingReportEvent,
            principal: Principal, ctx: RuleContext, now: datetime) -> MissingAccepted:
    child = data.child
    address = upsert_address(session, address=child.address) if child.address else None
    placement = data.placement
    placement_address = (upsert_address(session, address=placement.address)
                         if placement and placement.address else None)
    linked = link_record(
        session, fields=child, source=data.source, source_id=f"{data.source_id}#child",
        event_id=event_id, address_id=address.id if address else None, school_urn=None,
        recorded_at=data.reported_at, none_stored=True)
    person = linked.person
    already = session.scalar(select(MissingEpisode.reference).where(
        MissingEpisode.person_id == person.id, MissingEpisode.returned_at.is_(None)))
    if already is not None:
        raise InvalidField("child", f"{person_name(person)} is already missing in open episode "
                                f"{already}: record an update or the return on that report, "
                                "not a second report")
    earlier = tuple(session.scalars(select(MissingEpisode.last_seen_at).where(
        MissingEpisode.person_id == person.id)))
    authority = data.placing_authority
    agency = None
    if authority is not None:
        agency = session.get(Agency, placing_agency_id(authority.code))
        if agency is not None and agency.kind != AgencyKind.CHILDRENS_SOCIAL_CARE:
            agency = None
    live = _live(ctx, data.reported_at)
    settings = ctx.missing
    episode = MissingEpisode(
        event_id=event_id, reference=data.source_id, person_id=person.id,
        missing_from=data.missing_from, address_id=address.id if address else None,
        placement_provider=placement.provider if placement else None,
        placement_address_id=placement_address.id if placement_address else None,
        placing_authority_code=authority.code if authority else None,
        placing_authority_name=(authority.name or (agency.name if agency else None))
        if authority else None,
        placing_agency_id=agency.id if agency else None,
        last_seen_at=data.last_seen_at, reported_at=data.reported_at, risk=data.risk,
        exploitation_indicators=list(data.exploitation_indicators),
        circumstances=data.circumstances, officer=data.officer, live=live,
        long_open_check_at=long_open_check_at(data.last_seen_at, settings) if live else None,
        school_check_at=school_check_at(data.reported_at, ctx.schools, settings)
        if live else None)
    session.add(episode)
    session.flush()
    _entry(session, episode=episode, event_id=event_id, kind="report", at=data.reported_at,
           risk=data.risk, indicators=list(data.exploitation_indicators),
           note=data.circumstances, by=data.officer)
    result = MissingAccepted(episode.id, [person.id])
    if not live:
        return result
    facts = episode_facts(session, episode=episode, person=person, earlier_starts=earlier)
    drafts = notify_duties(facts, settings)
    gaps = identifier_conflict_gaps(linked.identifier_conflicts, owner=AgencyKind.POLICE,
                                    subject_person_id=person.id,
                                    record=f"police missing report {data.source_id}")
    drafts += data_quality_duties(gaps, reference=data.source_id, recorded_at=data.reported_at,
                                  calendar=ctx.calendar, clocks=ctx.clocks)
    raised = raise_duties(session, drafts=drafts, event_id=event_id, now=now,
                          actor=principal.actor, ctx=ctx, none_stored=True)
    result.duty_ids += raised.duty_ids
    result.share_ids += raised.share_ids
    evidence = report_evidence(facts, settings)
    # Reported late: already missing past the threshold, so that check is made now.
    late = long_open_evidence(reference=episode.reference, last_seen_at=episode.last_seen_at,
                              now=data.reported_at, settings=settings)
    if late:
        episode.long_open_checked_at = data.reported_at
    result.duty_ids += strategy_discussion(
        session, person_id=person.id, child_name=facts.child_name, evidence=evidence + late,
        event_id=event_id, at=data.reported_at, ctx=ctx, now=now, actor=principal.actor)
    return result


def episode_facts(session: Session, *, episode: MissingEpisode, person: Person,
                  earlier_starts: tuple[datetime, ...] = ()) -> EpisodeFacts:
    """What the rules know of an episode and its child (their school as recorded now)."""
    on_record = school_of(session, person_id=person.id)
    school = None
    if on_record is not None:
        registered = on_record.school
        school = SchoolFact(
            agency_id=registered.agency_id if registered else
            school_agency_for_urn(session, urn=on_record.urn),
            urn=on_record.urn, name=registered.name if registered else None,
            lead=(registered.dsl_name or registered.dsl_email) if registered else None)
    seen_on = episode.last_seen_at.astimezone(LONDON).date()
    return EpisodeFacts(
        reference=episode.reference, person_id=person.id, child_name=person_name(person),
        child_dob=person.dob.isoformat() if person.dob else None,
        age=age_on(person.dob, seen_on) if person.dob else None,
        missing_from=episode.missing_from, last_seen_at=episode.last_seen_at,
        reported_at=episode.reported_at, risk=episode.risk,
        indicators=tuple(episode.exploitation_indicators),
        placement_provider=episode.placement_provider,
        placing_code=episode.placing_authority_code,
        placing_name=episode.placing_authority_name,
        placing_agency_id=episode.placing_agency_id, school=school,
        earlier_starts=earlier_starts, circumstances=episode.circumstances)


def _entry(session: Session, *, episode: MissingEpisode, event_id: int | None, kind: str,
           at: datetime, risk: str | None = None, indicators: list[str] | None = None,
           note: str | None = None, by: str | None = None) -> None:
    session.add(MissingEntry(episode_id=episode.id, event_id=event_id, kind=kind, at=at,
                             risk=risk, indicators=indicators, note=note, by=by))


# ----------------------------------------------------------------- update and return


def _open(episode: MissingEpisode, what: str) -> None:
    if episode.returned_at is not None:
        raise InvalidField("report", f"missing episode {episode.reference} closed when the child "
                                 f"returned at {when(episode.returned_at)}; {what} is not "
                                 "accepted after the return")


def _after_last_seen(episode: MissingEpisode, name: str, at: datetime) -> None:
    if at < episode.last_seen_at:
        raise InvalidField(name, f"{at.isoformat()} is before the child was last seen "
                             f"({episode.last_seen_at.isoformat()}) in missing episode "
                             f"{episode.reference}")


def _update(session: Session, *, episode: MissingEpisode, event_id: int,
            data: MissingUpdateEvent, principal: Principal, ctx: RuleContext, now: datetime,
            result: MissingAccepted) -> None:
    _open(episode, "an update")
    _after_last_seen(episode, "at", data.at)
    before_risk, before = episode.risk, tuple(episode.exploitation_indicators)
    if data.risk is not None:
        episode.risk = data.risk
    seen = list(dict.fromkeys([*before, *(data.exploitation_indicators or [])]))
    episode.exploitation_indicators = seen
    _entry(session, episode=episode, event_id=event_id, kind="update", at=data.at,
           risk=data.risk, indicators=list(data.exploitation_indicators or []) or None,
           note=data.note,
           by=data.officer)
    if not episode.live:
        return
    evidence = update_evidence(reference=episode.reference, at=data.at,
                               risk_before=before_risk, risk_now=data.risk,
                               indicators_before=before, indicators_now=tuple(seen))
    person = session.get_one(Person, episode.person_id)
    if data.risk == "high" and before_risk != "high":
        # Told again, on the high-risk clock from the re-grading.
        drafts = notify_duties(episode_facts(session, episode=episode, person=person),
                               ctx.missing, regraded_at=data.at)
        raised = raise_duties(session, drafts=drafts, event_id=event_id, now=now,
                              actor=principal.actor, ctx=ctx, none_stored=True)
        result.duty_ids += raised.duty_ids
        result.share_ids += raised.share_ids
    result.duty_ids += strategy_discussion(
        session, person_id=person.id, child_name=person_name(person), evidence=evidence,
        event_id=event_id, at=data.at, ctx=ctx, now=now, actor=principal.actor)


def _return(session: Session, *, episode: MissingEpisode, event_id: int,
            data: MissingReturnEvent, via: str, principal: Principal, ctx: RuleContext,
            now: datetime, result: MissingAccepted) -> None:
    _open(episode, "a second return")
    _after_last_seen(episode, "returned_at", data.returned_at)
    episode.returned_at = data.returned_at
    episode.where_found = data.where_found
    episode.harm_disclosed = data.harm_disclosed
    note = "; ".join(part for part in (
        f"found at {data.where_found}" if data.where_found else "",
        "harm disclosed" if data.harm_disclosed else "no harm disclosed") if part)
    _entry(session, episode=episode, event_id=event_id, kind="return", at=data.returned_at,
           note=note, by=data.officer)
    if not episode.live:
        return
    person = session.get_one(Person, episode.person_id)
    draft = return_interview_duty(reference=episode.reference, person_id=person.id,
                                  child_name=person_name(person),
                                  returned_at=data.returned_at, settings=ctx.missing)
    # Owed from the return: one the API or an import sends later was owed (and is timed) from
    # then, as its interview is done when held (_interview).
    owed = now if via == "form" else min(now, data.returned_at)
    raised = raise_duties(session, drafts=[draft], event_id=event_id, now=owed,
                          actor=principal.actor, ctx=ctx, none_stored=True)
    result.duty_ids += raised.duty_ids
    if data.harm_disclosed:
        result.duty_ids += strategy_discussion(
            session, person_id=person.id, child_name=person_name(person),
            evidence=[f"Harm disclosed on return from missing episode {episode.reference} "
                      f"({when(data.returned_at)})"],
            event_id=event_id, at=data.returned_at, ctx=ctx, now=now, actor=principal.actor)


# ------------------------------------------------------------------ return interview


def _interview(session: Session, *, episode: MissingEpisode, event_id: int,
               data: ReturnInterviewEvent, via: str, principal: Principal, ctx: RuleContext,
               now: datetime) -> None:
    if episode.returned_at is None:
        raise InvalidField("report", f"the child in missing episode {episode.reference} has not "
                                 "returned: a return interview follows a missing_return")
    if data.offered_at < episode.returned_at:
        raise InvalidField("offered_at", f"{data.offered_at.isoformat()} is before the child "
                                     f"returned ({episode.returned_at.isoformat()})")
    note = interview_note(outcome=data.outcome, independent=data.by_independent_person,
                          held_at=data.held_at, provider=data.provider, reason=data.reason)
    episode.interview_outcome = data.outcome
    episode.interview_held_at = data.held_at
    episode.interview_independent = data.by_independent_person
    _entry(session, episode=episode, event_id=event_id, kind="interview",
           at=data.held_at or data.offered_at,
           note=note + (f" Disclosures: {data.disclosures}" if data.disclosures else ""),
           by=data.provider)
    duty_id = session.scalar(select(Duty.id).where(
        Duty.kind == RETURN_HOME_INTERVIEW.name, Duty.subject_person_id == episode.person_id,
        Duty.status != DISCHARGED, Duty.event_id.in_(
            select(MissingEntry.event_id).where(MissingEntry.episode_id == episode.id,
                                                MissingEntry.kind == "return"))))
    if duty_id is None:  # history, or an interview already recorded: kept on the timeline
        return
    # Its outcome was known when it was held (or, declined or not possible, offered): an
    # interview sent later by the API or an import is not late for being sent late, as an
    # incident's clock starts when it was recorded (docs/events.md). A form records it now.
    known = now if via == "form" else min(now, data.held_at or data.offered_at)
    discharge(session, duty_id=duty_id, principal=acting_for_social_care(session, principal),
              now=known, ctx=ctx, outcome=data.outcome, note=note)


# --------------------------------------------------------------- strategy discussion


def strategy_discussion(session: Session, *, person_id: int, child_name: str,
                        evidence: list[str], event_id: int, at: datetime, ctx: RuleContext,
                        now: datetime, actor: str, rule_suffix: str = "") -> list[int]:
    """Raise the child's strategy discussion, or add this evidence to the one open (one per
    child: casework.raise_strategy_discussion)."""
    raised: list[int] = []
    for draft in strategy_duty(person_id=person_id, child_name=child_name, evidence=evidence,
                               at=at, ctx=ctx, rule_suffix=rule_suffix):
        raised += raise_strategy_discussion(session, draft=draft, event_id=event_id, now=now,
                                            actor=actor, ctx=ctx)
    return raised
