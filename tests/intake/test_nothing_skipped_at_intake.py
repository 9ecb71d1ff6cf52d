"""Nothing is skipped at intake: a school known only by its URN is told, a school-age child
with no school gets someone to find it, a listed child who may be a known child is one child
with one set of duties, merging closes duplicate duties (unmerging reopens them), and an
identifier two people claim is a task for the agency that gave it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import Agency
from safeguard.access.service import Principal
from safeguard.casework.merges import decide, unmerge
from safeguard.casework.service import discharge
from safeguard.duties.models import DISCHARGED, DUPLICATE, OPEN, Duty, DutyTransition
from safeguard.errors import Invalid
from safeguard.incidents.models import IncidentPerson
from safeguard.intake.service import Accepted, IntakeContext
from safeguard.people.models import MatchReview, PersonIdentifier, PersonRecord
from safeguard.sharing.models import PENDING, WITHDRAWN, Delivery, Share
from safeguard.sharing.webhooks import set_endpoint

from ..people.helpers import add, person
from ..web.test_pages_support import accept, person_id
from .scenario import ADDRESS, LOW_RISK_DASH, incident

Who = Callable[[str], Principal]

# Tue 24 Nov 2026, 20:00 in London (GMT): a term-time school night.
TUESDAY_NIGHT = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)
RECORDED = TUESDAY_NIGHT + timedelta(minutes=45)
# Wed 25 Nov 2026, 08:30: the next school day starts.
NEXT_SCHOOL_DAY = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
VICTIM = {"role": "victim", "given_name": "Dana", "family_name": "Scott", "dob": "1989-01-04"}
NHS = "9992914173"


def education_record(source_id: str, given: str, family: str, dob: str, *,
                     urn: str | None = None) -> dict[str, Any]:
    """The education service's record of a child at the incident address."""
    event: dict[str, Any] = {
        "event": "person", "source": "education", "source_id": source_id,
        "given_name": given, "family_name": family, "dob": dob, "address": ADDRESS,
        "recorded_at": "2026-09-03T08:00:00+00:00"}
    if urn:
        event["school_urn"] = urn
    return event


def tuesday_incident(reference: str, *people: dict[str, Any]) -> dict[str, Any]:
    return incident(reference, TUESDAY_NIGHT.isoformat(), RECORDED.isoformat(),
                    dash=LOW_RISK_DASH, people=[VICTIM, *people])


def record(session: Session, ctx: IntakeContext, event: dict[str, Any]) -> Accepted:
    """The incident recorded by a police officer as it is recorded."""
    return accept(session, ctx, event, username="mash.officer", now=RECORDED)


def duties_of(session: Session, accepted: Accepted, kind: str) -> list[Duty]:
    return list(session.scalars(select(Duty).where(Duty.event_id == accepted.event_id,
                                                   Duty.kind == kind).order_by(Duty.id)))


# ------------------------------------------------------------------ a school known by URN


