"""Time to acknowledge: how long each receiving agency takes to acknowledge what is shared
with it, and how often within the deadline — the real-world figure behind "timely sharing"."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.duties.models import Duty
from safeguard.sharing.models import Share


@dataclass(frozen=True)
class AckMeasure:
    agency_id: str
    agency_name: str
    shares: int
    acknowledged: int
    median: timedelta | None
    p90: timedelta | None
    max: timedelta | None
    # Of the shares whose outcome is known (acknowledged, or past their deadline without),
    # the fraction acknowledged by the deadline; None when no outcome is known yet.
    within_deadline: float | None
    overdue_unacknowledged: int


def percentile(values: Sequence[timedelta], fraction: float) -> timedelta | None:
    """Nearest-rank percentile: a value that really occurred, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


def summarise(agency_id: str, agency_name: str,
              rows: Sequence[tuple[datetime, datetime | None, datetime]],
              now: datetime) -> AckMeasure:
    """rows: (sent at, acknowledged at or None, due at) for each share to the agency."""
    waits = [ack - sent for sent, ack, _ in rows if ack is not None]
    on_time = sum(1 for _, ack, due in rows if ack is not None and ack <= due)
    late_open = sum(1 for _, ack, due in rows if ack is None and due < now)
    known = len(waits) + late_open
    return AckMeasure(
        agency_id=agency_id, agency_name=agency_name, shares=len(rows),
        acknowledged=len(waits), median=percentile(waits, 0.5), p90=percentile(waits, 0.9),
        max=max(waits) if waits else None,
        within_deadline=on_time / known if known else None, overdue_unacknowledged=late_open)


def time_to_acknowledge(session: Session, *, now: datetime, since: datetime | None = None,
                        until: datetime | None = None) -> list[AckMeasure]:
    """Per receiving agency, over shares sent in [since, until): count, median, p90, max."""
    query = (select(Share.to_agency_id, Share.delivered_at, Share.created_at,
                    Share.acknowledged_at, Duty.due_at)
             .join(Duty, Duty.id == Share.duty_id))
    if since is not None:
        query = query.where(Share.created_at >= since)
    if until is not None:
        query = query.where(Share.created_at < until)
    grouped: dict[str, list[tuple[datetime, datetime | None, datetime]]] = defaultdict(list)
    for agency, delivered, created, acknowledged, due in session.execute(query):
        grouped[agency].append((delivered or created, acknowledged, due))
    names = dict(session.execute(select(Agency.id, Agency.name)
                                 .where(Agency.id.in_(list(grouped)))).all())
    measures = [summarise(agency, names.get(agency, agency), rows, now)
                for agency, rows in grouped.items()]
    return sorted(measures, key=lambda m: m.agency_name)


def duration_words(value: timedelta | None) -> str:
    """"3 h 05 min", "2 d 4 h", "12 min"; a dash when there is nothing to measure."""
    if value is None:
        return "—"
    minutes = int(value.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {mins:02d} min"
    return f"{mins} min"


def percent_words(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"
