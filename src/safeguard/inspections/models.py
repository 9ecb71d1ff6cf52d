"""An inspection, its findings and recommendations, its action plan and its revisits."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class Inspection(Base):
    __tablename__ = "inspections"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The event that recorded it: the plan's and revisits' duties hang from it.
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    inspectorate: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date] = mapped_column(Date)
    published_on: Mapped[date] = mapped_column(Date)
    report_url: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(200))
    plan_duty_id: Mapped[int | None] = mapped_column(ForeignKey("duties.id"))


class Finding(Base):
    """A finding (cause of concern, area for improvement) or recommendation."""

    __tablename__ = "inspection_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    kind: Mapped[str] = mapped_column(String(30))  # finding | recommendation
    text: Mapped[str] = mapped_column(Text)
    # The measures (their slugs) that evidence it.
    measures: Mapped[list[str]] = mapped_column(JSON)
    # How an imported action names it: its event's source_id, or the ref it was sent with.
    ref: Mapped[str | None] = mapped_column(String(128))


class Action(Base):
    """An action of the remedial plan; its clock, status and escalation are its duty's."""

    __tablename__ = "inspection_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    finding_id: Mapped[int | None] = mapped_column(ForeignKey("inspection_findings.id"))
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    owner_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    owner_name: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(Date)
    # Before it is done (its duty discharged): not_started | in_progress, with the evidence
    # gathered so far.
    progress: Mapped[str] = mapped_column(String(20), default="not_started",
                                          server_default="not_started")
    evidence: Mapped[str | None] = mapped_column(Text)
    progress_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Revisit(Base):
    __tablename__ = "inspection_revisits"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # light_touch | full
    on: Mapped[date] = mapped_column(Date)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"), unique=True)