def test_it_tells_a_school_known_only_by_the_urn_on_a_childs_education_record(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    accept(session, ctx, education_record("E-21", "Ruby", "Scott", "2016-05-01",
                                          urn="654321"))
    ruby = person_id(session, "E-21")
    accepted = record(session, ctx, tuesday_incident("INC-21"))

    (notice,) = duties_of(session, accepted, "encompass_notice")
    assert notice.subject_person_id == ruby
    assert notice.partner_agency_id == "school-654321"
    assert notice.owner_agency_id == "police"
    assert notice.due_at == NEXT_SCHOOL_DAY
    assert "URN 654321" in notice.reason
    assert "no designated safeguarding lead is on record" in notice.reason
    assert not duties_of(session, accepted, "find_school")

    share = session.scalars(select(Share).where(Share.duty_id == notice.id)).one()
    assert share.to_agency_id == "school-654321"
    assert share.from_agency_id == "police"
    assert share.subject_person_id == ruby
    assert share.content["school_urn"] == "654321"
    assert share.id in accepted.share_ids

    school = session.get(Agency, "school-654321")
    assert school is not None
    assert school.kind == "school" and school.school_urn == "654321"
    assert "654321" in school.name

    # Nobody at the school can acknowledge it in the product: the police record the call.
    officer = principal("mash.officer")
    with pytest.raises(Invalid, match="told_by_telephone"):
        discharge(session, duty_id=notice.id, principal=officer, ctx=ctx,
                  now=NEXT_SCHOOL_DAY - timedelta(hours=1))
    session.refresh(notice)
    assert notice.status == OPEN
    done = discharge(session, duty_id=notice.id, principal=officer, ctx=ctx,
                     now=NEXT_SCHOOL_DAY - timedelta(hours=1), outcome="told_by_telephone",
                     note="Spoke to the head teacher.")
    assert (done.status, done.outcome, done.discharged_by) == (
        DISCHARGED, "told_by_telephone", officer.actor)


def test_it_names_the_urn_agency_after_the_school_once_the_school_registers(
    session: Session, ctx: IntakeContext,
) -> None:
    accept(session, ctx, education_record("E-22", "Ruby", "Scott", "2016-05-01",
                                          urn="654321"))
    accepted = record(session, ctx, tuesday_incident("INC-22"))
    (notice,) = duties_of(session, accepted, "encompass_notice")
    accept(session, ctx, {"event": "school", "source": "education", "source_id": "S-654321",
                          "urn": "654321", "name": "Brook Primary School",
                          "dsl": {"name": "Ann Lee"}})
    school = session.get(Agency, "school-654321")
    assert school is not None and school.name == "Brook Primary School"
    # The notice already raised is now the registered school's to acknowledge.
    session.refresh(notice)
    assert notice.partner_agency_id == "school-654321"


# ------------------------------------------------------------------ no school at all


def test_it_asks_education_to_find_the_school_of_a_listed_nine_year_old_with_none(
    session: Session, ctx: IntakeContext,
) -> None:
    child = {"role": "child_present", "given_name": "Leo", "family_name": "Scott",
             "dob": "2017-03-01"}  # 9 on the night of the incident
    accepted = record(session, ctx, tuesday_incident("INC-31", child))
    leo = person_id(session, "INC-31#2")

    (find,) = duties_of(session, accepted, "find_school")
    assert find.owner_agency_id == "education"
    assert find.subject_person_id == leo
    assert find.due_at == NEXT_SCHOOL_DAY
    assert "aged 9" in find.reason
    assert not duties_of(session, accepted, "encompass_notice")
    (share,) = duties_of(session, accepted, "share_with_csc")
    assert share.subject_person_id == leo


# ------------------------------------------------------------------ one child, not two


def test_it_takes_an_undated_listed_child_who_may_be_a_known_child_for_that_child(
    session: Session, ctx: IntakeContext,
) -> None:
    accept(session, ctx, education_record("E-41", "Charlie", "Scott", "2015-06-09"))
    charlie = person_id(session, "E-41")
    undated = {"role": "child_present", "given_name": "Charlie", "family_name": "Scott"}
    accepted = record(session, ctx, tuesday_incident("INC-41", undated))
    officers = person_id(session, "INC-41#2")

    # The officer's record awaits review as a possible match of the known Charlie...
    assert officers != charlie
    review = session.scalars(select(MatchReview).join(
        PersonRecord, PersonRecord.id == MatchReview.record_id)
        .where(PersonRecord.source_id == "INC-41#2")).one()
    assert review.candidate_person_id == charlie and review.status == "open"

    # ...and meanwhile the incident's duties are raised once, for the known Charlie.
    (share,) = duties_of(session, accepted, "share_with_csc")
    assert share.subject_person_id == charlie
    (decision,) = duties_of(session, accepted, "referral_decision")
    assert decision.subject_person_id == charlie
    assert not session.scalars(select(Duty).where(Duty.subject_person_id == officers)).all()

    children = session.scalars(select(IncidentPerson).where(
        IncidentPerson.incident_id == accepted.incident_id,
        IncidentPerson.role.in_(("child_present", "child_normally_resident")))).all()
    assert [(c.person_id, c.role, c.recorded_by_officer) for c in children] == [
        (charlie, "child_present", True)]
    assert "INC-41#2" in (children[0].found_from or "")


def test_it_asks_the_police_to_check_when_a_reviewer_says_the_listed_child_is_another_child(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    accept(session, ctx, education_record("E-42", "Charlie", "Scott", "2015-06-09"))
    undated = {"role": "child_present", "given_name": "Charlie", "family_name": "Scott"}
    accepted = record(session, ctx, tuesday_incident("INC-42", undated))
    officers = person_id(session, "INC-42#2")
    review = session.scalars(select(MatchReview)).one()

    decide(session, ctx=ctx, review_id=review.id, same=False,
           principal=principal("csc.worker"), now=RECORDED + timedelta(hours=2))
    (task,) = [d for d in duties_of(session, accepted, "data_quality")
               if d.rule_name == "data-quality-child-taken-for-another"]
    assert task.owner_agency_id == "police"
    assert task.subject_person_id == officers
    assert "INC-42#2" in task.reason


# ------------------------------------------------------------------ merging after the fact


def test_it_closes_a_duplicate_duty_when_two_records_of_one_child_are_merged(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    # Health and education each know a Smith child born 2015-02-11 at 12 Acacia Road with
    # one NHS number, but by two given names: a possible match, left for review.
    amy, zoe = add(session, ctx, person("health", "H-1", "Amy", nhs=NHS),
                   person("education", "E-1", "Zoe", nhs=NHS))
    review = session.scalars(select(MatchReview)).one()
    zoe_listed = {"role": "child_present", "given_name": "Zoe", "family_name": "Smith",
                  "dob": "2015-02-11"}
    accepted = record(session, ctx, incident("INC-51", TUESDAY_NIGHT.isoformat(),
                                             RECORDED.isoformat(), dash=LOW_RISK_DASH,
                                             people=[zoe_listed]))
    shares = duties_of(session, accepted, "share_with_csc")
    assert sorted(d.subject_person_id or 0 for d in shares) == sorted((amy, zoe))
    before = {d.id: d.subject_person_id for d in shares}
    kept, repeat = shares

    merge = decide(session, ctx=ctx, review_id=review.id, same=True,
                   principal=principal("csc.worker"), now=RECORDED + timedelta(hours=2))
    assert merge is not None and merge.survivor_id == amy
    for duty in shares:
        session.refresh(duty)
    assert kept.status == OPEN and kept.subject_person_id == amy
    assert (repeat.status, repeat.outcome, repeat.subject_person_id) == (DISCHARGED, DUPLICATE,
                                                                         amy)
    closing = session.scalars(select(DutyTransition).where(
        DutyTransition.duty_id == repeat.id,
        DutyTransition.action == "closed_as_duplicate")).one()
    assert f"duty {kept.id}" in (closing.note or "")
    # Only the repeat was closed: no open duty of the event repeats another any more.
    open_now = session.execute(select(Duty.kind, Duty.partner_agency_id).where(
        Duty.event_id == accepted.event_id, Duty.status == OPEN,
        Duty.subject_person_id == amy)).all()
    assert len(open_now) == len(set(open_now))

    unmerge(session, merge_id=merge.id, principal=principal("csc.worker"),
            now=RECORDED + timedelta(hours=3))
    for duty in shares:
        session.refresh(duty)
    assert (repeat.status, repeat.outcome, repeat.discharged_at) == (OPEN, None, None)
    assert kept.status == OPEN
    assert {d.id: d.subject_person_id for d in shares} == before
    assert session.scalars(select(DutyTransition.action).where(
        DutyTransition.duty_id == repeat.id).order_by(DutyTransition.id)).all() == [
        "created", "closed_as_duplicate", "reopened"]


def test_it_withdraws_a_closed_duplicates_webhook_and_sends_it_again_after_an_unmerge(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    set_endpoint(session, agency_id="childrens_social_care", url="https://csc.example/hook")
    amy, zoe = add(session, ctx, person("health", "H-1", "Amy", nhs=NHS),
                   person("education", "E-1", "Zoe", nhs=NHS))
    review = session.scalars(select(MatchReview)).one()
    zoe_listed = {"role": "child_present", "given_name": "Zoe", "family_name": "Smith",
                  "dob": "2015-02-11"}
    accepted = record(session, ctx, incident("INC-52", TUESDAY_NIGHT.isoformat(),
                                             RECORDED.isoformat(), dash=LOW_RISK_DASH,
                                             people=[zoe_listed]))
    shares = duties_of(session, accepted, "share_with_csc")

    def statuses() -> dict[int, str]:
        return dict(session.execute(
            select(Share.duty_id, Delivery.status).join(Delivery, Delivery.share_id == Share.id)
            .where(Share.duty_id.in_([d.id for d in shares]))).all())

    assert set(statuses().values()) == {PENDING}
    merge = decide(session, ctx=ctx, review_id=review.id, same=True,
                   principal=principal("csc.worker"), now=RECORDED + timedelta(hours=2))
    assert merge is not None
    closed = session.scalars(select(Duty.id).where(Duty.id.in_([d.id for d in shares]),
                                                   Duty.outcome == DUPLICATE)).one()
    assert statuses() == {d.id: WITHDRAWN if d.id == closed else PENDING for d in shares}
    unmerge(session, merge_id=merge.id, principal=principal("csc.worker"),
            now=RECORDED + timedelta(hours=3))
    assert set(statuses().values()) == {PENDING}


# ------------------------------------------------------------------ identifier conflicts


def test_it_gives_health_a_task_when_its_record_gives_an_nhs_number_another_person_holds(
    session: Session, ctx: IntakeContext,
) -> None:
    first = accept(session, ctx, person("health", "H-61", "Amy", "Smith", "2015-02-11",
                                        nhs=NHS))
    assert first.duty_ids == []
    other = {"line1": "3 Mill Lane", "town": "Northampton", "postcode": "NN2 2BB"}
    second = accept(session, ctx, person("health", "H-62", "Robert", "Khan", "1971-08-19",
                                         address=other, nhs=NHS))
    (amy,), (robert,) = first.person_ids, second.person_ids
    assert robert != amy

    (task,) = session.scalars(select(Duty).where(Duty.id.in_(second.duty_ids))).all()
    assert task.kind == "data_quality"
    assert task.owner_agency_id == "health"
    assert task.subject_person_id == robert
    assert task.rule_name == "data-quality-identifier-conflict"
    assert f"NHS {NHS}" in task.reason
    assert "H-62" in task.reason
    # The number stays with the person who held it: a human decides which is right.
    assert session.scalars(select(PersonIdentifier.person_id)
                           .where(PersonIdentifier.value == NHS)).all() == [amy]
