"""Agencies, their users and the API keys of their systems."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    false,
)
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
    # Reviews possible person matches, merges and unmerges (the MASH's research function).
    MASH_RESEARCHER = "mash_researcher"
    # Is alerted to every break-glass access at its agency and reviews them, and oversees who
    # saw what across the partnership: access histories, unusual access.
    INFORMATION_GOVERNANCE = "information_governance"
    # The police public protection unit: manages registered sex offenders, and is the only
    # role that sees the register (with the police agency).
    PUBLIC_PROTECTION = "public_protection"


ROLES = tuple(role.value for role in Role)


class Agency(Base):
    __tablename__ = "agencies"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    school_urn: Mapped[str | None] = mapped_column(String(12), unique=True)
    # Every user of the agency must sign in with a second factor (`safeguard user require-2fa`).
    require_two_factor: Mapped[bool] = mapped_column(Boolean, default=False,
                                                     server_default=false())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    # Their work address for notifications (notify/), set by an administrator; none, no email.
    email: Mapped[str | None] = mapped_column(String(320))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    # Space-separated role names from ROLES; a supervisor is also a practitioner.
    roles: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The language of the pages ("en" or "cy"), chosen with the switch in the header.
    language: Mapped[str] = mapped_column(String(8), default="en", server_default="en")


class Team(Base):
    """A named group of an agency's users (the MASH police team, the duty team), to which a
    duty may be assigned for any member to claim. Managed by the agency's administrators."""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class TeamMember(Base):
    """A user's place in a team of their own agency."""

    __tablename__ = "team_members"

    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


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


class UserSession(Base):
    """A signed-in session, kept server-side so that it can be ended: the cookie holds only a
    random token, and only the token's SHA-256 is stored (a copy of this table signs nobody
    in)."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # What the session was granted on (roles, agency, password, active): when any of them
    # changes the session ends at its next request.
    grant: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_why: Mapped[str | None] = mapped_column(String(100))


class SignInAttempt(Base):
    """Every password or code tried at sign-in, in the database so that throttling holds
    across processes and restarts. The username is as typed (lower-cased), whether or not
    such a user exists."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_username_at", "username", "at"),
                      Index("ix_sign_in_attempts_address_at", "client_address", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100))
    client_address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # failed | succeeded | refused (throttled: the password was not even checked)
    outcome: Mapped[str] = mapped_column(String(16))


class UserSecurityKey(Base):
    """A user's WebAuthn credential (a security key or a platform authenticator such as
    Windows Hello or Touch ID), a second factor like the TOTP code. Only its public key is
    held: the private key never leaves the authenticator."""

    __tablename__ = "user_security_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # The authenticator's credential id (base64url; at most 1,023 bytes by the standard).
    credential_id: Mapped[str] = mapped_column(String(1400), unique=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    # The authenticator's signature counter: one that goes backwards may be a cloned key.
    sign_count: Mapped[int] = mapped_column(BigInteger, default=0)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class UserTwoFactor(Base):
    """A user's time-based one-time code (TOTP, RFC 6238) enrolment."""

    __tablename__ = "user_two_factor"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    # Set once the user has proved their authenticator holds it; until then it is pending.
    secret: Mapped[str | None] = mapped_column(String(64))
    pending_secret: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last 30-second step a code was accepted for: a code is good once.
    last_step: Mapped[int | None] = mapped_column(Integer)
    # This user must sign in with a code (also required by their agency's flag).
    required: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
