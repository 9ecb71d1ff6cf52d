"""Finding 5: each school is its own source ("school-<urn>"), so a school's record ids never
collide with the council education service's, and a school cannot take one of theirs first."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.concerns.models import Concern
from safeguard.intake.service import IntakeContext
from safeguard.people.models import PersonRecord

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_api import key_for
from ..web.test_pages_support import HILLSIDE, MIA_NHS, add_user, pupil, seed_household
from .forms import concern_form


def _mia(source: str, source_id: str) -> dict[str, object]:
    event = pupil(source_id, "Mia", "Jones", "2018-03-14", HILLSIDE, "12 Acacia Road",
                  "NN1 1AA", nhs=MIA_NHS)
    return {**event, "source": source}


def test_a_schools_key_cannot_take_the_councils_record_id_and_the_councils_record_lands(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    school = key_for(session, f"school-{HILLSIDE}")
    # The council's namespace is the council's: the school may not write in it.
    taken = client.post("/api/v1/events", headers=school, json=_mia("education", "E-777777"))
    assert taken.status_code == 403, taken.text
    # Its own record under the same id is its own source's, and no collision.
    own = client.post("/api/v1/events", headers=school,
                      json=_mia(f"school-{HILLSIDE}", "E-777777"))
    assert own.status_code == 201, own.text
    council = client.post("/api/v1/events", headers=key_for(session, "education"),
                          json=_mia("education", "E-777777"))
    assert council.status_code == 201, council.text
    sources = sorted(session.scalars(select(PersonRecord.source)
                                     .where(PersonRecord.source_id == "E-777777")))
    assert sources == ["education", f"school-{HILLSIDE}"]


def test_a_schools_concern_from_the_form_is_stored_under_its_own_source(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    add_user(session, "hillside.dsl", f"school-{HILLSIDE}")
    token = sign_in(client, "hillside.dsl")
    response = client.post("/concerns", data=concern_form(token, "CON-S-1"),
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    record = session.scalar(select(PersonRecord).where(PersonRecord.source_id == "CON-S-1"))
    assert record is not None and record.source == f"school-{HILLSIDE}"
    concern = session.scalar(select(Concern).where(Concern.event_id == record.event_id))
    assert concern is not None and concern.agency_id == f"school-{HILLSIDE}"


def test_an_unknown_source_is_refused_naming_the_field(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    response = client.post("/api/v1/events", headers=key_for(session, "education"),
                           json=_mia("school-12", "E-1"))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "source"
