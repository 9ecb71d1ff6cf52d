"""Signatures: Standard Webhooks — HMAC-SHA256 over "msg_id.timestamp.body" with the agency's
secret, "v1,<base64>", one per valid secret, within a replay window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from safeguard.sharing.webhooks import (
    ID_HEADER,
    IDEMPOTENCY_HEADER,
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
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # a test value, not a real secret
OLD_STYLE = "test-secret-not-real"
BODY = canonical_json({"share_id": 7, "kind": "share_with_csc", "subject": {"child_name": "Amy"}})
MSG = "share-7-1"


def check(secret: str | list[str], body: bytes = BODY, msg_id: str = MSG, stamp: int = STAMP,
          signature: str | None = None) -> bool:
    signature = signature or sign(SECRET, body, msg_id=msg_id, timestamp=stamp)
    return verify(secret, body, msg_id=msg_id, timestamp=stamp, signature=signature, now=NOW)


def test_it_accepts_a_genuine_fresh_request() -> None:
    headers = signed_headers(SECRET, BODY, msg_id=MSG, timestamp=STAMP)
    assert headers[IDEMPOTENCY_HEADER] == headers[ID_HEADER] == MSG
    assert headers[SIGNATURE_HEADER].startswith("v1,") and len(headers[SIGNATURE_HEADER]) == 47
    assert verify(SECRET, BODY, msg_id=MSG, timestamp=headers[TIMESTAMP_HEADER],
                  signature=headers[SIGNATURE_HEADER], now=NOW)


def test_it_signs_exactly_as_the_standard_webhooks_reference_library_does() -> None:
    reference = Webhook(SECRET)
    ours = signed_headers(SECRET, BODY, msg_id=MSG, timestamp=STAMP)
    assert ours[SIGNATURE_HEADER] == reference.sign(MSG, NOW, BODY.decode())
    # And the reference library accepts what we send (it checks against the wall clock).
    now = int(datetime.now(UTC).timestamp())
    fresh = signed_headers(SECRET, BODY, msg_id=MSG, timestamp=now)
    assert reference.verify(BODY, fresh, json_parse=False) is None
    with pytest.raises(WebhookVerificationError):
        reference.verify(BODY, {**fresh, ID_HEADER: "share-8-1"}, json_parse=False)


def test_it_rejects_a_signature_made_for_another_message_id() -> None:
    other = sign(SECRET, BODY, msg_id="share-8-1", timestamp=STAMP)
    assert not check(SECRET, signature=other)
    assert signature_problem(SECRET, BODY, msg_id=MSG, timestamp=STAMP, signature=other,
                             now=NOW) == "signature does not match the message"


def test_it_rejects_a_tampered_body() -> None:
    signature = sign(SECRET, BODY, msg_id=MSG, timestamp=STAMP)
    assert not check(SECRET, body=BODY.replace(b"Amy", b"Ann"), signature=signature)


def test_it_rejects_a_signature_made_with_another_secret() -> None:
    forged = sign(new_secret(), BODY, msg_id=MSG, timestamp=STAMP)
    assert not check(SECRET, signature=forged)


def test_it_accepts_any_of_several_signatures_and_any_of_several_secrets() -> None:
    newer = new_secret()
    both = signed_headers([newer, SECRET], BODY, msg_id=MSG, timestamp=STAMP)[SIGNATURE_HEADER]
    assert len(both.split(" ")) == 2
    # A partner that still holds only the old secret, or already only the new one, accepts it.
    for holder in (SECRET, newer, [SECRET, newer]):
        assert verify(holder, BODY, msg_id=MSG, timestamp=STAMP, signature=both, now=NOW)
    assert not verify(new_secret(), BODY, msg_id=MSG, timestamp=STAMP, signature=both, now=NOW)


def test_old_style_secrets_still_sign_under_the_new_scheme() -> None:
    signature = sign(OLD_STYLE, BODY, msg_id=MSG, timestamp=STAMP)
    assert verify(OLD_STYLE, BODY, msg_id=MSG, timestamp=STAMP, signature=signature, now=NOW)
    assert not verify(SECRET, BODY, msg_id=MSG, timestamp=STAMP, signature=signature, now=NOW)


def test_it_rejects_an_old_request_replayed_outside_the_window() -> None:
    for stamp, fresh in ((STAMP - 301, False), (STAMP - 299, True), (STAMP + 301, False)):
        assert check(SECRET, stamp=stamp) is fresh


def test_it_rejects_a_timestamp_moved_to_make_an_old_signature_fresh() -> None:
    old = sign(SECRET, BODY, msg_id=MSG, timestamp=STAMP - 3600)
    assert not check(SECRET, signature=old)


@pytest.mark.parametrize("signature", ["", "v1", "v1,", "v1,not base64!", "v2,AAAA", "sha256=ab"])
def test_it_rejects_missing_or_malformed_headers_without_an_error(signature: str) -> None:
    assert signature_problem(SECRET, BODY, msg_id=MSG, timestamp=STAMP, signature=signature,
                             now=NOW) is not None
    assert signature_problem(SECRET, BODY, msg_id=None, timestamp=STAMP,
                             signature=sign(SECRET, BODY, msg_id=MSG, timestamp=STAMP),
                             now=NOW) is not None
    assert signature_problem(SECRET, BODY, msg_id=MSG, timestamp="yesterday",
                             signature=sign(SECRET, BODY, msg_id=MSG, timestamp=STAMP),
                             now=NOW) == "webhook-timestamp must be unix seconds"


def test_it_makes_long_random_standard_secrets() -> None:
    secrets = {new_secret() for _ in range(50)}
    assert len(secrets) == 50 and all(s.startswith("whsec_") and len(s) == 50 for s in secrets)
    Webhook(secrets.pop())  # the reference library reads them


def test_the_body_is_canonical_so_equal_documents_sign_equally() -> None:
    assert canonical_json({"b": 1, "a": "é"}) == canonical_json({"a": "é", "b": 1}) == \
        '{"a":"é","b":1}'.encode()
