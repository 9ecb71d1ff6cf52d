"""Checks made by the clock while a child is still missing: after 24 hours a strategy
discussion, and as the next school day draws near the school's notice.

No event arrives to say "still missing", so the worker's pass asks: each episode carries the
time each check is due (indexed) and when it was made. An episode is claimed with a
conditional update (made-at still empty, child still missing), so however many workers run,
each check is made once; on PostgreSQL SKIP LOCKED keeps workers off each other's rows.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, Select, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from safeguard.casework.service import raise_duties
from safeguard.missing.models import MissingEntry, MissingEpisode
from safeguard.missing.service import episode_facts, strategy_discussion
from safeguard.people.models import Person
from safeguard.people.service import person_name
from safeguard.rules.context import RuleContext
from safeguard.rules.missing import long_open_evidence, school_duties

ACTOR = "system:worker"


def _due(session: Session, due: InstrumentedAttribute[datetime | None],
         made: InstrumentedAttribute[datetime | None], now: datetime,
         batch: int) -> Select[MissingEpisode]:
    query = (select(MissingEpisode)
             .where(MissingEpisode.returned_at.is_(None), due <= now, made.is_(None))
             .order_by(due).limit(batch))
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(skip_locked=True)
    return query


def _claim(session: Session, episode: MissingEpisode,
           made: InstrumentedAttribute[datetime | None], now: datetime) -> bool:
    unmade: ColumnElement[bool] = made.is_(None)
    claimed = session.execute(
        update(MissingEpisode)
        .where(MissingEpisode.id == episode.id, MissingEpisode.returned_at.is_(None), unmade)
        .values({made.key: now}).execution_options(synchronize_session="fetch"))
    return getattr(claimed, "rowcount", 0) == 1


def check_still_missing(session: Session, *, now: datetime, ctx: RuleContext,
                        batch: int = 200) -> list[int]:
    """Episodes still open past the threshold since last seen: a strategy discussion (or its
    evidence on the child's open one). Returns the episodes checked."""
    checked = []
    query = _due(session, MissingEpisode.long_open_check_at,
                 MissingEpisode.long_open_checked_at, now, batch)
    for episode in session.scalars(query).all():
        if not _claim(session, episode, MissingEpisode.long_open_checked_at, now):
            continue
        evidence = long_open_evidence(reference=episode.reference,
                                      last_seen_at=episode.last_seen_at, now=now,
                                      settings=ctx.missing)
        person = session.get_one(Person, episode.person_id)
        session.add(MissingEntry(episode_id=episode.id, event_id=None, kind="still_missing",
                                 at=now, note=" ".join(evidence), by=ACTOR))
        strategy_discussion(session, person_id=person.id, child_name=person_name(person),
                            evidence=evidence, event_id=episode.event_id, at=now, ctx=ctx,
                            now=now, actor=ACTOR, rule_suffix="-still-missing")
        checked.append(episode.id)
    session.flush()
    return checked


def check_school_day(session: Session, *, now: datetime, ctx: RuleContext,
                     batch: int = 200) -> list[int]:
    """Episodes still open as the next school day draws near: the school's notice (or, with
    no school on record, the education service finds it). Returns the episodes checked."""
    checked = []
    query = _due(session, MissingEpisode.school_check_at, MissingEpisode.school_checked_at,
                 now, batch)
    for episode in session.scalars(query).all():
        if not _claim(session, episode, MissingEpisode.school_checked_at, now):
            continue
        person = session.get_one(Person, episode.person_id)
        facts = episode_facts(session, episode=episode, person=person)
        drafts = school_duties(facts, checked_at=now, schools=ctx.schools)
        told = (f"school notice raised for {facts.school.name or facts.school.urn}"
                if facts.school else "no school on record" if drafts else
                "not of school age: no school to tell")
        session.add(MissingEntry(episode_id=episode.id, event_id=None, kind="school_check",
                                 at=now, note=f"Still missing as the school day draws near: "
                                              f"{told}.", by=ACTOR))
        raise_duties(session, drafts=drafts, event_id=episode.event_id, now=now, actor=ACTOR,
                     ctx=ctx)
        checked.append(episode.id)
    session.flush()
    return checked
