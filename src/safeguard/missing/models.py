"""Missing episodes and what happened in each, in order (the episode page's timeline)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime

# A child is missing once at a time: a second report while one episode is open is refused
# by intake, and the database refuses it too when two arrive at once.
ONE_OPEN_EPISODE = "uq_missing_episodes_one_open"
_OPEN = text("returned_at IS NULL")


class MissingEpisode(Base):
    __tablename__ = "missing_episodes"
    __table_args__ = (
        Index(ONE_OPEN_EPISODE, "person_id", unique=True, postgresql_where=_OPEN,
              sqlite_where=_OPEN),
        Index("ix_missing_episodes_person_last_seen", "person_id", "last_seen_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), unique=True)
    # The police missing-person reference (the report's source_id), named by later events.
    reference: Mapped[str] = mapped_column(String(128), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    missing_from: Mapped[str] = mapped_column(String(8))  # home | care
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"))
    placement_provider: Mapped[str | None] = mapped_column(String(200))
    placement_address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"))
    # Another council responsible for a looked-after child: its DfE code and name as reported,
    # and its agency when it is registered (None: the notice could not be sent to it).
    placing_authority_code: Mapped[str | None] = mapped_column(String(3))
    placing_authority_name: Mapped[str | None] = mapped_column(String(100))
    placing_agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The risk that stands now (re-graded by updates) and every exploitation indicator seen.
    risk: Mapped[str] = mapped_column(String(20))
    exploitation_indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    circumstances: Mapped[str | None] = mapped_column(Text)
    officer: Mapped[str | None] = mapped_column(String(200))
    # False for history imported from before the product went live: kept, raises no duties.
    live: Mapped[bool] = mapped_column(Boolean, default=True)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    where_found: Mapped[str | None] = mapped_column(String(200))
    harm_disclosed: Mapped[bool | None] = mapped_column(Boolean)
    interview_outcome: Mapped[str | None] = mapped_column(String(20))
    interview_held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # False when the interview was not held by someone independent of the child's care:
    # shown as a flag on the episode.
    interview_independent: Mapped[bool | None] = mapped_column(Boolean)
    # Time-driven checks the worker makes while the child is still missing: when each is due
    # (indexed: the worker reads "due and not yet made") and when it was made (claimed with a
    # conditional update, so two workers never make one twice).
    long_open_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    long_open_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    school_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    school_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MissingEntry(Base):
    """One thing that happened in an episode: report, update (re-grading, a check made),
    return, interview, or a check the worker made. Never changed once written."""

    __tablename__ = "missing_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("missing_episodes.id"), index=True)
    # None for the worker's own checks, which no event brought.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    # report | update | return | interview | still_missing | school_check
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    risk: Mapped[str | None] = mapped_column(String(20))
    indicators: Mapped[list[str] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str | None] = mapped_column(String(200))
