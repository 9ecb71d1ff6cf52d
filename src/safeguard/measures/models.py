"""The measures' figures, one row per duty per indicator, kept current as duties change."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime


class MeasureFact(Base):
    """What one duty contributes to one indicator (measures/declarations.py says how).

    Written when the duty's history grows (measures.service.refresh), so a page sums small
    indexed rows for a month, an agency and an area instead of reading every duty, share and
    incident again."""

    __tablename__ = "measure_facts"
    __table_args__ = (
        UniqueConstraint("indicator", "duty_id", name="uq_measure_facts_indicator_duty"),
        # Every page's question: an indicator's months, narrowed by agency and area; the
        # figures themselves ride along so the sums are read from the index alone.
        Index("ix_measure_facts_figures", "indicator", "month", "agency_id", "area", "segment",
              "counted", "met", "breached", "seconds"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(60))
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id"), index=True)
    # The first day of the Europe/London month the duty's clock started in.
    month: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    agency_id: Mapped[str] = mapped_column(String(64))
    # The postcode district of the incident (or of the child's newest address).
    area: Mapped[str] = mapped_column(String(8))
    # The indicator's own breakdown (priority, manager, reason), "" where it has none.
    segment: Mapped[str] = mapped_column(String(60), default="")
    counted: Mapped[bool] = mapped_column(Boolean)
    met: Mapped[bool] = mapped_column(Boolean)
    breached: Mapped[bool] = mapped_column(Boolean)
    seconds: Mapped[float | None] = mapped_column(Float)


class MeasureMonth(Base):
    """The sums of `measure_facts` per indicator, month, agency, area and segment, kept by
    adding each change's difference (measures.facts.rejudge): what a dashboard reads."""

    __tablename__ = "measure_months"
    __table_args__ = (UniqueConstraint("indicator", "month", "agency_id", "area", "segment",
                                       name="uq_measure_months_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(60))
    month: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[str] = mapped_column(String(64))
    area: Mapped[str] = mapped_column(String(8))
    segment: Mapped[str] = mapped_column(String(60))
    rows: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int] = mapped_column(Integer)
    met: Mapped[int] = mapped_column(Integer)
    breached: Mapped[int] = mapped_column(Integer)


class MeasureCursor(Base):
    """How far through the duties' history the figures have been brought up to date."""

    __tablename__ = "measure_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    # The newest transition taken in, and the one before that pass: everything up to the
    # latter is settled (see measures.facts.refresh).
    last_transition_id: Mapped[int] = mapped_column(Integer, default=0)
    settled_transition_id: Mapped[int] = mapped_column(Integer, default=0)
