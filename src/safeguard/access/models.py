"""Agencies, their users and the API keys of their systems."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from safeguard.db import Base, UTCDateTime, utcnow


class AgencyKind(StrEnum):
    """What kind of agency: the core partners' ids equal their kind; schools are "school-<urn>"."""

    POLICE = "police"
    CHILDRENS_SOCIAL_CARE = "childrens_social_care"
    HEALTH = "health"
    EDUCATION = "education"
    PROBATION = "probation"
    SCHOOL = "school"


AGENCY_KINDS = tuple(kind.value for kind in AgencyKind)


class Role(StrEnum):
    """A user's or API key's roles within its agency; a supervisor is also a practitioner."""

    PRACTITIONER = "practitioner"
    SUPERVISOR = "supervisor"
    SENIOR_MANAGER = "senior_manager"
    ADMIN = "admin"
    # Oversees who saw what across the partnership: access histories, unusual access.
    INFORMATION_GOVERNANCE = "information_governance"


ROLES = tuple(role.value for role in Role)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    school_urn: Mapped[str | None] = mapped_column(String(12), unique=True)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Space-separated role names from ROLES; a supervisor is also a practitioner.
    roles: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    roles: Mapped[str] = mapped_column(String(200))
    # Only a SHA-256 of the key is kept: keys are long random tokens, so a slow hash adds nothing.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
