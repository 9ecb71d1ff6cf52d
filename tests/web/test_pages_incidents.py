"""Recording a police incident through the web form, and importing JSON Lines."""

from __future__ import annotations

import json
import re

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import sign_in
from .test_pages_support import (
    MIA_NHS,
    accept,
    first_link,
    incident_event,
    incident_form,
    person_id,
    seed_household,
)


def record(client: AppClient, form: dict[str, str]) -> str:
    response = client.post("/incidents", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = str(response.headers["location"])
    assert re.fullmatch(r"/incidents/\d+\?recorded=1", location)
    return location


def test_it_records_a_friday_night_incident_and_finds_the_child_the_officer_did_not_list(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    token = sign_in(client, "mash.officer")
    form_page = client.get("/incidents/new")
    assert form_page.status_code == 200
    # Yes, no and not known for 24 questions, none chosen for the officer.
    assert form_page.text.count('name="dash-q') == 3 * 24
    assert not re.search(r'name="dash-q\d+" type="radio" value="\w+" checked', form_page.text)
    assert all(f'id="people-{i}-role"' in form_page.text for i in range(1, 7))

    page = client.get(record(client, incident_form(token)))
    assert "Incident recorded. 3 duties raised." in page.text
    assert "Not recorded by the officer — found from education record E-88" in page.text
    # Operation Encompass: before the next school day starts, Monday 08:30.
    assert "Mon 30 Nov 2026, 08:30" in page.text
    assert "4 of 24" in page.text
    # Each person the officer recorded says how the product recognised them.
    linked = re.findall(r"data-linked-by>([^<]+)<", page.text)
    assert linked and all(re.match(r"(New person|Matched|Possible)", how) for how in linked)

    duties = client.get("/duties").text
    assert "Child-at-risk notification to children&#39;s social care" in duties
    assert "Operation Encompass notice to school" in duties
    mia = person_id(session, "E-88")
    assert f'href="/children/{mia}"' in duties

    child = client.get(f"/children/{mia}").text
    assert "not listed by the officer; found from education record E-88" in child
    assert "999 291 4173" in child  # NHS number in 3-3-4 groups
    assert MIA_NHS not in child


def test_it_interprets_the_time_typed_as_london_time(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    token = sign_in(client, "mash.officer")
    # 1 July: London is on BST, so 22:40 there is 21:40 UTC.
    page = client.get(record(client, incident_form(
        token, **{"occurred-day": "1", "occurred-month": "7"}))).text
    assert '<time datetime="2026-07-01T21:40:00+00:00">Wed 1 Jul 2026, 22:40</time>' in page


def test_it_shows_every_problem_by_its_field_and_keeps_what_was_typed(
    client: AppClient,
) -> None:
    token = sign_in(client, "mash.officer")
    response = client.post("/incidents", data=incident_form(token, **{
        "address-line1": "", "occurred-time": "25:99", "people-2-nhs": "123",
        "people-3-given_name": "Kai", "people-4-role": "witness",
        "people-4-dob-day": "31", "people-4-dob-month": "2", "people-4-dob-year": "2010",
        "summary": "Shouting heard <b>next door</b>.",
    }))
    assert response.status_code == 422
    html = response.text
    assert "<title>Error: Record a police incident" in html
    summary = html[html.index("govuk-error-summary"):html.index("<h1")]
    for href, text in [
        ("#occurred-time", "Enter the time the incident occurred as hours and minutes"),
        ("#address-line1", "Enter the first line of the address"),
        ("#people-2-nhs", "Person 2 NHS number: has 3 digits; an NHS number has 10"),
        ("#people-3-role", "Select the role of person 3"),
        ("#people-4-given_name", "Enter a given name or family name for person 4"),
        ("#people-4-dob-day", "Person 4 date of birth must be a real date"),
    ]:
        assert f'href="{href}"' in summary, href
        assert text in summary, text
    # Inline too, and in the order of the form.
    assert summary.index("#occurred-time") < summary.index("#address-line1") \
        < summary.index("#people-2-nhs") < summary.index("#people-4-dob-day")
    assert 'id="people-2-nhs-error"' in html
    assert 'class="govuk-input govuk-input--width-10 govuk-input--error" id="people-2-nhs"' in html
    # What was typed is kept (and escaped).
    assert 'value="Kai"' in html and 'value="123"' in html
    assert "Shouting heard &lt;b&gt;next door&lt;/b&gt;." in html
    assert 'value="yes" checked' in html


def test_it_refuses_a_reference_already_used_for_another_incident(
    client: AppClient,
) -> None:
    token = sign_in(client, "mash.officer")
    record(client, incident_form(token))
    again = client.post("/incidents", data=incident_form(token, summary="Something else."))
    assert again.status_code == 422
    assert "Reference INC-20261127-2240 already used for a different incident" in again.text
    # The same form sent twice (a double click) lands on the incident already recorded.
    assert client.post("/incidents", data=incident_form(token),
                       follow_redirects=False).status_code == 303


def test_it_shows_other_agencies_a_clear_message_instead_of_the_incident_form(
    client: AppClient,
) -> None:
    token = sign_in(client, "csc.worker")
    page = client.get("/incidents/new")
    assert page.status_code == 403
    assert "Only the police record incidents here" in page.text
    assert 'name="source_id"' not in page.text
    assert client.post("/incidents", data=incident_form(token)).status_code == 403


def test_it_refuses_a_form_post_without_its_csrf_token(client: AppClient) -> None:
    token = sign_in(client, "mash.officer")
    form = incident_form(token)
    del form["csrf_token"]
    assert client.post("/incidents", data=form).status_code == 403
    assert client.post("/imports", files={"file": ("a.jsonl", b"{}")}).status_code == 403


def test_it_imports_json_lines_and_reports_each_rejected_line(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    token = sign_in(client, "health.visitor")
    assert 'enctype="multipart/form-data"' in client.get("/imports").text
    good = {"event": "person", "source": "health", "source_id": "H-1", "given_name": "Ada",
            "family_name": "Lovelace", "dob": "2019-12-10"}
    lines = [json.dumps(good), json.dumps({**good, "source_id": "H-2", "ids": {"nhs": "123"}}),
             "{not json", "", json.dumps(good),
             json.dumps({**good, "source": "police", "source_id": "P-1"})]
    response = client.post("/imports", data={"csrf_token": token},
                           files={"file": ("health.jsonl", "\n".join(lines).encode())})
    assert response.status_code == 200
    html = response.text
    assert "3 lines could not be imported" in html
    rows = re.findall(r'<th scope="row" class="govuk-table__header govuk-table__header--numeric">'
                      r"(\d+)</th>", html)
    assert rows == ["2", "3", "6"]
    assert "<code>ids.nhs</code>" in html and "not valid JSON" in html
    assert "may not record events for source &#39;police&#39;" in html
    assert re.search(r"Duplicates \(already imported\)\s*</dt>\s*<dd[^>]*>\s*1\s*<", html)
    missing = client.post("/imports", data={"csrf_token": token})
    assert missing.status_code == 422
    assert 'href="#file"' in missing.text


def test_it_counts_duties_raised_by_an_imported_incident(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    token = sign_in(client, "mash.officer")
    line = json.dumps(incident_event("INC-IMPORTED"))
    html = client.post("/imports", data={"csrf_token": token},
                       files={"file": ("police.jsonl", line.encode())}).text
    assert "Every line was imported or already known" in html
    assert re.search(r"Duties raised\s*</dt>\s*<dd[^>]*>\s*3\s*<", html)
    assert first_link(client.get("/duties").text, "/duties")
    assert accept(session, ctx, incident_event("INC-IMPORTED")).outcome == "duplicate"
