"""Find anyone: a name as people mistype it, a date of birth in any common form, an
identifier, an address or a postcode; adults and children; only whom the user may see; each
hit says why; every search audited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.intake.service import IntakeContext
from safeguard.search.service import Found, search
from safeguard.search.terms import parse

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_pages_support import (
    HILLSIDE,
    MIA_NHS,
    accept,
    add_user,
    person_id,
    pupil,
    record_incident,
)

NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)
POTTS = {"line1": "41 Potts Street", "town": "Northampton", "postcode": "NN1 3YF"}
SAMUELS_NHS = "9999458076"
DARRENS_PNC = "01/0989182M"
LILYS_UPN = "W928200119794"


def _police(source_id: str, given: str, family: str, dob: str,
            **ids: str) -> dict[str, object]:
    event: dict[str, object] = {
        "event": "person", "source": "police", "source_id": source_id, "given_name": given,
        "family_name": family, "dob": dob, "address": POTTS,
        "recorded_at": "2026-09-03T08:00:00+00:00"}
    if ids:
        event["ids"] = ids
    return event


@pytest.fixture
def world(session: Session, ctx: IntakeContext) -> dict[str, int]:
    """The incident's household (Mia, Leo, Sarah and Mark Jones), and at 41 Potts Street a
    boy the police know as Samuel Griffitsh and an adult, Darren Cole; Lily at Hillside."""
    ids = record_incident(session, ctx)
    accept(session, ctx, _police("P-1", "Samuel", "Griffitsh", "2015-04-03", nhs=SAMUELS_NHS))
    accept(session, ctx, _police("P-2", "Darren", "Cole", "1979-05-06", pnc=DARRENS_PNC))
    lily = pupil("E-7", "Lily", "Hart", "2016-01-20", HILLSIDE, "5 Elm Close", "NN3 2AB")
    accept(session, ctx, {**lily, "ids": {"upn": LILYS_UPN}})
    add_user(session, "hillside.dsl", f"school-{HILLSIDE}")
    session.commit()
    return {**ids, "samuel": person_id(session, "P-1"), "darren": person_id(session, "P-2"),
            "lily": person_id(session, "E-7")}


def _find(session: Session, who: Principal, query: str) -> Found:
    return search(session, principal=who, query=query, now=NOW)


def _why(found: Found) -> dict[str, list[str]]:
    return {hit.name: [str(r) for r in hit.reasons] for hit in found.hits}


def test_a_mistyped_name_finds_the_record_spelled_otherwise(
    session: Session, world: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    found = _find(session, principal("mash.officer"), "Samuel Griffiths")
    assert _why(found) == {"Samuel Griffitsh": ["name similar to Samuel Griffitsh"]}
    exact = _find(session, principal("mash.officer"), "samuel griffitsh 3 April 2015")
    assert _why(exact) == {"Samuel Griffitsh": ["name", "date of birth"]}


def test_one_name_finds_everyone_recorded_under_that_family_name(
    session: Session, world: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    found = _find(session, principal("mash.officer"), "jones")
    # Mia is known to the police through her duties; Leo (Brook) not at all.
    assert sorted(_why(found)) == ["Mark Jones", "Mia Jones", "Sarah Jones"]
    assert _why(found)["Mark Jones"] == ["family name jones"]


@pytest.mark.parametrize("written", ["03/04/2015", "2015-04-03", "3 April 2015",
                                     "3rd Apr 2015", "April 3, 2015"])
def test_a_date_of_birth_as_people_write_it_finds_who_was_born_then(
    session: Session, world: dict[str, int], principal: Callable[[str], Principal],
    written: str,
) -> None:
    found = _find(session, principal("mash.officer"), written)
    assert _why(found) == {"Samuel Griffitsh": ["date of birth 3 April 2015"]}


def test_an_nhs_number_upn_or_pnc_id_finds_its_holder(
    session: Session, world: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    police = principal("mash.officer")
    assert _why(_find(session, police, "999 945 8076")) == {"Samuel Griffitsh": ["NHS number"]}
    assert _why(_find(session, police, DARRENS_PNC.lower())) == {"Darren Cole": ["PNC ID"]}
    school = principal("hillside.dsl")
    assert _why(_find(session, school, LILYS_UPN)) == {"Lily Hart": ["UPN"]}
    assert _why(_find(session, school, MIA_NHS)) == {"Mia Jones": ["NHS number"]}


def test_a_postcode_or_an_address_finds_adults_and_children_living_there(
    session: Session, world: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    police = principal("mash.officer")
    found = _find(session, police, "nn13yf")
    assert _why(found) == {"Darren Cole": ["postcode NN1 3YF"],
                           "Samuel Griffitsh": ["postcode NN1 3YF"]}
    assert {hit.name: hit.child for hit in found.hits} == {"Darren Cole": False,
                                                           "Samuel Griffitsh": True}
    assert sorted(_why(_find(session, police, "41 Potts St"))) == ["Darren Cole",
                                                                  "Samuel Griffitsh"]
    assert _why(_find(session, police, "41 potts street, NN1 3YF 6 May 1979")) == {
        "Darren Cole": ["date of birth 6 May 1979", "address 41 potts street NN1 3YF"]}
    assert _why(_find(session, police, "42 Potts Street")) == {}


def test_a_school_finds_only_its_own_pupils_and_nobody_finds_a_stranger(
    session: Session, world: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    school = principal("hillside.dsl")
    assert _why(_find(session, school, "Mia Jones")) == {"Mia Jones": ["name"]}
    assert _why(_find(session, school, "Leo Brook")) == {}
    assert _why(_find(session, school, "Samuel Griffiths")) == {}
    health = principal("health.visitor")
    for query in ("Samuel Griffiths", SAMUELS_NHS, "NN1 3YF", "3 April 2015", "jones"):
        assert _find(session, health, query).hits == [], query


def test_every_search_is_audited_with_its_terms_and_whom_it_listed(
    session: Session, world: dict[str, int], principal: Callable[[str], Principal],
) -> None:
    _find(session, principal("mash.officer"), "Samuel  Griffiths")
    entries = session.scalars(select(AuditEntry).where(AuditEntry.actor == "user:mash.officer")
                              .order_by(AuditEntry.id.desc()).limit(2)).all()
    listed, searched = entries
    assert (searched.action, searched.entity, searched.why) == (
        "read", "search", "searched for “Samuel Griffiths”")
    assert (listed.entity, listed.person_id) == ("person", world["samuel"])


def test_the_search_page_and_api_answer_alike_and_without_javascript(
    client: AppClient, world: dict[str, int],
) -> None:
    sign_in(client, "mash.officer")
    page = client.get("/search", params={"q": "Samuel Griffiths"}).text
    assert f'href="/children/{world["samuel"]}">Samuel Griffitsh</a>' in page
    assert "name similar to Samuel Griffitsh" in page and 'action="/search"' in page
    fragment = client.get("/search", params={"q": "nn1 3yf"},
                          headers={"HX-Request": "true"}).text
    assert "<html" not in fragment and "2 people found for “nn1 3yf”" in fragment
    answer = client.get("/api/v1/search", params={"q": SAMUELS_NHS}).json()
    assert answer["results"] == [{"person_id": world["samuel"], "name": "Samuel Griffitsh",
                                  "dob": "2015-04-03", "age": 11, "child": True,
                                  "why": ["NHS number"]}]


def test_a_welsh_reader_is_told_in_welsh_why_each_person_matched(
    client: AppClient, world: dict[str, int],
) -> None:
    token = sign_in(client, "mash.officer")
    client.post("/account/language", data={"csrf_token": token, "language": "cy"})
    page = client.get("/search", params={"q": "Samuel Griffiths 3/4/2015"}).text
    assert "enw tebyg i Samuel Griffitsh; dyddiad geni" in page
    assert "name similar to" not in page and "date of birth" not in page
    place = client.get("/search", params={"q": "nn1 3yf"}).text
    assert "cod post NN1 3YF" in place and "postcode NN1 3YF" not in place
    # The API speaks English whatever the user reads.
    answer = client.get("/api/v1/search", params={"q": "Samuel Griffiths"}).json()
    assert "name similar to Samuel Griffitsh" in answer["results"][0]["why"]


def test_the_text_of_a_search_is_read_for_its_parts() -> None:
    terms = parse("Samuel Griffiths 3/4/2015 nn1 3yf")
    assert (terms.names, terms.dob and terms.dob.isoformat(), terms.postcode) == (
        ["Samuel", "Griffiths"], "2015-04-03", "NN1 3YF")
    assert parse("31/02/2015").dob is None
    assert parse("Flat 2, 12 Acacia Rd").address == "Flat 2 12 Acacia Rd"
    assert parse("").empty
