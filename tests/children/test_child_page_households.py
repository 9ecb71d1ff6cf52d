"""The child page's Household tab, as a signed-in practitioner sees it."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from safeguard.access.service import create_api_key
from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import sign_in
from .households import seed_family


def _sections(html: str) -> list[tuple[str, str]]:
    """(current or former, the section's HTML) for each household, in page order."""
    return re.findall(r'<section aria-labelledby="household-\d+" data-household="(\w+)">'
                      r'(.*?)</section>', html, re.S)


def test_the_household_tab_shows_each_address_current_first_with_its_members(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_family(session, ctx)
    session.commit()
    sign_in(client, "health.visitor")
    html = client.get(f"/children/{ids['amy']}").text
    (now_kind, now), (before_kind, before) = _sections(html)
    assert (now_kind, before_kind) == ("current", "former")
    assert "3 Mill Lane, Northampton, NN2 2BB" in now and "Current address" in now
    assert "12 Acacia Road, Northampton, NN1 1AA" in before and "Former address" in before
    # The child's dates there, in London time, as <time> elements.
    assert re.search(r'Amy Smith recorded here on <time datetime="2026-10-01T08:00:00\+00:00">'
                     r'Thu 1 Oct 2026, 09:00</time>', now)
    assert "1 child, 1 other person" in now
    # Children first; Leo's date of birth; who knows each; nobody the viewer may not see linked.
    assert now.index("Leo Smith") < now.index("Robert Brown")
    assert "2 Jun 2017" in now and "Police" in now and "Education" in now
    assert "/children/" not in now
    assert f'<a class="govuk-link" href="/children/{ids["jane"]}">Jane Smith</a>' in before
    assert re.search(rf'data-member="{ids["leo"]}">.*?Former</strong>', before, re.S)
    assert re.search(rf'data-member="{ids["jane"]}">.*?Current</strong>', before, re.S)


def test_the_api_gives_each_household_with_its_dates_and_members(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_family(session, ctx)
    _, key = create_api_key(session, agency_id="health", name="health system")
    session.commit()
    body = client.get(f"/api/v1/persons/{ids['amy']}",
                      headers={"Authorization": f"Bearer {key}"}).json()
    now, before = body["households"]
    assert (now["address"], now["current"]) == ("3 Mill Lane, Northampton, NN2 2BB", True)
    assert now["first_seen"] == now["last_seen"] == "2026-10-01T08:00:00Z"
    assert [(m["name"], m["current"], m["agencies"]) for m in before["members"]] == [
        ("Leo Smith", False, ["education"]), ("Jane Smith", True, ["health"])]
    # The earlier flat list is still there for existing clients: each person once.
    assert sorted(p["name"] for p in body["household"]) == [
        "Jane Smith", "Leo Smith", "Robert Brown"]
