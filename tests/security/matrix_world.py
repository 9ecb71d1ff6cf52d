"""The world the authorisation matrix probes (this module holds no tests).

Five core agencies and two schools, each with a user and an API key per role that matters;
and objects whose relationships are known: Mia (Hillside's pupil, a police incident at her
home, duties and shares from it), Leo (Brook's pupil, a concern Brook raised), Ray (known to
probation only), Ian (on the police register of sex offenders), a break-glass grant of
Brook's, a possible match and a merge, a delivery, and every agency's users and keys. Built
once per backend, committed for real.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import ApiKey, Team, User, UserSecurityKey
from safeguard.access.service import (
    Principal,
    create_api_key,
    ensure_core_agencies,
    ensure_user,
    principal_for_user,
)
from safeguard.casework.merges import decide
from safeguard.children.breakglass import break_glass
from safeguard.concerns.models import Concern
from safeguard.config import InspectionSettings
from safeguard.duties.models import Duty
from safeguard.forensics.models import Device
from safeguard.inspections.service import add_action, add_finding, record_inspection
from safeguard.intake.service import IntakeContext
from safeguard.missing.models import MissingEpisode
from safeguard.offenders.models import OffenderRegistration
from safeguard.people.models import MatchReview
from safeguard.sharing.models import Delivery, Share
from safeguard.sharing.webhooks import set_endpoint

from ..factories import USERS, password_hash
from ..people.helpers import add, person
from ..web.test_pages_support import BROOK, HILLSIDE, accept, person_id, record_incident

HILLSIDE_SCHOOL = f"school-{HILLSIDE}"
BROOK_SCHOOL = f"school-{BROOK}"
AGENCIES = ("police", "childrens_social_care", "health", "education", "probation",
            HILLSIDE_SCHOOL, BROOK_SCHOOL)
ROLES = ("practitioner", "supervisor", "mash_researcher", "information_governance", "admin")
# When the world's break-glass grant was made, and the time the app's clock shows: the grant
# is live, so a refusal of another agency's grant is not just its having lapsed.
NOW = datetime(2026, 11, 28, 0, 30, tzinfo=UTC)
ALL = frozenset(AGENCIES)


def username(agency: str, role: str) -> str:
    return f"m.{agency}.{role}".replace("_", "-")


@dataclass
class Thing:
    """An object a route may name: its id and the agencies with a relationship to it."""

    kind: str
    label: str
    id: int
    entitled: frozenset[str]
    # The agency it belongs to, for role-gated routes (a role's check on its own agency).
    home: str | None = None


@dataclass
class World:
    things: list[Thing] = field(default_factory=list)
    keys: dict[tuple[str, str], str] = field(default_factory=dict)

    def of(self, kind: str) -> list[Thing]:
        found = [t for t in self.things if t.kind == kind]
        assert found, f"the world holds no {kind}"
        return found


def build(session: Session, ctx: IntakeContext) -> World:
    ensure_core_agencies(session)
    for name, (display, agency_id, roles) in USERS.items():  # record_incident's officer
        ensure_user(session, username=name, display_name=display, agency_id=agency_id,
                    roles=roles, password_hash=password_hash())
    # Before the incident, so its share with children's social care has a delivery.
    set_endpoint(session, agency_id="childrens_social_care", url="http://127.0.0.1:9/hook")
    ids = record_incident(session, ctx)  # schools, Mia and Leo, the police incident
    for agency in AGENCIES:
        for role in ROLES:
            ensure_user(session, username=username(agency, role), display_name=role.title(),
                        agency_id=agency, roles=role, password_hash=password_hash())
    session.flush()
    world = World()
    for agency in AGENCIES:
        for role in ROLES:
            _, world.keys[(agency, role)] = create_api_key(
                session, agency_id=agency, name=f"matrix {role}", roles=role)
    # Leo: Brook's pupil, about whom Brook raises a concern (no other school is involved).
    accept(session, ctx, {
        "event": "concern", "source": BROOK_SCHOOL, "source_id": "CON-LEO-1",
        "kind": "neglect", "occurred_at": "2026-11-20T08:00:00+00:00",
        "summary": "Hungry every morning.", "child": {
            "given_name": "Leo", "family_name": "Brook", "dob": "2017-06-02"}})
    # Mia, reported missing by the police (her school is told only by the worker, later).
    accept(session, ctx, {
        "event": "missing_report", "source": "police", "source_id": "MP-MIA-1",
        "child": {"given_name": "Mia", "family_name": "Jones", "dob": "2018-03-14",
                  "address": {"line1": "12 Acacia Road", "postcode": "NN1 1AA"}},
        "missing_from": "home", "last_seen_at": "2026-11-20T18:00:00+00:00",
        "reported_at": "2026-11-20T19:00:00+00:00", "risk": "low"})
    # Ray: known to probation only.
    [ray] = add(session, ctx, person("probation", "P-1", "Ray", "Quill", "1980-01-01",
                                     address={"line1": "9 Far Lane", "town": "Corby",
                                              "postcode": "NN17 1AA"}))
    # Ian: a registered sex offender, on the police public protection unit's register only.
    accept(session, ctx, {
        "event": "offender_registration", "source": "police", "source_id": "RSO-IAN",
        "offender": {"given_name": "Ian", "family_name": "Marsh", "dob": "1975-02-03"},
        "address": {"line1": "4 Quay Street", "town": "Kettering", "postcode": "NN16 8AA"},
        "registered_at": "2026-06-01T10:00:00+00:00", "conviction": "Indecent images",
        "mappa_category": 1, "mappa_level": 1, "risk": "medium",
        "offender_manager": "DC 5 Ward", "visit_every_days": 90})
    # A possible match for the MASH researchers, and a merge of another one.
    add(session, ctx, person("health", "R-1", "Amy", nhs="9990001006"),
        person("childrens_social_care", "R-2", "Zoe", nhs="9990001006"))
    add(session, ctx, person("health", "R-3", "Kim", nhs="9990001014"),
        person("childrens_social_care", "R-4", "Eve", nhs="9990001014"))
    session.flush()
    reviews = list(session.scalars(select(MatchReview).order_by(MatchReview.id)))
    assert len(reviews) == 2, "the world needs two possible matches"
    csc_researcher = _principal(session, username("childrens_social_care", "mash_researcher"))
    merge = decide(session, review_id=reviews[1].id, same=True, principal=csc_researcher,
                   ctx=ctx)
    assert merge is not None
    # Made by a Brook user outside the matrix, so no principal probed holds a live grant.
    ensure_user(session, username="brook.glass", display_name="Brook DSL",
                agency_id=BROOK_SCHOOL, roles="practitioner",
                password_hash=password_hash())
    brook_dsl = _principal(session, "brook.glass")
    grant = break_glass(session, principal=brook_dsl, person_id=ids["mia"],
                        reason="Mia is missing and may be with a Brook pupil.", now=NOW,
                        hours=4)
    # A seized device in the police's digital forensics queue.
    accept(session, ctx, {
        "event": "device_submission", "source": "police", "source_id": "EX-MATRIX-1",
        "case_reference": "OP-MATRIX", "seized_at": "2026-11-20T08:00:00+00:00",
        "submitted_at": "2026-11-21T08:00:00+00:00", "device": "phone", "offence": "other"})
    # An inspection names no child: every agency may read it; recording is a senior
    # manager's (a role no caller of the matrix holds).
    lead = replace(_principal(session, username("police", "supervisor")),
                   roles=frozenset({"senior_manager"}))
    inspection = record_inspection(
        session, principal=lead, inspectorate="HMICFRS", title="Child protection inspection",
        started_on=date(2026, 3, 2), ended_on=date(2026, 3, 13),
        published_on=date(2026, 6, 30), report_url=None, now=NOW, ctx=ctx,
        settings=InspectionSettings())
    # A strategy discussion about Mia between social care and the police, whose one action
    # is social care's own (so its duty is seen by no agency outside the discussion).
    discussion_id = accept(session, ctx, {
        "event": "strategy_discussion", "source": "childrens_social_care",
        "source_id": "SD-MATRIX-1", "person_id": ids["mia"],
        "held_at": "2026-11-21T10:00:00+00:00", "decision": "early_help",
        "reasons": "Missing once, at low risk; family asks for help.",
        "attendees": [{"name": "Sam Okafor", "role": "Social worker",
                       "agency": "childrens_social_care"},
                      {"name": "DC Priya Patel", "role": "MASH officer", "agency": "police"}],
        "information": [{"agency": "police", "summary": "One missing episode."}],
        "actions": [{"text": "Refer to early help.", "owner_agency": "childrens_social_care",
                     "due_on": "2026-12-04"}]}).discussion_id
    assert discussion_id is not None
    finding = add_finding(session, principal=lead, inspection=inspection,
                          kind="cause_of_concern", text="Shares are slow.",
                          measures=["sharing-with-partners"])
    action = add_action(session, principal=lead, inspection=inspection, finding_id=finding.id,
                        text="Acknowledge within a day.", owner_agency_id="health",
                        owner_name="Dr Shah", due_on=date(2026, 12, 31), now=NOW, ctx=ctx)
    session.commit()

    leo, mia = person_id(session, "E-91"), ids["mia"]
    concern = session.scalars(select(Concern).where(Concern.agency_id == BROOK_SCHOOL)).one()
    t = world.things
    # Who has a relationship with each child, as the issue defines one: the agency's own
    # records, its pupils, a duty or share addressed to it. Probation and Brook have none
    # with Mia (Brook's break-glass is for its practitioner alone) nor has health (no record,
    # no duty); Hillside, police and health none with Leo; only probation with Ray.
    mia_circle = frozenset({"police", "childrens_social_care", "education", HILLSIDE_SCHOOL})
    t.append(Thing("person", "mia", mia, mia_circle))
    t.append(Thing("person", "leo", leo,
                   frozenset({"education", BROOK_SCHOOL, "childrens_social_care"})))
    t.append(Thing("person", "ray", ray, frozenset({"probation"})))
    t.append(Thing("incident", "police incident at Mia's", ids["incident"],
                   mia_circle, home="police"))
    episode = session.scalars(select(MissingEpisode)).one()
    assert episode.person_id == mia, "the missing report must be Mia's"
    t.append(Thing("episode", "Mia's missing episode", episode.id, mia_circle, home="police"))
    t.append(Thing("concern", "Brook's concern about Leo", concern.id,
                   frozenset({BROOK_SCHOOL, "childrens_social_care"}), home=BROOK_SCHOOL))
    for duty in session.scalars(select(Duty).order_by(Duty.id)):
        t.append(Thing("duty", f"{duty.kind} duty {duty.owner_agency_id}", duty.id,
                       frozenset({duty.owner_agency_id, duty.partner_agency_id or ""}) & ALL,
                       home=duty.owner_agency_id))
    for share in session.scalars(select(Share).order_by(Share.id)):
        t.append(Thing("share", f"share {share.from_agency_id} to {share.to_agency_id}",
                       share.id, frozenset({share.from_agency_id, share.to_agency_id}),
                       home=share.to_agency_id))
    for delivery, share in session.execute(select(Delivery, Share).join(
            Share, Share.id == Delivery.share_id).order_by(Delivery.id)):
        t.append(Thing("delivery", f"delivery to {share.to_agency_id}", delivery.id,
                       frozenset({share.from_agency_id, share.to_agency_id}),
                       home=share.to_agency_id))
    device = session.scalars(select(Device).where(Device.exhibit == "EX-MATRIX-1")).one()
    t.append(Thing("device", "seized device", device.id, frozenset({"police"}), home="police"))
    offender = session.scalars(select(OffenderRegistration)).one()
    t.append(Thing("offender", "Ian's registration", offender.id, frozenset({"police"}),
                   home="police"))
    t.append(Thing("inspection", "an inspection", inspection.id, ALL, home="police"))
    t.append(Thing("discussion", "Mia's strategy discussion", discussion_id,
                   frozenset({"childrens_social_care", "police"}),
                   home="childrens_social_care"))
    t.append(Thing("finding", "an inspection's finding", finding.id, ALL, home="police"))
    # An action's progress is its owning agency's to report; editing it, a senior manager's.
    t.append(Thing("action", "an action of the plan", action.id, frozenset({"health"}),
                   home="health"))
    t.append(Thing("grant", "Brook's break-glass on Mia", grant.id,
                   frozenset({BROOK_SCHOOL}), home=BROOK_SCHOOL))
    # Reviews and merges are the MASH's, across the partnership: gated by role, not agency.
    t.append(Thing("review", "open possible match", reviews[0].id, ALL, home="health"))
    t.append(Thing("merge", "a merge", merge.id, ALL, home="childrens_social_care"))
    # A child's detention (the custody suite's and the council's out-of-hours team's) and
    # an adult's (the police's alone: the council never sees an adult's detention).
    t += [Thing("detention", label, _detained(session, ctx, ref, dob), entitled, home="police")
          for label, ref, dob, entitled in (
              ("a child in custody", "CR-M1", "2011-05-05",
               frozenset({"police", "childrens_social_care"})),
              ("an adult in custody", "CR-M2", "1990-05-05", frozenset({"police"})))]
    session.commit()
    # One user and one key of each agency (the practitioner's) is enough to name.
    for user in session.scalars(select(User).where(User.username.like("m.%practitioner"))
                                .order_by(User.id)):
        t.append(Thing("user", user.username, user.id, frozenset({user.agency_id}),
                       home=user.agency_id))
        # A team of each agency: only its administrators manage it.
        team = Team(agency_id=user.agency_id, name=f"{user.agency_id} team", created_at=NOW)
        session.add(team)
        session.flush()
        t.append(Thing("team", f"{user.agency_id} team", team.id, frozenset({user.agency_id}),
                       home=user.agency_id))
    for key in session.scalars(select(ApiKey).where(ApiKey.name == "matrix practitioner")
                               .order_by(ApiKey.id)):
        t.append(Thing("api_key", f"{key.agency_id} key", key.id,
                       frozenset({key.agency_id}), home=key.agency_id))
    session.commit()  # the teams, like everything before them
    return world


def add_security_keys(session: Session, world: World) -> None:
    """Each practitioner's security key: only its owner may remove it (the matrix asks the
    other agencies; tests/security/test_security_keys.py a colleague). Added once everyone
    has signed in, since a user with a key is asked for it at sign-in."""
    for owner in session.scalars(select(User).where(User.username.like("m.%practitioner"))
                                 .order_by(User.id)):
        security_key = UserSecurityKey(user_id=owner.id, credential_id=f"matrix-{owner.id}",
                                       public_key=b"matrix", sign_count=0, name="matrix key")
        session.add(security_key)
        session.flush()
        world.things.append(Thing("security_key", f"{owner.agency_id} security key",
                                  security_key.id, frozenset({owner.agency_id}),
                                  home=owner.agency_id))
    session.commit()


def _detained(session: Session, ctx: IntakeContext, ref: str, dob: str) -> int:
    detention_id = accept(session, ctx, {
        "event": "custody_detention", "source": "police", "source_id": ref,
        "detainee": {"given_name": "Kai", "family_name": f"Moss{ref}", "dob": dob},
        "arrived_at": "2026-11-27T20:00:00+00:00",
        "detention_authorised_at": "2026-11-27T20:10:00+00:00",
        "custody_suite": "Northgate custody suite", "offence": "burglary"}).detention_id
    assert detention_id is not None
    return detention_id


def _principal(session: Session, name: str) -> Principal:
    user = session.scalars(select(User).where(User.username == name)).one()
    return principal_for_user(session, user=user)
