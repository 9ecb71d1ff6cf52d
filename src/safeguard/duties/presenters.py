"""How duties read on screen: titles, names of people and agencies, "due in 5 hours", and a
share's fields as its kind declares them. Shared by the duty, inbox, incident and child pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.duties.models import BREACHED, DISCHARGED, OPEN, Duty
from safeguard.people.models import Person
from safeguard.people.service import person_name
from safeguard.rules.catalogue import KINDS, kind_of
from safeguard.rules.kinds import Shown, Side

# Lists name the core partners briefly; the duty page gives each agency's full name.
SHORT_NAMES = {"police": "Police", "childrens_social_care": "Children’s social care",
               "health": "Health", "education": "Education", "probation": "Probation"}
NO_SUBJECT = "No person (about the event)"


@dataclass(frozen=True)
class DutyRow:
    duty: Duty
    title: str
    subject: str
    owner: str
    partner: str | None
    overdue: bool
    relative: str


def share_rows(kind: str, content: Mapping[str, object]) -> list[tuple[str, str | date | datetime]]:
    """(label, value) of each field a share holds, in its kind's declared order and words."""
    spec = kind_of(kind).share if kind in KINDS else None
    if spec is None:
        return []
    return [(f.label, _shown(f.shown_as, content[f.key])) for f in spec.fields
            if f.key in content and content[f.key] not in (None, "")]


def _shown(shown_as: Shown, value: object) -> str | date | datetime:
    if isinstance(value, bool) or shown_as is Shown.YES_NO:
        return "Yes" if value else "No"
    if shown_as in (Shown.DATE, Shown.DATETIME) and isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            return value
        return when if shown_as is Shown.DATETIME else when.date()
    return str(value).replace("_", " ") if shown_as is Shown.WORDS else str(value)


def is_overdue(duty: Duty, now: datetime) -> bool:
    return duty.status in (OPEN, BREACHED) and duty.due_at < now


def relative_due(duty: Duty, now: datetime) -> str:
    """"overdue by 3 hours" / "due in 5 hours"; empty once the duty is discharged."""
    if duty.status == DISCHARGED:
        return ""
    delta = duty.due_at - now
    return f"due in {span_words(delta)}" if delta > timedelta(0) else \
        f"overdue by {span_words(-delta)}"


def span_words(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 60:
        count, unit = max(minutes, 1), "minute"
    elif minutes < 48 * 60:
        count, unit = minutes // 60, "hour"
    else:
        count, unit = minutes // (24 * 60), "day"
    return f"{count} {unit}{'' if count == 1 else 's'}"


def person_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    people = session.scalars(select(Person).where(Person.id.in_(wanted)))
    return {p.id: person_name(p) for p in people}


def agency_names(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(wanted)))
    return {row[0]: row[1] for row in rows}


def _short(agency_id: str, names: dict[str, str]) -> str:
    return SHORT_NAMES.get(agency_id) or names.get(agency_id, agency_id)


def duty_rows(session: Session, duties: list[Duty], *, now: datetime) -> list[DutyRow]:
    names = person_names(session, (d.subject_person_id for d in duties
                                   if d.subject_person_id is not None))
    agencies = agency_names(session, [a for d in duties
                                      for a in (d.owner_agency_id, d.partner_agency_id)])
    return [
        DutyRow(
            duty=d, title=KINDS[d.kind].title,
            subject=NO_SUBJECT if d.subject_person_id is None
            else names.get(d.subject_person_id, f"person {d.subject_person_id}"),
            owner=_short(d.owner_agency_id, agencies)
            + (f" ({d.owner_role})" if d.owner_role else ""),
            partner=_short(d.partner_agency_id, agencies) if d.partner_agency_id else None,
            overdue=is_overdue(d, now), relative=relative_due(d, now),
        )
        for d in duties
    ]


@dataclass(frozen=True)
class Discharger:
    """One side that may discharge a duty, as its kind declares (rules/kinds.py)."""

    agency_id: str
    # The side the kind names: a share's partner by acknowledging it, or the owner by
    # recording what was done. Otherwise a side that may record one of its own outcomes.
    declared: bool
    acknowledges: bool
    outcomes: tuple[str, ...]


def dischargers(duty: Duty) -> list[Discharger]:
    """Who discharges the duty, in the kind's own words: a police notification is discharged
    by social care's acknowledgement, not by the police who own it. The declared side first."""
    if duty.kind not in KINDS:
        return []
    kind = kind_of(duty.kind)
    found = []
    for side in (kind.discharged_by, *(s for s in Side if s is not kind.discharged_by)):
        agency = duty.partner_agency_id if side is Side.PARTNER else duty.owner_agency_id
        outcomes = tuple(o.words for o in kind.outcomes_for(side))
        declared = side is kind.discharged_by
        if agency and (declared or outcomes):
            found.append(Discharger(agency, declared, declared and side is Side.PARTNER,
                                    outcomes))
    return found


def escalation_words(text: str | None, duty: Duty, agency_name: Callable[[str], str]
                     ) -> str | None:
    """Whom a breach went to, in names: "childrens_social_care supervisor" ->
    "Children's Social Care (MASH) supervisor" (the record keeps the agency's id)."""
    if not text:
        return text
    for agency_id in (duty.owner_agency_id, duty.partner_agency_id):
        if agency_id:
            text = text.replace(agency_id, agency_name(agency_id))
    return text
