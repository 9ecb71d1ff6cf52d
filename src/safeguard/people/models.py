"""Persons as the product knows them, every agency's record of them, addresses and schools."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class Address(Base):
    __tablename__ = "addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    uprn: Mapped[str | None] = mapped_column(String(12), unique=True)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    town: Mapped[str | None] = mapped_column(String(100))
    postcode: Mapped[str | None] = mapped_column(String(10))
    # Normalised first line + postcode: how an address without a UPRN is recognised again.
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
    __table_args__ = (UniqueConstraint("source", "source_id"),)

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
