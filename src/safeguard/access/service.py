"""Who is acting: users signing in with passwords, systems with API keys, and their agency."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import ROLES, Agency, AgencyKind, ApiKey, User
from safeguard.errors import Invalid

PASSWORD_PROFILE_VARIABLE = "SAFEGUARD_PASSWORD_PROFILE"


def _password_hasher(profile: str) -> PasswordHasher:
    """Argon2id with one of argon2-cffi's named parameter sets: RFC 9106's low-memory choice
    unless the environment names another. The test suite names CHEAPEST, as Django's tests
    choose a fast hasher: it signs in thousands of times and the hash's cost is not what it
    tests. Hashes carry their own parameters, so a stored hash verifies under any profile and
    is rehashed to the current one at the next sign-in."""
    parameters = getattr(profiles, profile, None)
    if not isinstance(parameters, Parameters):
        known = ", ".join(n for n in dir(profiles) if n.isupper())
        raise ValueError(f"{PASSWORD_PROFILE_VARIABLE}={profile!r} is not an argon2 profile: "
                         f"use one of {known}")
    return PasswordHasher.from_parameters(parameters)


_hasher = _password_hasher(os.environ.get(PASSWORD_PROFILE_VARIABLE, "RFC_9106_LOW_MEMORY"))


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    """Verifying against this when the user does not exist keeps sign-in time the same either
    way. Made on first use: hashing costs 64 MiB and noticeable time, which CLI commands and
    workers that never sign anyone in should not pay."""
    return _hasher.hash("not-a-real-password")


@dataclass(frozen=True)
class Principal:
    kind: str  # user | api_key | system
    id: int
    name: str
    display_name: str
    agency_id: str
    agency_name: str
    agency_kind: str
    roles: frozenset[str]
    school_urn: str | None = None
    language: str = "en"  # of the pages: a user's choice (users.language)

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    def has_role(self, role: str) -> bool:
        return role in self.roles

    def records_for(self, source: str) -> bool:
        """Whether this principal may record events as `source`: an agency records as itself
        only, a school as "school-<urn>" (a source of its own, never the council's
        "education", whose record ids it would otherwise share and could take first); the
        system (CLI import) may load any source. Intake enforces it and the navigation asks
        it, so the two cannot disagree."""
        if self.kind == "system":
            return True
        return self.agency_id == source


SYSTEM = Principal("system", 0, "worker", "safeguard worker", "", "", "system", frozenset())


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def authenticate_user(session: Session, *, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username, User.active.is_(True)))
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is not None and _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def principal_for_user(session: Session, *, user: User) -> Principal:
    agency = session.get_one(Agency, user.agency_id)
    return Principal(
        kind="user",
        id=user.id,
        name=user.username,
        display_name=user.display_name,
        agency_id=agency.id,
        agency_name=agency.name,
        agency_kind=agency.kind,
        roles=frozenset(user.roles.split()),
        school_urn=agency.school_urn,
        language=user.language or "en",
    )


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def parse_roles(roles: str | Iterable[str]) -> str:
    """Roles as stored (space-separated, in the order of `Role`), or Invalid naming the
    unknown ones and the known set: a typo such as `--roles god` must not become a role no
    check in the code knows, nor end in a traceback."""
    names = re.split(r"[\s,]+", roles.strip()) if isinstance(roles, str) else list(roles)
    names = [name.strip() for name in names if name.strip()]
    unknown = sorted({name for name in names if name not in ROLES})
    if unknown:
        raise Invalid(f"unknown role{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}: "
                      f"the roles are {', '.join(ROLES)}")
    if not names:
        raise Invalid(f"give at least one role: {', '.join(ROLES)}")
    return " ".join(role for role in ROLES if role in names)


def known_agency(session: Session, *, agency_id: str) -> Agency:
    """The agency, or Invalid listing the core partners (schools are `school-<URN>`, made
    when the school's record is imported)."""
    agency = session.get(Agency, agency_id.strip()) if agency_id.strip() else None
    if agency is None:
        core = ", ".join(kind.value for kind in CORE_AGENCIES)
        raise Invalid(f"unknown agency {agency_id!r}: the agencies are {core}, and each "
                      "school known to the service as school-<URN>")
    return agency


def create_api_key(
    session: Session, *, agency_id: str, name: str,
    roles: str | Iterable[str] = "practitioner",
) -> tuple[ApiKey, str]:
    """Make a key; the plaintext is returned once and never stored."""
    agency = known_agency(session, agency_id=agency_id)
    name = name.strip()
    if not name or len(name) > 200:
        raise Invalid("name the system the key is for (1 to 200 characters)")
    plaintext = "sg_" + secrets.token_urlsafe(32)
    key = ApiKey(
        name=name, agency_id=agency.id, roles=parse_roles(roles),
        key_hash=_key_hash(plaintext), prefix=plaintext[:10],
    )
    session.add(key)
    session.flush()
    return key, plaintext


def principal_for_api_key(session: Session, *, plaintext: str) -> Principal | None:
    key = session.scalar(
        select(ApiKey).where(ApiKey.key_hash == _key_hash(plaintext), ApiKey.revoked_at.is_(None))
    )
    if key is None:
        return None
    agency = session.get_one(Agency, key.agency_id)
    return Principal(
        kind="api_key",
        id=key.id,
        name=f"{key.id}:{key.name}",
        display_name=key.name,
        agency_id=agency.id,
        agency_name=agency.name,
        agency_kind=agency.kind,
        roles=frozenset(key.roles.split()),
        school_urn=agency.school_urn,
    )


def ensure_agency(
    session: Session, *, agency_id: str, name: str, kind: str, school_urn: str | None = None
) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        agency = Agency(id=agency_id, name=name, kind=kind, school_urn=school_urn)
        session.add(agency)
        session.flush()
    return agency


# The core partners, whose agency id is their kind.
CORE_AGENCIES = {
    AgencyKind.POLICE: "Northamptonshire Police (synthetic)",
    AgencyKind.CHILDRENS_SOCIAL_CARE: "Children's Social Care (MASH)",
    AgencyKind.HEALTH: "Integrated Care Board – health",
    AgencyKind.EDUCATION: "Local authority education service",
    AgencyKind.PROBATION: "Probation Service",
}


def ensure_core_agencies(session: Session) -> None:
    for kind, name in CORE_AGENCIES.items():
        ensure_agency(session, agency_id=kind.value, name=name, kind=kind.value)


def ensure_user(
    session: Session, *, username: str, display_name: str, agency_id: str, roles: str,
    password: str | None = None, password_hash: str | None = None,
) -> User:
    """The user, created if new with the password, or with its `hash_password` hash when the
    caller already has one (tests hash theirs once, not for every user they create)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        agency = known_agency(session, agency_id=agency_id)
        if password is not None:
            password_hash = hash_password(password)
        elif password_hash is None:
            raise ValueError(f"a new user {username!r} needs a password or its hash")
        user = User(
            username=username, display_name=display_name, agency_id=agency.id,
            roles=parse_roles(roles), password_hash=password_hash,
        )
        session.add(user)
        session.flush()
    return user
