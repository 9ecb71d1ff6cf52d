"""A schema-driven fuzz of the whole OpenAPI document (Schemathesis): every operation the API
publishes is called with requests generated from its schema — valid ones, and ones just
outside it — by a signed-in API key, and no answer may be a server error (5xx). Bad input is
the client's to fix (4xx), never a crash.

The run is bounded and repeatable: a few examples per operation, derandomized (the same
requests every run, so a failure reproduces), on SQLite."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from safeguard.access.models import ROLES
from safeguard.access.service import SYSTEM, create_api_key
from safeguard.app import create_app
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.intake.importer import import_lines
from safeguard.intake.service import build_context

from ..factories import migrated_store, seed_users
from ..intake.scenario import AMY, EARLIER, FRIDAY_NIGHT, SCHOOL

# Per operation: enough to reach past validation into each handler's own checks, few enough
# that the whole document runs in seconds; SAFEGUARD_FUZZ_EXAMPLES asks for a deeper run.
EXAMPLES = int(os.environ.get("SAFEGUARD_FUZZ_EXAMPLES", "12"))


@dataclass(frozen=True)
class Fuzzed:
    app: FastAPI
    headers: dict[str, str]


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fuzzed]:
    url = migrated_store("sqlite", Path(tmp_path_factory.mktemp("fuzz")), "fuzz")
    engine = make_engine(url)
    factory = make_session_factory(engine)
    # A child, a school and an incident: people, incidents, duties and shares with small ids
    # exist, so generated ids reach the handlers' access checks, not only "not found".
    import_lines(factory, [json.dumps(e) for e in (SCHOOL, AMY, FRIDAY_NIGHT, *EARLIER)],
                 principal=SYSTEM, ctx=build_context(Settings()))
    with transaction(factory) as session:
        seed_users(session)
        # A key with every role: refused by no role check, the fuzz reaches every handler.
        _, key = create_api_key(session, agency_id="childrens_social_care", name="Fuzz",
                                roles=ROLES)
    app = create_app(Settings(database_url=url, cookie_secure=False), engine=engine,
                     session_factory=factory)
    yield Fuzzed(app, {"Authorization": f"Bearer {key}", "x-api-key": key})
    engine.dispose()


def server_errors(operation: Any, fuzzed: Fuzzed) -> list[str]:
    """The requests to one operation, generated from its schema, that a 5xx answered."""
    found: list[str] = []
    # The key is fixed: generated (or broken) credentials would stop every request at 401.
    strategies = [operation.as_strategy(mode, headers=fuzzed.headers)
                  for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    ids = {parameter.name: 1 for parameter in operation.path_parameters}
    if ids:  # the scenario's first person, incident, duty...: past "not found"
        strategies.append(operation.as_strategy(GenerationMode.POSITIVE,
                                                headers=fuzzed.headers, path_parameters=ids))
    cases = st.one_of(*strategies)

    @given(case=cases)
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    def call(case: Any) -> None:
        # The test client re-raises what the app did not handle (a client would get a 500).
        try:
            status = str(case.call().status_code)
        except Exception as error:  # any crash at all is the finding
            status = f"500 ({error!r})"
        if status.startswith("5") and len(found) < 3:
            found.append(f"{status} from {case.as_curl_command()}")

    call()
    return found


def test_no_request_the_schema_describes_makes_a_server_error(fuzzed: Fuzzed) -> None:
    # The document itself needs sign-in (it maps every route), so it is read with the key.
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzzed.app,
                                            headers=fuzzed.headers)
    operations = [result.ok() for result in schema.get_all_operations()]
    published = {f"{method.upper()} {path}" for path, item in fuzzed.app.openapi()["paths"].items()
                 for method in item}
    assert {op.label for op in operations} == published, "every operation, not a corner"
    failures = {op.label: found for op in operations if (found := server_errors(op, fuzzed))}
    assert not failures, "\n".join(f"{label}:\n  " + "\n  ".join(found)
                                    for label, found in failures.items())
