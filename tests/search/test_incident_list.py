"""The incident list: filtered by date, kind, risk, area and children, bookmarkable, and
showing each agency only the incidents it may open."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.intake.service import IntakeContext
from safeguard.search.incidents import IncidentFilters, list_incidents

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_pages_support import accept, record_incident

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
LATE = "INC-20261127-2240"  # domestic abuse at NN1 1AA on 27 November, Mia found there
EARLY = "INC-20260301-0900"


@pytest.fixture
def incidents(session: Session, ctx: IntakeContext) -> dict[str, int]:
    ids = record_incident(session, ctx)
    event = {"event": "incident", "source": "police", "source_id": EARLY,
             "kind": "concern_for_welfare", "occurred_at": "2026-03-01T09:00:00+00:00",
             "recorded_at": "2026-03-01T10:00:00+00:00",
             "address": {"line1": "8 Bridge Street", "town": "Kettering",
                         "postcode": "NN16 8AB"},
             "officer": "PC 77 Lee", "summary": "Man asleep in a doorway.",
             "people": [{"role": "victim", "given_name": "Tom", "family_name": "Hale",
                         "dob": "1960-01-01"}]}
    early = accept(session, ctx, event, username="mash.officer", now=NOW).incident_id
    session.commit()
    assert early is not None
    return {"late": ids["incident"], "early": early}


def _listed(session: Session, who: Principal, **filters: object) -> list[str]:
    rows = list_incidents(session, principal=who, filters=IncidentFilters(**filters),  # type: ignore[arg-type]
                          now=NOW)
    return [row.incident.reference for row in rows]


def test_the_police_filter_incidents_by_date_kind_risk_area_and_children(
    session: Session, incidents: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    police = principal("mash.officer")
    assert _listed(session, police) == [LATE, EARLY]
    assert _listed(session, police, start=date(2026, 11, 1)) == [LATE]
    assert _listed(session, police, end=date(2026, 3, 1)) == [EARLY]
    assert _listed(session, police, kind="concern_for_welfare") == [EARLY]
    assert _listed(session, police, risk="high") == []
    assert _listed(session, police, area="NN1") == [LATE]
    assert _listed(session, police, area="NN16 8AB") == [EARLY]
    assert _listed(session, police, with_children=True) == [LATE]


def test_other_agencies_list_only_incidents_they_hold_a_duty_from(
    session: Session, incidents: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    assert _listed(session, principal("csc.worker")) == [LATE]
    assert _listed(session, principal("health.visitor")) == []


def test_the_incident_list_is_a_bookmarkable_page(
    client: AppClient, incidents: dict[str, int],
) -> None:
    sign_in(client, "mash.officer")
    page = client.get("/incidents?kind=domestic_abuse&area=nn1&children=yes&start=2026-11-01")
    assert page.status_code == 200
    assert f'href="/incidents/{incidents["late"]}">{LATE}</a>' in page.text
    assert EARLY not in page.text
    assert '<option value="domestic_abuse" selected>' in page.text and 'value="NN1"' in page.text
    bad = client.get("/incidents?start=2026-02-31").text
    assert "Enter a real date" in bad and EARLY in bad
