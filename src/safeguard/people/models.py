"""Persons as the product knows them, every agency's record of them, addresses and schools."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    uprn: Mapped[str | None] = mapped_column(String(12), unique=True)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    # Indexed: an address whose first line carries its town is recognised among its
    # postcode's addresses (people.service.upsert_address).
    postcode: Mapped[str | None] = mapped_column(String(10), index=True)
    # Normalised first line + postcode (people.names.address_key): how an address without a
    # UPRN is recognised again.
    match_key: Mapped[str] = mapped_column(String(300), index=True)


class Person(Base):
    """One real individual as far as the product can tell, linked to every source record."""

    __tablename__ = "persons"
    __table_args__ = (Index("ix_persons_match_key_dob", "match_key", "dob"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    dob: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(10))
    match_key: Mapped[str] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonRecord(Base):
    """One agency's record of a person, as that agency holds it."""

    __tablename__ = "person_records"
    # A search by family name alone (search.service) reads records through the index on
    # family_name rather than every record.
    __table_args__ = (UniqueConstraint("source", "source_id"),
                      Index("ix_person_records_family_name", "family_name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    source: Mapped[str] = mapped_column(String(64))
    source_id: Mapped[str] = mapped_column(String(160))
    given_name: Mapped[str | None] = mapped_column(String(100))
    family_name: Mapped[str | None] = mapped_column(String(100))
    dob: Mapped[date | None] = mapped_column(Date)
    sex: Mapped[str | None] = mapped_column(String(10))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    school_urn: Mapped[str | None] = mapped_column(String(12), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How the record was linked to its person: "identifier nhs", "name and date of birth", "new".
    linked_by: Mapped[str] = mapped_column(String(100))
    # The child as a concern described them: kept (the concern is about someone), but it is
    # no relationship with the child, so it gives the raising agency no sight of them.
    from_concern: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class PersonIdentifier(Base):
    __tablename__ = "person_identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    scheme: Mapped[str] = mapped_column(String(8))  # nhs | upn | pnc
    value: Mapped[str] = mapped_column(String(20))
    source: Mapped[str] = mapped_column(String(64))


class School(Base):
    __tablename__ = "schools"

    urn: Mapped[str] = mapped_column(String(12), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    phase: Mapped[str | None] = mapped_column(String(20))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"))
    dsl_name: Mapped[str | None] = mapped_column(String(200))
    dsl_email: Mapped[str | None] = mapped_column(String(200))


class PersonBlockingKey(Base):
    """The candidate index: a person is filed under the keys of every record linked to them
    (date of birth, name sound + birth year, postcode + initial, each identifier), so resolving
    a record fetches its few candidates with one indexed query."""

    __tablename__ = "person_blocking_keys"
    __table_args__ = (UniqueConstraint("key", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))


class PersonLink(Base):
    """The evidence for linking a record to its person: how, how sure, by which model."""

    __tablename__ = "person_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("person_records.id"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    # matched | identifier | possible | new | unmatchable | reviewed
    outcome: Mapped[str] = mapped_column(String(20))
    probability: Mapped[float | None] = mapped_column(Float)
    match_weight: Mapped[float | None] = mapped_column(Float)
    agreed: Mapped[str | None] = mapped_column(String(300))  # comma-separated comparisons
    evidence: Mapped[str | None] = mapped_column(Text)  # JSON: levels, guard, candidates
    model_version: Mapped[str | None] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class MatchReview(Base):
    """A possible match for a human to decide: is this record the candidate person?"""

    __tablename__ = "match_reviews"
    __table_args__ = (UniqueConstraint("record_id", "candidate_person_id"),
                      Index("ix_match_reviews_status", "status", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("person_records.id"), index=True)
    candidate_person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    probability: Mapped[float] = mapped_column(Float)
    match_weight: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    model_version: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(12), default="open")  # open | same | different
    decided_by: Mapped[str | None] = mapped_column(String(160))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PersonMerge(Base):
    """Two persons found to be one: ``merged_id``'s rows now belong to ``survivor_id``."""

    __tablename__ = "person_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    survivor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    merged_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    review_id: Mapped[int | None] = mapped_column(ForeignKey("match_reviews.id"))
    reason: Mapped[str] = mapped_column(String(300))
    merged_by: Mapped[str] = mapped_column(String(160))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_by: Mapped[str | None] = mapped_column(String(160))
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PersonMergeMove(Base):
    """One row a merge moved to the survivor (the merge log): what an unmerge moves back."""

    __tablename__ = "person_merge_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("person_merges.id"), index=True)
    table_name: Mapped[str] = mapped_column(String(64))
    column_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int] = mapped_column()
