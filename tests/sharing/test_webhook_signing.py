"""Signatures: HMAC-SHA256 over "timestamp.body" with the agency's secret, within a replay
window."""

from __future__ import annotations

from datetime import UTC, datetime

from safeguard.sharing.webhooks import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    canonical_json,
    new_secret,
    sign,
    signature_problem,
    signed_headers,
    verify,
)

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
STAMP = int(NOW.timestamp())
SECRET = "test-secret-not-real"
BODY = canonical_json({"share_id": 7, "kind": "share_with_csc", "subject": {"child_name": "Amy"}})


def test_it_accepts_a_genuine_fresh_request() -> None:
    headers = signed_headers(SECRET, BODY, timestamp=STAMP, idempotency_key="share-7-1")
    assert headers["Idempotency-Key"] == "share-7-1"
    assert headers[SIGNATURE_HEADER].startswith("sha256=") and len(headers[SIGNATURE_HEADER]) == 71
    assert verify(SECRET, BODY, headers[TIMESTAMP_HEADER], headers[SIGNATURE_HEADER], NOW)


def test_it_rejects_a_tampered_body() -> None:
    signature = sign(SECRET, BODY, STAMP)
    tampered = BODY.replace(b"Amy", b"Ann")
    assert not verify(SECRET, tampered, STAMP, signature, NOW)
    assert signature_problem(SECRET, tampered, STAMP, signature, NOW) == \
        "signature does not match the body"


def test_it_rejects_a_signature_made_with_another_secret() -> None:
    assert not verify(SECRET, BODY, STAMP, sign("another-secret", BODY, STAMP), NOW)


def test_it_rejects_an_old_request_replayed_outside_the_window() -> None:
    old = STAMP - 301
    assert not verify(SECRET, BODY, old, sign(SECRET, BODY, old), NOW)
    assert verify(SECRET, BODY, STAMP - 299, sign(SECRET, BODY, STAMP - 299), NOW)
    assert not verify(SECRET, BODY, STAMP + 301, sign(SECRET, BODY, STAMP + 301), NOW)


def test_it_rejects_a_timestamp_moved_to_make_an_old_signature_fresh() -> None:
    old = STAMP - 3600
    assert not verify(SECRET, BODY, STAMP, sign(SECRET, BODY, old), NOW)


def test_it_rejects_missing_or_malformed_headers() -> None:
    assert signature_problem(SECRET, BODY, None, None, NOW) is not None
    assert signature_problem(SECRET, BODY, "yesterday", sign(SECRET, BODY, STAMP), NOW) == \
        "X-Safeguard-Timestamp must be unix seconds"


def test_it_makes_long_random_secrets() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50 and min(len(s) for s in secrets) >= 43


def test_the_body_is_canonical_so_equal_documents_sign_equally() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == canonical_json({"a": "é", "b": 1}) == \
        '{"a":"é","b":1}'.encode()
