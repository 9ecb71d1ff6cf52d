"""Nothing is skipped silently: a school known only by its URN is still told, a school-age
child with no school gets someone to find it, every missing fact becomes a data-quality
task, and every declared duty kind says what a reader needs. Pure rules, no database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from types import ModuleType

import pytest

from safeguard.access.models import AgencyKind
from safeguard.config import ClockSettings
from safeguard.rules import catalogue
from safeguard.rules.catalogue import KINDS, RULE_MODULES
from safeguard.rules.drafts import DutyDraft
from safeguard.rules.incidents import (
    ENCOMPASS_NOTICE,
    ENCOMPASS_RULE,
    SHARE_WITH_CSC,
    ChildFact,
    IncidentFacts,
    ResidentFact,
    incident_duties,
)
from safeguard.rules.kinds import DutyKind, Rule, Side
from safeguard.rules.quality import data_quality_duties, incident_gaps
from safeguard.rules.risk import assess_dash
from safeguard.workdays import SHIPPED_TERM_DATES, SchoolCalendar, WorkingCalendar, load_term_dates

CLOCKS = ClockSettings()
CALENDAR = WorkingCalendar()
SCHOOLS = SchoolCalendar(CALENDAR, load_term_dates(SHIPPED_TERM_DATES))

# Tue 24 Nov 2026, 20:00 London (GMT): a term-time school night.
OCCURRED = datetime.fromisoformat("2026-11-24T20:00:00+00:00")
RECORDED = datetime.fromisoformat("2026-11-24T21:00:00+00:00")
NEXT_SCHOOL_DAY = datetime.fromisoformat("2026-11-25T08:30:00+00:00")
# Two working days after it was recorded: the data-quality clock.
QUALITY_DUE = datetime.fromisoformat("2026-11-26T21:00:00+00:00")

AMY = ChildFact(person_id=7, name="Amy Smith", dob="2016-05-01", role="child_present",
                recorded_by_officer=True, found_from=None, school_agency_id="school-121234",
                school_name="Abington Vale Primary School", school_urn="121234",
                school_lead="Jo Clarke", age=10)
# Known only by URN: an education record names a school no `school` event registered.
URN_ONLY = ChildFact(person_id=8, name="Ben Smith", dob="2014-03-02",
                     role="child_normally_resident", recorded_by_officer=False,
                     found_from="education record E-90", school_agency_id="school-999999",
                     school_name=None, school_urn="999999", school_lead=None, age=12)
NO_SCHOOL = replace(AMY, school_agency_id=None, school_name=None, school_urn=None,
                    school_lead=None)


def facts(*, children: tuple[ChildFact, ...] = (AMY,), yes: int | None = 3,
          victims: tuple[int, ...] = (3,), repeats: int = 1,
          residents: tuple[ResidentFact, ...] = ()) -> IncidentFacts:
    """A domestic-abuse incident; `yes` None means no DASH was recorded."""
    return IncidentFacts(
        event_id=1, reference="INC-1", kind="domestic_abuse", occurred_at=OCCURRED,
        recorded_at=RECORDED, address_label="12 Acacia Road, Northampton, NN1 1AA",
        risk=assess_dash(yes_count=yes, judgement=None, clocks=CLOCKS) if yes is not None
        else None,
        victim_person_ids=victims, children=children, household_incidents_in_window=repeats,
        residents_of_unknown_age=residents)


def rule_duties(f: IncidentFacts) -> list[DutyDraft]:
    return incident_duties(f, calendar=CALENDAR, schools=SCHOOLS, clocks=CLOCKS)


def everything(f: IncidentFacts) -> list[DutyDraft]:
    """What intake raises from the facts: the incident rules' duties and the gaps' tasks."""
    return [*rule_duties(f),
            *data_quality_duties(incident_gaps(f), reference=f.reference,
                                 recorded_at=f.recorded_at, calendar=CALENDAR, clocks=CLOCKS)]


def of_kind(drafts: list[DutyDraft], kind: str) -> list[DutyDraft]:
    return [d for d in drafts if d.kind == kind]


# ------------------------------------------------------------------ Operation Encompass


def test_it_tells_a_school_known_only_by_urn_on_the_next_school_day_clock() -> None:
    (notice,) = of_kind(rule_duties(facts(children=(URN_ONLY,))), "encompass_notice")
    assert notice.subject_person_id == 8
    assert notice.partner_agency_id == "school-999999"
    assert notice.owner_agency_id == "police"
    assert notice.due_at == NEXT_SCHOOL_DAY
    assert "URN 999999" in notice.reason
    assert "no designated safeguarding lead is on record" in notice.reason
    assert "telephone" in notice.reason
    assert notice.share_content["school_urn"] == "999999"
    spec = ENCOMPASS_NOTICE.share
    assert spec is not None and notice.share_purpose == spec.purpose
    # Nothing reaches the school that the kind does not declare.
    assert set(notice.share_content) == set(spec.keys)
    assert not of_kind(rule_duties(facts(children=(URN_ONLY,))), "find_school")


def test_it_names_a_registered_schools_lead_in_the_notice() -> None:
    (notice,) = of_kind(rule_duties(facts()), "encompass_notice")
    assert notice.partner_agency_id == "school-121234"
    assert notice.due_at == NEXT_SCHOOL_DAY
    assert "Abington Vale Primary School's designated safeguarding lead (Jo Clarke)" \
        in notice.reason
    assert "no designated safeguarding lead is on record" not in notice.reason
    assert notice.share_content["school_urn"] == "121234"


@pytest.mark.parametrize("age", [4, 9, 16])
def test_it_asks_education_to_find_the_school_of_a_school_age_child_with_none(age: int) -> None:
    # The same incident with a child at a known school shows the clock the notice has.
    drafts = rule_duties(facts(children=(replace(NO_SCHOOL, age=age), URN_ONLY)))
    (notice,) = of_kind(drafts, "encompass_notice")
    (find,) = of_kind(drafts, "find_school")
    assert find.owner_agency_id == "education"
    assert find.subject_person_id == 7
    assert find.due_at == notice.due_at == NEXT_SCHOOL_DAY
    assert f"aged {age}" in find.reason
    assert find.rule_name == "operation-encompass-school-unknown"


def test_it_asks_education_to_find_the_school_of_a_child_of_unknown_age() -> None:
    unknown = replace(NO_SCHOOL, dob=None, age=None)
    (find,) = of_kind(rule_duties(facts(children=(unknown,))), "find_school")
    assert find.owner_agency_id == "education"
    assert find.due_at == NEXT_SCHOOL_DAY
    assert "unknown age" in find.reason


@pytest.mark.parametrize("age", [2, 17])
def test_it_owes_no_school_anything_for_a_child_too_young_or_too_old_for_school(
    age: int,
) -> None:
    drafts = rule_duties(facts(children=(replace(NO_SCHOOL, age=age),)))
    assert not of_kind(drafts, "encompass_notice")
    assert not of_kind(drafts, "find_school")
    # The child is still shared with social care: only the school's duty falls away.
    assert [d.subject_person_id for d in of_kind(drafts, "share_with_csc")] == [7]


# ------------------------------------------------------------------ every gap is a task


def test_it_raises_no_data_quality_task_for_a_complete_incident() -> None:
    drafts = everything(facts(residents=()))
    assert not [d for d in drafts if d.kind == "data_quality"]
    assert not incident_gaps(facts())
    assert {d.kind for d in drafts} == {"share_with_csc", "encompass_notice"}


RESIDENT = ResidentFact(person_id=11, name="Sam Brown", found_from="health record H-4")

# What is taken away, the rule that must then speak up, its kind, owner and subject.
GAPS: list[tuple[str, Callable[[], IncidentFacts], str, str, str, int | None]] = [
    ("no school", lambda: facts(children=(NO_SCHOOL,)),
     "operation-encompass-school-unknown", "find_school", "education", 7),
    ("no date of birth", lambda: facts(children=(replace(AMY, dob=None, age=None),)),
     "data-quality-child-date-of-birth-unknown", "data_quality", "police", 7),
    ("no DASH", lambda: facts(yes=None),
     "data-quality-dash-not-recorded", "data_quality", "police", 3),
    ("no people", lambda: facts(children=(), victims=()),
     "data-quality-no-people-recorded", "data_quality", "police", None),
    ("a resident of unknown age", lambda: facts(residents=(RESIDENT,)),
     "data-quality-resident-age-unknown", "data_quality", "police", 11),
]


@pytest.mark.parametrize(("missing", "build", "rule", "kind", "owner", "subject"), GAPS,
                         ids=[g[0] for g in GAPS])
def test_it_turns_each_missing_fact_into_a_duty_that_names_the_gap(
    missing: str, build: Callable[[], IncidentFacts], rule: str, kind: str, owner: str,
    subject: int | None,
) -> None:
    drafts = everything(build())
    named = [d for d in drafts if d.rule_name == rule]
    assert named, f"{missing}: no duty from rule {rule} in {[d.rule_name for d in drafts]}"
    (duty,) = named
    assert duty.kind == kind
    assert duty.owner_agency_id == owner
    assert duty.subject_person_id == subject
    assert duty.reason.startswith(f"Rule {rule} v")
    if kind == "data_quality":
        assert duty.due_at == QUALITY_DUE
        assert "(INC-1)" in duty.reason
    # Only the gap taken away is reported.
    quality = {d.rule_name for d in drafts if d.kind == "data_quality"}
    assert quality <= {rule}


def test_it_still_drafts_marac_and_repeat_duties_about_the_incident_when_nobody_is_recorded(
) -> None:
    drafts = everything(facts(children=(), victims=(), yes=20, repeats=3))
    (marac,) = of_kind(drafts, "marac_referral")
    (repeat,) = of_kind(drafts, "repeat_victim_review")
    assert marac.subject_person_id is None and repeat.subject_person_id is None
    (nobody,) = of_kind(drafts, "data_quality")
    assert nobody.rule_name == "data-quality-no-people-recorded"
    assert nobody.subject_person_id is None


# ------------------------------------------------------------------ the declarations


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_it_declares_every_kind_with_a_title_clock_and_summary(kind: DutyKind) -> None:
    assert kind.title.strip()
    assert kind.clock.strip()
    assert kind.summary.strip()
    assert kind.action.strip()
    assert KINDS[kind.name] is kind


@pytest.mark.parametrize("kind", [k for k in KINDS.values() if k.is_share],
                         ids=[n for n, k in KINDS.items() if k.is_share])
def test_it_declares_every_share_kind_with_a_partner_and_labelled_fields(
    kind: DutyKind,
) -> None:
    assert kind.partner is not None
    assert kind.share is not None and kind.share.purpose.strip()
    assert kind.share.fields
    assert all(f.label.strip() for f in kind.share.fields)
    assert len(set(kind.share.keys)) == len(kind.share.keys)


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=list(KINDS))
def test_it_lets_the_side_that_does_not_discharge_record_an_outcome_only_as_the_other_party(
    kind: DutyKind,
) -> None:
    if kind.discharged_by is Side.PARTNER:
        assert kind.partner is not None, f"{kind.name} is discharged by a partner it lacks"
    for outcome in kind.outcomes:
        if outcome.recorded_by is kind.discharged_by:
            continue
        # The other side of the duty: it must exist, and a share's owner is its sender.
        if outcome.recorded_by is Side.PARTNER:
            assert kind.partner is not None, (kind.name, outcome.name)
        else:
            assert kind.discharged_by is Side.PARTNER, (kind.name, outcome.name)
    assert set(kind.outcome_words) == {o.name for o in kind.outcomes}
    assert len(kind.outcome_words) == len(kind.outcomes)


def test_it_lets_the_police_record_they_telephoned_a_school() -> None:
    assert ENCOMPASS_NOTICE.discharged_by is Side.PARTNER
    (phoned,) = ENCOMPASS_NOTICE.outcomes_for(Side.OWNER)
    assert phoned.name == "told_by_telephone"
    assert ENCOMPASS_NOTICE.outcomes_for(Side.PARTNER) == ()
    others = [(k.name, o.name) for k in KINDS.values() for o in k.outcomes
              if o.recorded_by is not k.discharged_by]
    # The missing child's notice to a school is told the same way when the school has no lead.
    assert others == [("encompass_notice", "told_by_telephone"),
                      ("missing_school_notice", "told_by_telephone")]


def test_it_declares_each_kind_name_once() -> None:
    declared = [value for module in RULE_MODULES for value in vars(module).values()
                if isinstance(value, DutyKind)]
    by_identity = {id(kind): kind for kind in declared}.values()
    names = [kind.name for kind in by_identity]
    assert len(names) == len(set(names))
    assert sorted(names) == sorted(KINDS)


def test_it_refuses_two_declarations_of_one_kind_name() -> None:
    first, second = ModuleType("first"), ModuleType("second")
    first.KIND = replace(SHARE_WITH_CSC)  # type: ignore[attr-defined]
    second.OTHER = replace(SHARE_WITH_CSC, title="Another")  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="declared twice"):
        catalogue._declared((first, second))


def test_it_fills_a_fixed_partner_in_a_draft() -> None:
    draft = SHARE_WITH_CSC.draft(rule=Rule("test", "1"), subject_person_id=7, due_at=RECORDED,
                                 reason="why")
    assert draft.partner_agency_id == AgencyKind.CHILDRENS_SOCIAL_CARE.value
    assert draft.owner_agency_id == "police"
    assert SHARE_WITH_CSC.share is not None
    assert draft.share_purpose == SHARE_WITH_CSC.share.purpose
    assert draft.reason == "Rule test v1: why"


def test_it_refuses_a_school_notice_draft_with_no_school() -> None:
    with pytest.raises(ValueError, match="encompass_notice"):
        ENCOMPASS_NOTICE.draft(rule=ENCOMPASS_RULE, subject_person_id=7, due_at=RECORDED,
                               reason="why")
    named = ENCOMPASS_NOTICE.draft(rule=ENCOMPASS_RULE, subject_person_id=7, due_at=RECORDED,
                                   reason="why", partner_agency_id="school-121234")
    assert named.partner_agency_id == "school-121234"
