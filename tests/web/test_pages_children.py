"""The children pages: search, a child's whole picture, and an incident."""

from __future__ import annotations

import re

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import sign_in
from .test_pages_support import HILLSIDE, add_user, record_incident


def names(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/children/\d+">([^<]+)</a>', html)


def test_it_finds_the_children_an_agency_may_see_and_serves_htmx_a_fragment(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    record_incident(session, ctx)
    sign_in(client, "mash.officer")
    page = client.get("/children").text
    # Police have duties about Mia; Leo is known only to his school.
    assert names(page) == ["Mia Jones"]
    assert 'hx-trigger="keyup changed delay:300ms, search"' in page
    assert '<button type="submit"' in page
    assert names(client.get("/children?q=mia+jon").text) == ["Mia Jones"]
    assert "No children match “leo”." in client.get("/children?q=leo").text
    fragment = client.get("/children?q=mia", headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and names(fragment) == ["Mia Jones"]
    assert '<div id="child-status" hx-swap-oob="innerHTML">1 child matching “mia”</div>' \
        in fragment


def test_it_shows_a_school_only_its_own_pupils(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    add_user(session, "hillside.dsl", f"school-{HILLSIDE}")
    sign_in(client, "hillside.dsl")
    assert names(client.get("/children").text) == ["Mia Jones"]
    assert client.get(f"/children/{ids['leo']}").status_code == 404
    mia = client.get(f"/children/{ids['mia']}").text
    # The school acts on its Encompass notice, and sees it among Mia's duties.
    assert f'href="/duties/{ids["encompass_notice"]}"' in mia
    assert f'href="/duties/{ids["share_with_csc"]}"' not in mia
    notice = client.get(f"/duties/{ids['encompass_notice']}").text
    assert "Acknowledge notice" in notice and "Child present" in notice


def test_it_answers_404_for_a_child_the_agency_has_no_record_or_duty_about(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "health.visitor")
    assert client.get(f"/children/{ids['mia']}").status_code == 404
    assert client.get(f"/incidents/{ids['incident']}").status_code == 404
    assert names(client.get("/children").text) == []


def test_it_shows_who_the_child_is_their_records_household_duties_and_chronology(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "csc.worker")
    html = client.get(f"/children/{ids['mia']}").text
    assert "<h1 class=\"govuk-heading-l\">Mia Jones</h1>" in html
    assert "14 Mar 2018" in html and "999 291 4173" in html
    assert "Hillside Primary School (URN 123456)" in html
    assert "12 Acacia Road, Northampton, NN1 1AA" in html
    assert "E-88" in html and "new person" in html  # the education record, how linked
    assert "Sarah Jones" in html  # household: the victim lives there
    assert 'data-module="govuk-tabs"' in html and 'class="moj-timeline"' in html
    assert "Not listed by the officer; found from education record E-88" not in html
    assert "not listed by the officer; found from education record E-88" in html
    # Duties open first; the ones CSC may open are links.
    assert f'href="/duties/{ids["referral_decision"]}"' in html
    assert f'href="/incidents/{ids["incident"]}"' in html


def test_it_shows_an_incident_with_the_child_the_officer_did_not_record(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "mash.officer")
    html = client.get(f"/incidents/{ids['incident']}").text
    assert "Incident recorded" not in html
    assert "Not recorded by the officer — found from education record E-88" in html
    assert html.count('data-not-recorded="true"') == 1
    assert "1 child who lives at the address was not recorded by the officer" in html
    assert "Sarah Jones" in html and "Victim" in html and "Recorded by the officer" in html
    assert "PC 1234 Ali Shah" in html and "Neighbour reported shouting." in html
    assert "4 of 24" in html and "Standard" in html
    assert html.count("govuk-summary-card") >= 3  # one card per duty raised
    assert "Rule operation-encompass v2" in html


def test_it_shows_a_partner_only_its_part_of_an_incident(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "csc.worker")
    html = client.get(f"/incidents/{ids['incident']}").text
    assert "Mia Jones" in html and "Sarah Jones" not in html
    assert "Operation Encompass" not in html
