"""The concern form and the child's home: a concern typed with the home's address files it at
the one address agencies already hold, and the form opened for a child offers the addresses
agencies record them at, so that choosing one files the concern at that very address."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.audit.models import AuditEntry
from safeguard.concerns.models import Concern
from safeguard.intake.service import IntakeContext
from safeguard.people.models import Address, PersonRecord

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_pages_support import accept, person_id

POTTS = {"uprn": "100031234567", "line1": "41 Potts Street", "town": "Northampton",
         "postcode": "NN1 3YF"}
ELM = {"line1": "7 Elm Close", "town": "Northampton", "postcode": "NN2 6AB"}


def record(source_id: str, address: dict[str, str], recorded_at: str) -> dict[str, Any]:
    return {"event": "person", "source": "health", "source_id": source_id,
            "given_name": "Ava", "family_name": "Potts", "dob": "2017-04-02",
            "address": address, "recorded_at": recorded_at}


def seed_ava(session: Session, ctx: IntakeContext) -> dict[str, int]:
    """Ava lived at 7 Elm Close; health now records her at 41 Potts Street (with its UPRN)."""
    accept(session, ctx, record("H-AVA-1", ELM, "2025-06-01T09:00:00+00:00"))
    accept(session, ctx, record("H-AVA-2", POTTS, "2026-09-01T09:00:00+00:00"))
    session.commit()
    homes = dict(session.execute(select(Address.line1, Address.id)).all())
    return {"ava": person_id(session, "H-AVA-1"), "potts": homes["41 Potts Street"],
            "elm": homes["7 Elm Close"]}


def concern_form(client: AppClient, token: str, path: str = "/concerns/new",
                 **fields: str) -> dict[str, str]:
    reference = re.search(r'name="reference" value="([^"]+)"', client.get(path).text)
    assert reference
    return {"csrf_token": token, "reference": reference.group(1), "kind": "neglect",
            "occurred-day": "27", "occurred-month": "11", "occurred-year": "2026",
            "occurred-time": "10:15", "summary": "Ava missed three appointments.",
            "raised_by": "Grace Mensah", "child-given_name": "Ava",
            "child-family_name": "Potts", "child-dob-day": "2", "child-dob-month": "4",
            "child-dob-year": "2017", **fields}


def form_for(client: AppClient, token: str, child: int, **fields: str) -> dict[str, str]:
    """The form as opened from the child's page, filled in."""
    return concern_form(client, token, f"/concerns/new?person={child}", person=str(child),
                        **fields)


def filed_at(session: Session) -> int | None:
    """The address of the record the concern's agency now holds on the child."""
    concern = session.scalars(select(Concern)).one()
    return session.scalar(select(PersonRecord.address_id)
                          .where(PersonRecord.event_id == concern.event_id))


def test_a_concern_typed_with_the_homes_address_is_filed_at_the_home_agencies_hold(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_ava(session, ctx)
    token = sign_in(client, "health.visitor")
    # No UPRN on the form, and written the way people write.
    data = concern_form(client, token, **{"address-line1": "41 potts st., Northampton",
                                          "address-postcode": "nn13yf"})
    assert client.post("/concerns", data=data, follow_redirects=False).status_code == 303
    assert filed_at(session) == ids["potts"]
    assert session.scalar(select(func.count(Address.id))) == 2
    page = client.get(f"/children/{ids['ava']}").text
    assert page.count('data-household="current"') == 1
    current = page.split('data-household="current"')[1].split("</h3>")[0]
    assert "41 Potts Street" in current and "UPRN 100031234567" in page


def test_the_form_opened_for_a_child_offers_the_addresses_agencies_record_them_at(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_ava(session, ctx)
    sign_in(client, "health.visitor")
    page = client.get(f"/children/{ids['ava']}").text
    assert f'href="/concerns/new?person={ids["ava"]}"' in page
    html = client.get(f"/concerns/new?person={ids['ava']}").text
    assert "Raise a concern about Ava Potts" in html
    assert f'name="person" value="{ids["ava"]}"' in html
    assert re.search(r'name="child-given_name"[^>]*value="Ava"', html)
    radios = re.findall(r'name="address-choice" type="radio" value="([^"]+)"', html)
    # The newest first, then a different address, whose fields are revealed when chosen.
    assert radios == [str(ids["potts"]), str(ids["elm"]), "other"]
    assert "41 Potts Street, Northampton, NN1 3YF" in html and "Current address" in html
    assert 'data-aria-controls="conditional-address-choice-4"' in html
    assert 'id="conditional-address-choice-4"' in html and 'name="address-line1"' in html
    assert session.scalar(select(AuditEntry.why).where(
        AuditEntry.person_id == ids["ava"], AuditEntry.action == "read")
        .order_by(AuditEntry.id.desc())) == "opened the concern form for the child"


def test_choosing_a_known_address_files_the_concern_at_that_very_address(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_ava(session, ctx)
    token = sign_in(client, "health.visitor")
    data = form_for(client, token, ids["ava"], **{"address-choice": str(ids["elm"])})
    assert client.post("/concerns", data=data, follow_redirects=False).status_code == 303
    assert filed_at(session) == ids["elm"]
    assert session.scalar(select(func.count(Address.id))) == 2


def test_a_different_address_is_typed_in_and_found_like_any_other(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_ava(session, ctx)
    token = sign_in(client, "health.visitor")
    missing = form_for(client, token, ids["ava"],
                       **{"address-choice": "other", "address-postcode": "NN1 1AA"})
    response = client.post("/concerns", data=missing)
    assert response.status_code == 422
    # The form comes back with the child's addresses still offered.
    assert re.search(r'name="address-choice" type="radio" value="other" checked', response.text)
    typed = dict(missing, **{"address-line1": "3 Mill Lane", "address-postcode": "NN2 2BB"})
    assert client.post("/concerns", data=typed, follow_redirects=False).status_code == 303
    new = session.scalar(select(Address.id).where(Address.line1 == "3 Mill Lane"))
    assert new is not None and filed_at(session) == new


def test_an_address_that_is_not_the_childs_cannot_be_chosen(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_ava(session, ctx)
    accept(session, ctx, {**record("H-LEO", {"line1": "3 Mill Lane", "postcode": "NN2 2BB"},
                                   "2026-09-01T09:00:00+00:00"),
                          "given_name": "Leo", "family_name": "Brook", "dob": "2016-01-05"})
    session.commit()
    elsewhere = session.scalar(select(Address.id).where(Address.line1 == "3 Mill Lane"))
    token = sign_in(client, "health.visitor")
    data = form_for(client, token, ids["ava"], **{"address-choice": str(elsewhere)})
    response = client.post("/concerns", data=data)
    assert response.status_code == 422
    assert "Select one of the child’s addresses, or a different address" in response.text
    assert session.scalars(select(Concern)).all() == []


def test_the_form_is_not_opened_for_a_child_the_user_may_not_see(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_ava(session, ctx)
    token = sign_in(client, "mash.officer")  # the police hold nothing about Ava
    assert client.get(f"/concerns/new?person={ids['ava']}").status_code == 404
    data = concern_form(client, token, person=str(ids["ava"]),
                        **{"address-choice": str(ids["potts"])})
    assert client.post("/concerns", data=data).status_code == 404
    assert session.scalars(select(Concern)).all() == []
