"""The test suite. Imported before any test module, so before safeguard itself."""

import os

# Every sign-in in the tests verifies a cheap argon2 hash: a production hash costs 64 MiB and a
# good part of a second, and the suite signs in thousands of times (subprocesses it starts
# inherit this). The production parameters are tested in tests/access/test_password_hashing.py.
os.environ.setdefault("SAFEGUARD_PASSWORD_PROFILE", "CHEAPEST")
