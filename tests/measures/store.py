"""A hand-built store for the measures' tests: a few duties whose figures are worked out by
hand in the tests (see each duty's comment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from safeguard.access.service import ensure_agency, ensure_core_agencies
from safeguard.duties.models import BREACHED, DISCHARGED, DUPLICATE, Duty, DutyTransition
from safeguard.duties.service import create_duties
from safeguard.events.service import store_event
from safeguard.incidents.models import Incident
from safeguard.people.models import Address, Person
from safeguard.rules.drafts import DutyDraft
from safeguard.sharing.models import Share

T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)  # October (London)
T1 = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)  # November
H = timedelta(hours=1)
SCHOOL = "school-100001"
CSC = "childrens_social_care"


@dataclass
class Store:
    duties: dict[str, int] = field(default_factory=dict)
    people: dict[str, int] = field(default_factory=dict)


def person(session: Session, name: str) -> int:
    person = Person(given_name=name, family_name="Example", match_key=name.lower())
    session.add(person)
    session.flush()
    return person.id


def _incident(session: Session, ref: str, kind: str, at: datetime, postcode: str) -> int:
    event_id = store_event(session, event_type="incident", source="police", source_id=ref,
                           payload={"reference": ref}, occurred_at=at, via="import",
                           actor="test").event_id
    address = Address(line1=f"1 {ref} Street", postcode=postcode, match_key=ref)
    session.add(address)
    session.flush()
    session.add(Incident(event_id=event_id, reference=ref, kind=kind, occurred_at=at,
                         recorded_at=at, address_id=address.id))
    session.flush()
    return event_id


def add_duty(session: Session, *, event_id: int, kind: str, owner: str, partner: str | None,
             person: int, created: datetime, due: datetime, name: str,
             evidence: tuple[str, ...] = ()) -> int:
    draft = DutyDraft(kind=kind, owner_agency_id=owner, subject_person_id=person, due_at=due,
                      reason="test", rule_name=f"test-{name}", rule_version="1",
                      partner_agency_id=partner, evidence=evidence)
    return create_duties(session, drafts=[draft], event_id=event_id, now=created,
                         actor="test")[0].id


def finish(session: Session, duty_id: int, *, at: datetime | None = None,
           breached: datetime | None = None, outcome: str | None = None) -> None:
    """Discharge at `at` (a share is acknowledged then) and/or breach at `breached`, writing
    the history the measures follow."""
    duty = session.get(Duty, duty_id)
    assert duty is not None
    if breached is not None:
        duty.breached_at, duty.status = breached, BREACHED
        session.add(DutyTransition(duty_id=duty_id, at=breached, action="breached",
                                   from_status="open", to_status=BREACHED, actor="worker"))
    if at is not None:
        duty.discharged_at, duty.status, duty.outcome = at, DISCHARGED, outcome
        share = session.query(Share).filter_by(duty_id=duty_id).one_or_none()
        if share is not None:
            share.acknowledged_at = at
        session.add(DutyTransition(duty_id=duty_id, at=at, action="discharged",
                                   from_status="open", to_status=DISCHARGED, actor="test"))
    session.flush()


def add_share(session: Session, *, event_id: int, person: int, name: str, to: str, kind: str,
              due: datetime, created: datetime, listed: bool = True,
              content: dict[str, object] | None = None) -> int:
    duty_id = add_duty(session, event_id=event_id, kind=kind, owner="police", partner=to,
                       person=person, created=created, due=due, name=name)
    session.add(Share(duty_id=duty_id, kind=kind, from_agency_id="police", to_agency_id=to,
                      subject_person_id=person, event_id=event_id, purpose="test",
                      content=content or {"recorded_by_officer": listed}, created_at=created,
                      delivered_at=created))
    session.flush()
    return duty_id


def build(session: Session) -> Store:
    ensure_core_agencies(session)
    ensure_agency(session, agency_id=SCHOOL, name="Example Primary", kind="school",
                  school_urn="100001")
    s = Store()
    for name in ("Amy", "Ben", "Cara", "Dan", "Eve", "Finn", "Gus", "Hal"):
        s.people[name] = person(session, name)
    october = _incident(session, "INC-OCT", "domestic_abuse", T0, "AB1 2CD")
    november = _incident(session, "INC-NOV", "concern_for_welfare", T1, "AB2 9ZZ")
    due = T0 + 24 * H
    share = {"event_id": october, "kind": "share_with_csc", "to": CSC, "due": due,
             "created": T0 + 0.1 * H}
    # A: acknowledged after 2 h, in time. B: after 30 h, late (breached first).
    # C: never acknowledged, breached. D: open, not yet due (so not counted).
    s.duties["A"] = add_share(session, person=s.people["Amy"], name="A", **share)
    s.duties["B"] = add_share(session, person=s.people["Ben"], name="B", listed=False, **share)
    s.duties["C"] = add_share(session, person=s.people["Cara"], name="C", **share)
    s.duties["D"] = add_share(session, person=s.people["Dan"], name="D", listed=False,
                           **{**share, "due": T0 + 24 * 400 * H})
    # E: the Encompass notice to the school, acknowledged after 1 h, due in 20 h.
    s.duties["E"] = add_share(session, event_id=october, person=s.people["Amy"], name="E",
                           to=SCHOOL, kind="encompass_notice", due=T0 + 20 * H,
                           created=T0 + 0.1 * H)
    # F: November's welfare-incident notification, acknowledged after 4 h.
    s.duties["F"] = add_share(session, event_id=november, person=s.people["Eve"], name="F",
                           to=CSC, kind="share_with_csc", due=T1 + 24 * H,
                           created=T1 + 0.1 * H)
    finish(session, s.duties["A"], at=T0 + 2 * H)
    finish(session, s.duties["B"], breached=due, at=T0 + 30 * H)
    finish(session, s.duties["C"], breached=due)
    finish(session, s.duties["E"], at=T0 + 1 * H)
    finish(session, s.duties["F"], at=T1 + 4 * H)
    concerns = ("Concerns from 2 agencies within 30 days: ...",)
    start = T0 + 24 * H  # 6 October
    sd = {"event_id": october, "kind": "strategy_discussion", "owner": CSC, "partner": None,
          "created": start, "due": start + 24 * H}
    # S1: concerns from 2 agencies, held in time. S2: rising risk, breached, not held.
    # S3: closed as a duplicate (not counted). S4: concerns from 3 agencies, not yet due.
    s.duties["S1"] = add_duty(session, person=s.people["Finn"], name="S1", evidence=concerns,
                              **sd)
    s.duties["S2"] = add_duty(session, person=s.people["Gus"], name="S2",
                              evidence=("Risk escalating: ...",), **sd)
    s.duties["S3"] = add_duty(session, person=s.people["Hal"], name="S3", evidence=concerns,
                              **sd)
    s.duties["S4"] = add_duty(session, person=s.people["Dan"], name="S4",
                              evidence=("Concerns from 3 agencies within 30 days: ...",),
                              **{**sd, "due": start + 24 * 400 * H})
    finish(session, s.duties["S1"], at=start + 3 * H, outcome="section_47")
    finish(session, s.duties["S2"], breached=start + 24 * H)
    finish(session, s.duties["S3"], at=start + 1 * H, outcome=DUPLICATE)
    return s
