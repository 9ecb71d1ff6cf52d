"""Users: created once with a password, or with its hash when the caller already has one."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from safeguard.access.service import authenticate_user, ensure_user

from ..factories import PASSWORD, add_user, password_hash


def test_a_user_made_from_a_precomputed_hash_signs_in_with_the_password(session: Session
                                                                         ) -> None:
    user = add_user(session, "new.officer", "police")
    assert user.password_hash == password_hash()
    assert authenticate_user(session, username="new.officer", password=PASSWORD) is user
    assert authenticate_user(session, username="new.officer", password="wrong") is None


def test_a_new_user_needs_a_password_or_its_hash(session: Session) -> None:
    with pytest.raises(ValueError, match="needs a password"):
        ensure_user(session, username="no.password", display_name="No Password",
                    agency_id="police", roles="practitioner")
    # An existing user is returned as they are: nothing to hash.
    assert ensure_user(session, username="mash.officer", display_name="x", agency_id="police",
                       roles="practitioner").display_name == "DC Priya Patel"
