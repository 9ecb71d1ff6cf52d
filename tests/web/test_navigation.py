"""The main navigation offers every area to exactly those who may open it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.web.navigation import AREAS, navigation

from ..app_client import AppClient
from ..conftest import sign_in
from ..factories import add_user

# username: (agency, roles): one user for each way in to an area.
ROLES = {"mash.officer": ("police", "practitioner mash_researcher"),
         "csc.worker": ("childrens_social_care", "practitioner mash_researcher"),
         "health.visitor": ("health", "practitioner"),
         "ppu.officer": ("police", "practitioner public_protection"),
         "police.ig": ("police", "information_governance"),
         "police.admin": ("police", "admin"),
         "education.officer": ("education", "practitioner senior_manager")}
EVERYONE = ["/work", "/duties", "/inbox", "/incidents", "/children"]
POLICE = ["/custody", "/missing"]
FIGURES = ["/imports", "/measures", "/inspections"]
EXPECTED = {
    "mash.officer": [*EVERYONE[:3], "/incidents/new", *EVERYONE[3:], *POLICE, "/forensics",
                     *FIGURES, "/review"],
    # The custody board: the police's custody suites and the council's out-of-hours team.
    "csc.worker": [*EVERYONE, *POLICE, *FIGURES, "/review"],
    "health.visitor": [*EVERYONE, *FIGURES],
    "ppu.officer": [*EVERYONE[:3], "/incidents/new", *EVERYONE[3:], *POLICE, "/offenders",
                    "/forensics", *FIGURES],
    "police.ig": [*EVERYONE[:3], "/incidents/new", *EVERYONE[3:], *POLICE, "/forensics",
                  *FIGURES, "/break-glass", "/governance/unusual"],
    "police.admin": [*EVERYONE[:3], "/incidents/new", *EVERYONE[3:], *POLICE, "/forensics",
                     *FIGURES, "/admin/users"],
    "education.officer": [*EVERYONE, *FIGURES],
}


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<ul class="govuk-service-navigation__list"[^>]*>(.*?)</ul>', html, re.S)
    assert nav, "page has no service navigation"
    return re.findall(r'<a class="govuk-service-navigation__link" href="([^"]+)"', nav.group(1))


def _principal(username: str) -> Principal:
    agency, roles = ROLES[username]
    return Principal("user", 1, username, username, agency, agency, agency,
                     frozenset(roles.split()))


@pytest.mark.parametrize("username", list(EXPECTED))
def test_each_role_is_offered_the_areas_it_uses(username: str) -> None:
    assert [area.href for area in navigation(_principal(username))] == EXPECTED[username]


def test_every_area_is_offered_exactly_to_the_users_it_opens_for(
    engine: Engine, session: Session, client: AppClient,
) -> None:
    """Each of them opens every area: what opens is what the page's navigation offers, and
    what it leaves out refuses them. (The pages' checks are the same on both databases.)"""
    if engine.dialect.name != "sqlite":
        pytest.skip("the pages' checks do not depend on the database")
    for username, (agency, roles) in ROLES.items():
        add_user(session, username, agency, roles)
    session.commit()
    for username in ROLES:
        client.cookies.clear()
        sign_in(client, username)
        offered = nav_links(client.get("/duties").text)
        assert offered == EXPECTED[username]
        opens = [area.href for area in AREAS
                 if client.get(area.href, follow_redirects=False).status_code == 200]
        assert offered == opens, username
