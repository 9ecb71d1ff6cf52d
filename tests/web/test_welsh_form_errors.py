"""A mistake on the incident or the concern form is told in Welsh to a Welsh user: the error
summary and each field's message."""

from __future__ import annotations

from ..app_client import AppClient
from ..conftest import sign_in_in_welsh
from .test_pages_support import incident_form


def test_a_welsh_officer_is_told_in_welsh_what_is_wrong_with_the_incident_form(
    client: AppClient,
) -> None:
    token = sign_in_in_welsh(client, "mash.officer")
    response = client.post("/incidents", data=incident_form(token, **{
        "address-line1": "", "occurred-time": "25:99", "people-3-given_name": "Kai",
        "people-4-role": "witness", "people-4-dob-day": "31", "people-4-dob-month": "2",
        "people-4-dob-year": "2010"}))
    assert response.status_code == 422
    html = response.text
    summary = html[html.index("govuk-error-summary"):html.index("<h1")]
    for welsh in ("Rhowch yr amser y digwyddodd y digwyddiad fel oriau a munudau",
                  "Rhowch linell gyntaf y cyfeiriad", "Dewiswch rôl person 3",
                  "Rhowch enw cyntaf neu gyfenw ar gyfer person 4",
                  "Dyddiad geni person 4: rhaid iddo fod yn ddyddiad go iawn"):
        assert welsh in summary, welsh
        assert html.count(welsh) == 2, welsh  # in the summary and by its field
    for english in ("Enter the", "Select the role", "date of birth must"):
        assert english not in html, english


def test_a_welsh_worker_is_told_in_welsh_what_is_wrong_with_the_concern_form(
    client: AppClient,
) -> None:
    token = sign_in_in_welsh(client, "csc.worker")
    response = client.post("/concerns", data={
        "csrf_token": token, "occurred-day": "3", "occurred-month": "13",
        "occurred-year": "2026", "child-dob-day": "x"})
    assert response.status_code == 422
    html = response.text
    for welsh in ("Dewiswch am beth mae’r pryder", "Dyddiad y pryder: rhaid iddo fod yn "
                  "ddyddiad go iawn", "Disgrifiwch y pryder", "Dyddiad geni’r plentyn: rhaid "
                  "iddo fod yn ddyddiad go iawn, mewn rhifau"):
        assert welsh in html, welsh
    for english in ("Select what the concern", "Describe the concern", "The date of the concern",
                    "must be a real date"):
        assert english not in html, english
