"""Passwords are hashed with Argon2id at RFC 9106's low-memory parameters unless the
environment names another argon2-cffi profile (the test suite names a cheap one)."""

from __future__ import annotations

import pytest
from argon2 import profiles

from safeguard.access.service import _password_hasher


def test_the_default_profile_is_rfc_9106_low_memory_argon2id() -> None:
    hasher = _password_hasher("RFC_9106_LOW_MEMORY")
    hashed = hasher.hash("correct horse")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert hasher.verify(hashed, "correct horse")


def test_a_hash_made_under_another_profile_verifies_and_asks_to_be_rehashed() -> None:
    cheap = _password_hasher("CHEAPEST").hash("correct horse")
    production = _password_hasher("RFC_9106_LOW_MEMORY")
    assert production.verify(cheap, "correct horse")
    assert production.check_needs_rehash(cheap)
    assert profiles.CHEAPEST.memory_cost < profiles.RFC_9106_LOW_MEMORY.memory_cost


def test_an_unknown_profile_is_refused_with_the_known_ones() -> None:
    with pytest.raises(ValueError, match="'FAST' is not an argon2 profile: use one of .*CHEAPEST"):
        _password_hasher("FAST")
