"""An incident recorded without the UPRN, its address typed as officers type, is at the home
agencies already hold: the children other agencies record there are found."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.incidents.models import Incident, IncidentPerson
from safeguard.intake.service import IntakeContext
from safeguard.people.models import Address

from ..web.test_pages_support import HILLSIDE, accept, incident_event, person_id, pupil, school


def test_an_incident_typed_without_the_uprn_finds_the_children_at_the_home(
    session: Session, ctx: IntakeContext,
) -> None:
    accept(session, ctx, school(HILLSIDE, "Hillside Primary School"))
    ava = pupil("E-AVA", "Ava", "Potts", "2017-04-02", HILLSIDE, "41 Potts Street", "NN1 3YF")
    ava["address"]["uprn"] = "100031234567"
    accept(session, ctx, ava)
    event = incident_event("INC-POTTS")
    event["address"] = {"line1": "41 Potts St., Northampton", "postcode": "nn1 3yf"}
    accepted = accept(session, ctx, event, username="mash.officer")
    incident = session.get_one(Incident, accepted.incident_id)
    home = session.scalar(select(Address).where(Address.uprn == "100031234567"))
    assert home is not None and incident.address_id == home.id
    assert session.scalar(select(func.count(Address.id))) == 1
    found = session.scalars(select(IncidentPerson.person_id).where(
        IncidentPerson.incident_id == incident.id,
        IncidentPerson.recorded_by_officer.is_(False))).all()
    assert found == [person_id(session, "E-AVA")]
