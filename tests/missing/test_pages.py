"""The episode page, the missing-now list, the child's missing tab and the SSDA903 export."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.intake.importer import import_lines
from safeguard.missing.models import MissingEpisode

from ..conftest import sign_in
from .scenario import KNOWN, report, returned, update


def test_police_and_social_care_read_the_episode_and_only_social_care_exports_it(
        client: TestClient, session: Session) -> None:
    ctx = client.app.state.rules  # type: ignore[attr-defined]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    events = [*KNOWN,
              report("MP-2026-0009", last_seen_at="2026-03-31T23:30:00+00:00",
                     reported_at="2026-04-01T01:00:00+01:00", risk="no_apparent_risk"),
              returned("MP-R-9", "MP-2026-0009", at="2026-04-02T10:00:00+01:00"),
              report(risk="high", exploitation_indicators=["county_lines"]),
              update("MP-U-1", at="2026-11-20T21:00:00+00:00",
                     note="Checked with the school: not seen since 15:30")]
    summary = import_lines(factory, [json.dumps(e) for e in events], principal=SYSTEM, ctx=ctx)
    assert summary.rejects == []
    episode = session.scalars(select(MissingEpisode).where(
        MissingEpisode.reference == "MP-2026-0001")).one()

    sign_in(client, "mash.officer")
    page = client.get(f"/missing/{episode.id}")
    assert page.status_code == 200
    assert "moj-timeline" in page.text and "Checked with the school" in page.text
    assert "county lines" in page.text and "Missing now" in page.text
    live = client.get("/missing")
    assert live.status_code == 200 and "MP-2026-0001" in live.text
    assert "MP-2026-0009" not in live.text  # returned
    assert client.get("/missing/ssda903.csv?year=2026").status_code == 403
    child = client.get(f"/children/{episode.person_id}")
    assert "Missing (1 in 90 days)" in child.text  # April's episode is months before
    assert f'href="/missing/{episode.id}"' in child.text

    sign_in(client, "csc.worker")
    assert client.get(f"/missing/{episode.id}").status_code == 200
    export = client.get("/missing/ssda903.csv?year=2027")
    assert export.status_code == 200
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert list(rows[0]) == ["CHILD", "SEX", "DOB", "MISSING", "MIS_START", "MIS_END"]
    # 23:30 UTC on 31 March is 00:30 on 1 April in London: the year ending March 2027.
    assert [(r["SEX"], r["DOB"], r["MISSING"], r["MIS_START"], r["MIS_END"]) for r in rows] == [
        ("2", "01/05/2016", "A", "01/04/2026", "02/04/2026"),
        ("2", "01/05/2016", "M", "20/11/2026", "")]
    earlier = client.get("/missing/ssda903.csv?year=2026")
    assert earlier.text.strip() == "CHILD,SEX,DOB,MISSING,MIS_START,MIS_END"
