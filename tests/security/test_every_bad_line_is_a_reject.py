"""Finding 10: one bad line aborted a whole import. A recorded_at of 9999-12-31, an occurred_at
of 0001-01-01 (date overflow converting zones) or a line nested 100,000 deep raised an
uncaught error, rolled the batch back and wrote no rejects file; invalid UTF-8 was replaced
silently by the API, crashed the CLI without a line number and refused the whole file on the
web. Every bad line is now a reject with its number and reason, on every route, and the good
lines land."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from safeguard.access.service import SYSTEM
from safeguard.cli import app as cli
from safeguard.events.models import Event
from safeguard.intake import importer
from safeguard.intake import service as intake_service
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import sign_in
from ..intake.scenario import AMY, FRIDAY_NIGHT, SCHOOL, incident
from ..test_cli import database  # noqa: F401 (a fixture)
from ..web.test_api import key_for

GOOD_PERSON = {"event": "person", "source": "health", "source_id": "H-1", "given_name": "Ada",
               "family_name": "Lovelace", "dob": "2019-12-10"}
FAR_FUTURE = dict(FRIDAY_NIGHT, source_id="INC-9999", recorded_at="9999-12-31T23:59:59+00:00")
YEAR_ONE = incident("INC-0001", "0001-01-01T00:00:00+00:00")
DEEP = "[" * 100_000 + "]" * 100_000
NOT_UTF8 = b'{"event": "person", "source": "health", "source_id": "H-\xff", "given_name": "A"}'


def _jsonl(*lines: object) -> bytes:
    return b"\n".join(line if isinstance(line, bytes) else
                      (line if isinstance(line, str) else json.dumps(line)).encode()
                      for line in lines) + b"\n"


def _events(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Event)) or 0


def test_it_rejects_each_impossible_date_deep_nesting_and_bad_utf8_line_and_keeps_the_rest(
    factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
) -> None:
    lines = _jsonl(SCHOOL, FAR_FUTURE, AMY, YEAR_ONE, DEEP, NOT_UTF8, FRIDAY_NIGHT).splitlines()
    summary = import_lines(factory, lines, principal=SYSTEM, ctx=ctx, batch_size=3)
    assert [(r.line, r.field) for r in summary.rejects] == [
        (2, "recorded_at"), (4, "occurred_at"), (5, "(line)"), (6, "(line)")]
    reasons = [r.reason for r in summary.rejects]
    assert "not a plausible time" in reasons[0] and "not a plausible time" in reasons[1]
    assert reasons[2] == "not valid JSON: nested too deeply"
    assert reasons[3] == "not UTF-8 text: byte 0xff at column 57"
    assert summary.accepted == 3
    assert _events(session) == 3
    # Importing the file again changes nothing and fails on nothing new.
    again = import_lines(factory, lines, principal=SYSTEM, ctx=ctx)
    assert (again.duplicates, again.rejected_lines) == (3, 4)


def test_a_fault_in_storing_one_line_rejects_that_line_only(
    factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    accept = intake_service.accept_event

    def faulty(session: Session, **kwargs: Any) -> Any:
        if kwargs["data"].source_id == "E-88":
            raise OverflowError("date value out of range")  # a fault no test foresaw
        return accept(session, **kwargs)

    monkeypatch.setattr(importer, "accept_event", faulty)
    summary = import_lines(factory, _jsonl(SCHOOL, AMY, FRIDAY_NIGHT).splitlines(),
                           principal=SYSTEM, ctx=ctx)
    [reject] = summary.rejects
    assert (reject.line, reject.source_id) == (2, "E-88")
    assert reject.reason.startswith("could not be stored: an internal error")
    assert summary.accepted == 2 and _events(session) == 2


def test_the_cli_rejects_a_line_that_is_not_utf8_by_its_number(
    database: Path, tmp_path: Path,  # noqa: F811 (the fixture)
) -> None:
    source = tmp_path / "events.jsonl"
    source.write_bytes(_jsonl(SCHOOL, NOT_UTF8, FAR_FUTURE, AMY))
    result = CliRunner().invoke(cli, ["import", str(source), "--json"])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout[result.stdout.index("{"):])
    assert (summary["accepted"], summary["rejected"]) == (2, 2)
    rejects = [json.loads(line) for line in
               (tmp_path / "events.jsonl.rejects.jsonl").read_text().splitlines()]
    assert [(r["line"], r["field"]) for r in rejects] == [(2, "(line)"), (3, "recorded_at")]
    assert rejects[0]["reason"].startswith("not UTF-8 text")


def test_the_api_import_rejects_a_line_that_is_not_utf8_instead_of_replacing_it(
    client: AppClient, session: Session,
) -> None:
    health = key_for(session, "health")
    body = _jsonl(GOOD_PERSON, NOT_UTF8, dict(GOOD_PERSON, source_id="H-2",
                                              recorded_at="9999-12-31T00:00:00+00:00"))
    response = client.post("/api/v1/imports", content=body,
                           headers={**health, "Content-Type": "application/x-ndjson"})
    assert response.status_code == 207, response.text
    summary = response.json()
    assert summary["accepted"] == 1
    assert [(r["line"], r["field"]) for r in summary["rejects"]] == [
        (2, "(line)"), (3, "recorded_at")]


@pytest.mark.parametrize("event", [FAR_FUTURE, YEAR_ONE], ids=["year-9999", "year-1"])
def test_the_events_api_answers_422_for_an_impossible_date(
    client: AppClient, session: Session, event: dict[str, Any],
) -> None:
    response = client.post("/api/v1/events", json=event, headers=key_for(session, "police"))
    assert response.status_code == 422, response.text
    [problem] = response.json()["detail"]
    assert problem["field"] in ("recorded_at", "occurred_at")


def test_the_events_api_answers_400_for_a_body_nested_too_deeply(
    client: AppClient, session: Session,
) -> None:
    response = client.post("/api/v1/events", content=DEEP.encode(),
                           headers={**key_for(session, "police"),
                                    "Content-Type": "application/json"})
    assert response.status_code in (400, 422), response.text


def test_the_web_upload_lists_each_bad_line_and_imports_the_good_ones(
    client: AppClient, session: Session,
) -> None:
    token = sign_in(client, "health.visitor")
    body = _jsonl(GOOD_PERSON, NOT_UTF8, DEEP,
                  dict(GOOD_PERSON, source_id="H-3", recorded_at="9999-12-31T00:00:00+00:00"),
                  dict(GOOD_PERSON, source_id="H-4"))
    response = client.post("/imports", data={"csrf_token": token},
                           files={"file": ("health.jsonl", body)})
    assert response.status_code == 200, response.text
    rows = re.findall(r'<th scope="row" class="govuk-table__header govuk-table__header--numeric">'
                      r"(\d+)</th>", response.text)
    assert rows == ["2", "3", "4"]
    assert "not UTF-8 text" in response.text and "nested too deeply" in response.text
    assert _events(session) == 2
