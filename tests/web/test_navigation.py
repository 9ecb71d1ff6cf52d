"""The main navigation offers only what the signed-in user may do."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from ..conftest import sign_in


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<ul class="govuk-service-navigation__list"[^>]*>(.*?)</ul>', html, re.S)
    assert nav, "page has no service navigation"
    return re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)"', nav.group(1))


@pytest.mark.parametrize(("username", "expected"), [
    ("mash.officer", ["/work", "/duties", "/inbox", "/incidents/new", "/incidents", "/children", "/custody",
                      "/missing", "/imports", "/measures", "/forensics", "/review"]),
    # The custody board: the police's custody suites and the council's out-of-hours team.
    ("csc.worker", ["/work", "/duties", "/inbox", "/children", "/custody", "/missing", "/imports",
                    "/measures", "/review"]),
    ("health.visitor", ["/work", "/duties", "/inbox", "/children", "/imports", "/measures"]),
])
def test_only_the_police_are_offered_record_incident_and_only_reviewers_review(
    client: TestClient, username: str, expected: list[str],
) -> None:
    """...and only the police and children's social care the children missing now."""
    sign_in(client, username)
    assert nav_links(client.get("/duties").text) == expected
