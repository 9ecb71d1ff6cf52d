"""Security keys as a second factor: WebAuthn (W3C Web Authentication) by py_webauthn.

Where the browser has WebAuthn, a user can register a security key or the device's own
authenticator (Windows Hello, Touch ID, an Android phone) and then complete sign-in with it
instead of a code. The server keeps only each credential's public key and signature counter;
every ceremony is bound to a fresh random challenge (kept in the signed session cookie,
used once), to this site's origin and relying-party id (a key registered here answers no
other site, so a phishing page cannot borrow it), and a counter that goes backwards — a
cloned key — is refused by the library.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from safeguard.access.models import User, UserSecurityKey
from safeguard.errors import Invalid

RP_NAME = "safeguard"
NAME_MAX = 100
# What a malformed or forged response raises inside the library besides its own errors.
MALFORMED = (WebAuthnException, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class RelyingParty:
    """This site as WebAuthn sees it: the host name keys are bound to and the origin pages
    are served from."""

    id: str
    origin: str


def keys_of(session: Session, *, user_id: int) -> list[UserSecurityKey]:
    return list(session.scalars(select(UserSecurityKey).where(
        UserSecurityKey.user_id == user_id).order_by(UserSecurityKey.id)))


def has_key(session: Session, *, user_id: int) -> bool:
    return session.scalar(select(UserSecurityKey.id).where(
        UserSecurityKey.user_id == user_id).limit(1)) is not None


def _descriptors(keys: list[UserSecurityKey]) -> list[PublicKeyCredentialDescriptor]:
    return [PublicKeyCredentialDescriptor(id=base64url_to_bytes(key.credential_id))
            for key in keys]


def registration_options(session: Session, *, user: User, rp: RelyingParty
                         ) -> tuple[str, str]:
    """The options for navigator.credentials.create() as JSON, and the challenge to keep."""
    options = generate_registration_options(
        rp_id=rp.id, rp_name=RP_NAME, user_name=user.username,
        user_id=f"safeguard-user-{user.id}".encode(), user_display_name=user.display_name,
        # A key already registered is not registered twice.
        exclude_credentials=_descriptors(keys_of(session, user_id=user.id)),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED))
    return options_to_json(options), bytes_to_base64url(options.challenge)


def register(session: Session, *, user: User, response: str, challenge: str,
             rp: RelyingParty, name: str, now: datetime) -> UserSecurityKey:
    """Keep the credential the browser made, if it answers this challenge for this site."""
    name = " ".join(name.split()) or "Security key"
    if len(name) > NAME_MAX:
        raise Invalid(f"a key's name is at most {NAME_MAX} characters")
    try:
        verified = verify_registration_response(
            credential=response, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id, expected_origin=rp.origin)
    except MALFORMED as error:
        raise Invalid(f"the security key could not be registered: {error}") from error
    credential_id = bytes_to_base64url(verified.credential_id)
    if session.scalar(select(UserSecurityKey.id).where(
            UserSecurityKey.credential_id == credential_id)) is not None:
        raise Invalid("this security key is already registered")
    key = UserSecurityKey(user_id=user.id, credential_id=credential_id,
                          public_key=verified.credential_public_key,
                          sign_count=verified.sign_count, name=name, created_at=now)
    session.add(key)
    session.flush()
    return key


def authentication_options(session: Session, *, user_id: int, rp: RelyingParty
                           ) -> tuple[str, str]:
    """The options for navigator.credentials.get() naming the user's keys, and the challenge
    to keep."""
    options = generate_authentication_options(
        rp_id=rp.id, allow_credentials=_descriptors(keys_of(session, user_id=user_id)),
        user_verification=UserVerificationRequirement.PREFERRED)
    return options_to_json(options), bytes_to_base64url(options.challenge)


def authenticate(session: Session, *, user_id: int, response: str, challenge: str,
                 rp: RelyingParty, now: datetime) -> UserSecurityKey | None:
    """The user's key that signed this challenge for this site, or None."""
    try:
        credential_id = json.loads(response)["id"]
    except (ValueError, KeyError, TypeError):
        return None
    if not isinstance(credential_id, str):
        return None
    key = session.scalar(select(UserSecurityKey).where(
        UserSecurityKey.user_id == user_id, UserSecurityKey.credential_id == credential_id))
    if key is None:
        return None
    try:
        verified = verify_authentication_response(
            credential=response, expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=rp.id, expected_origin=rp.origin,
            credential_public_key=key.public_key, credential_current_sign_count=key.sign_count)
    except MALFORMED:
        return None
    key.sign_count, key.last_used_at = verified.new_sign_count, now
    session.flush()
    return key


def remove_key(session: Session, *, user_id: int, key_id: int) -> UserSecurityKey | None:
    key = session.get(UserSecurityKey, key_id)
    if key is None or key.user_id != user_id:
        return None
    session.delete(key)
    session.flush()
    return key


def forget_keys(session: Session, *, user_id: int) -> None:
    """Every key of the user (a lost key: an administrator resets two-factor sign-in)."""
    session.execute(delete(UserSecurityKey).where(UserSecurityKey.user_id == user_id))
