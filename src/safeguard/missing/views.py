"""Reading episodes: one episode with its timeline and duties, a child's episodes, the children
missing now, and the SSDA903 missing module for the council's annual return."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, case, or_, select
from sqlalchemy.orm import Session

from safeguard.access.models import AgencyKind
from safeguard.access.service import Principal
from safeguard.duties.models import Duty
from safeguard.errors import Forbidden, NotFound
from safeguard.missing.models import MissingEntry, MissingEpisode
from safeguard.people.models import Person, PersonRecord
from safeguard.people.service import person_name
from safeguard.rules.joint import STRATEGY_DISCUSSION
from safeguard.rules.missing import SSDA903_COLUMNS, ssda903_row
from safeguard.workdays import local_to_utc

# The live list is for the two agencies that act while a child is missing.
LIVE_LIST_AGENCIES = (AgencyKind.POLICE.value, AgencyKind.CHILDRENS_SOCIAL_CARE.value)


def require_live_list(principal: Principal) -> None:
    if principal.agency_id not in LIVE_LIST_AGENCIES:
        raise Forbidden("the children missing now are listed for the police and children's "
                        "social care")


RISK_ORDER = {"high": 0, "medium": 1, "low": 2, "no_apparent_risk": 3}


@dataclass(frozen=True)
class EpisodeView:
    episode: MissingEpisode
    person: Person
    name: str
    entries: list[MissingEntry]
    duties: list[Duty]


def episode_view(session: Session, *, episode_id: int) -> EpisodeView:
    episode = session.get(MissingEpisode, episode_id)
    if episode is None:
        raise NotFound(f"missing episode {episode_id} not found")
    person = session.get_one(Person, episode.person_id)
    entries = list(session.scalars(select(MissingEntry).where(
        MissingEntry.episode_id == episode.id).order_by(MissingEntry.at, MissingEntry.id)))
    # The episode's duties: those its events raised, and the strategy discussion its report
    # or an update added evidence to (raised by another event, but about this child).
    events = {episode.event_id, *(e.event_id for e in entries if e.event_id is not None)}
    duties = list(session.scalars(select(Duty).where(or_(
        Duty.event_id.in_(sorted(events)),
        and_(Duty.subject_person_id == episode.person_id,
             Duty.kind == STRATEGY_DISCUSSION.name)),
    ).order_by(Duty.due_at, Duty.id)))
    shown = [d for d in duties if d.event_id in events or _mentions(d, episode.reference)]
    return EpisodeView(episode, person, person_name(person), entries, shown)


def _mentions(duty: Duty, reference: str) -> bool:
    return any(reference in line for line in duty.evidence or [])


@dataclass(frozen=True)
class ChildMissing:
    episodes: list[MissingEpisode]
    in_window: int
    window_days: int
    indicators: list[str]


def child_episodes(session: Session, *, person_id: int, now: datetime,
                   window_days: int) -> ChildMissing:
    """Every episode of the child, newest first; how many started in the window; every
    exploitation indicator ever recorded for them."""
    episodes = list(session.scalars(select(MissingEpisode).where(
        MissingEpisode.person_id == person_id).order_by(MissingEpisode.last_seen_at.desc())))
    since = now - timedelta(days=window_days)
    indicators = list(dict.fromkeys(i for e in episodes for i in e.exploitation_indicators))
    return ChildMissing(episodes, sum(1 for e in episodes if e.last_seen_at >= since),
                        window_days, indicators)


@dataclass(frozen=True)
class MissingNow:
    episode: MissingEpisode
    name: str
    hours: float


def missing_now(session: Session, *, now: datetime, limit: int = 500) -> list[MissingNow]:
    """Open episodes, highest risk first, then longest missing."""
    order = case(RISK_ORDER, value=MissingEpisode.risk, else_=4)
    rows = session.execute(
        select(MissingEpisode, Person).join(Person, Person.id == MissingEpisode.person_id)
        .where(MissingEpisode.returned_at.is_(None))
        .order_by(order, MissingEpisode.last_seen_at).limit(limit)).all()
    return [MissingNow(episode, person_name(person),
                       (now - episode.last_seen_at).total_seconds() / 3600)
            for episode, person in rows]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The SSDA903 collection year ending 31 March `year`, as UTC instants."""
    return (local_to_utc(date(year - 1, 4, 1), datetime.min.time()),
            local_to_utc(date(year, 4, 1), datetime.min.time()))


def ssda903_missing(session: Session, *, year: int) -> tuple[tuple[str, ...],
                                                               list[dict[str, str]]]:
    """Looked-after children's episodes (missing from care, or placed by another council)
    that started in the collection year, in the missing module's columns. CHILD is the
    council's own record id for the child where it has one, else the product's person id."""
    start, end = year_bounds(year)
    rows = session.execute(
        select(MissingEpisode, Person).join(Person, Person.id == MissingEpisode.person_id)
        .where(MissingEpisode.last_seen_at >= start, MissingEpisode.last_seen_at < end,
               or_(MissingEpisode.missing_from == "care",
                   MissingEpisode.placing_authority_code.is_not(None)))
        .order_by(MissingEpisode.last_seen_at, MissingEpisode.id)).all()
    ids = dict(session.execute(
        select(PersonRecord.person_id, PersonRecord.source_id)
        .where(PersonRecord.source == "childrens_social_care",
               PersonRecord.person_id.in_({p.id for _, p in rows}))
        .order_by(PersonRecord.id)).all()) if rows else {}
    return SSDA903_COLUMNS, [
        ssda903_row(child=ids.get(person.id, f"P{person.id:06d}"), sex=person.sex,
                    dob=person.dob.isoformat() if person.dob else None, risk=episode.risk,
                    started=episode.last_seen_at, ended=episode.returned_at)
        for episode, person in rows]
