"""Resolving a person online against the index in the store, with the evidence kept."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.events.fields import PersonFields
from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.features import features, query_keys
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.online import MAX_CANDIDATES, candidate_ids
from safeguard.people.models import MatchReview, Person, PersonBlockingKey, PersonRecord
from safeguard.people.service import resolve_person

from .helpers import add, link_of, person


def test_a_nickname_in_another_agency_is_matched_to_the_same_person(
    session: Session, ctx: IntakeContext,
) -> None:
    school, health = add(session, ctx, person("education", "E-1", "Catherine"),
                         person("health", "H-1", "Kate", nhs="9992914173"))
    assert school == health
    link = link_of(session, "H-1")
    assert link.outcome == "matched" and link.probability is not None
    assert link.probability >= 0.95
    assert link.agreed is not None and "given_name" in link.agreed and "dob" in link.agreed
    assert link.model_version == load_model().version
    record = session.scalar(select(PersonRecord).where(PersonRecord.source_id == "H-1"))
    assert record is not None and record.linked_by.startswith("matched to existing person (")


def test_twins_at_the_same_address_stay_two_people_and_need_no_review(
    session: Session, ctx: IntakeContext,
) -> None:
    olivia, grace = add(session, ctx, person("education", "E-1", "Olivia", sex="female"),
                        person("education", "E-2", "Grace", sex="female"))
    assert olivia != grace
    assert link_of(session, "E-2").outcome == "new"
    assert session.scalar(select(func.count(MatchReview.id))) == 0


def test_a_shared_identifier_with_a_different_given_name_goes_to_review(
    session: Session, ctx: IntakeContext,
) -> None:
    first, second = add(session, ctx, person("health", "H-1", "Amy", nhs="9992914173"),
                        person("education", "E-1", "Zoe", nhs="9992914173"))
    assert first != second  # precision first: a person of its own until a human decides
    assert link_of(session, "E-1").outcome == "possible"
    review = session.scalar(select(MatchReview))
    assert review is not None and review.candidate_person_id == first
    assert review.status == "open" and 0.5 <= review.probability < 0.95
    assert json.loads(review.evidence)["guard"] == "given names differ"


def test_a_transposed_birthday_with_a_typo_in_the_name_is_still_found(
    session: Session, ctx: IntakeContext,
) -> None:
    first, second = add(session, ctx,
                        person("education", "E-1", "Amelia", "Johnson", "2015-02-11"),
                        person("police", "P-1", "Amelia", "Jonhson", "2015-11-02"))
    assert first == second


def test_resolving_reports_the_probability_and_the_candidates(
    session: Session, ctx: IntakeContext,
) -> None:
    (amy,) = add(session, ctx, person("education", "E-1", "Amy"))
    found = resolve_person(session, fields=PersonFields(given_name="Amy", family_name="Smith",
                                                        dob="2015-02-11"))  # type: ignore[arg-type]
    assert found.person is not None and found.person.id == amy
    assert found.outcome == "matched" and found.probability is not None
    assert [c.person_id for c in found.candidates] == [amy]
    nobody = resolve_person(session, fields=PersonFields(given_name="Noah", family_name="Ng"))
    assert nobody.person is None and nobody.outcome == "new" and nobody.candidates == ()


def test_every_record_files_its_person_under_its_blocking_keys(
    session: Session, ctx: IntakeContext,
) -> None:
    (amy,) = add(session, ctx, person("education", "E-1", "Amy", upn="B801200005001"))
    keys = set(session.scalars(select(PersonBlockingKey.key)
                               .where(PersonBlockingKey.person_id == amy)))
    assert {"d:2015-02-11", "upn:B801200005001", "pi:NN11AA:a", "fy:s530:2015"} <= keys


def test_an_agreeing_identifier_is_never_crowded_out_by_namesakes_born_the_same_day(
    session: Session,
) -> None:
    dated = ["d:2015-02-11", "fy:s530:2015", "gy:amy:2015", "pi:NN11AA:a"]
    namesakes = [Person(given_name="Amy", family_name="Smith", match_key=f"n{n}")
                 for n in range(MAX_CANDIDATES + 10)]
    holder = Person(given_name="Aimee", family_name="Jones", match_key="holder")
    session.add_all([*namesakes, holder])
    session.flush()
    session.add_all(PersonBlockingKey(person_id=namesake.id, key=key)
                    for namesake in namesakes for key in dated)
    session.add(PersonBlockingKey(person_id=holder.id, key="nhs:9992914173"))
    session.flush()
    found = candidate_ids(session, [*dated, "nhs:9992914173"])
    assert len(found) == MAX_CANDIDATES
    assert found[0] == holder.id  # one agreeing NHS number outranks four shared keys
    assert candidate_ids(session, dated)[:3] == sorted(n.id for n in namesakes)[:3]


def test_among_many_sharing_one_key_those_whose_name_and_birthday_agree_are_scored_first(
    session: Session,
) -> None:
    # Sixty people born in 2015 with a given name of the same sound: only one is the Amy
    # Smith born on 11 February 2015 the record describes, and she has the highest id.
    others = [Person(given_name="Amy", family_name="Smyth", match_key=f"o{n}")
              for n in range(MAX_CANDIDATES + 10)]
    amy = Person(given_name="Amy", family_name="Smith", dob=date(2015, 2, 11), match_key="amy")
    session.add_all([*others, amy])
    session.flush()
    session.add_all(PersonBlockingKey(person_id=p.id, key="gy:amy:2015") for p in [*others, amy])
    session.flush()
    record = features(given_name="Amy", family_name="Smith", dob="2015-11-02")
    assert candidate_ids(session, ["gy:amy:2015"], like=record)[0] == amy.id
    assert amy.id not in candidate_ids(session, ["gy:amy:2015"])


def test_one_sharing_the_records_postcode_and_initial_outranks_those_sharing_a_name_sound(
    session: Session,
) -> None:
    # Sixty Pierces born in 1985 share the record's surname sound and birth year; Lawrence,
    # now Woods, shares the postcode and initial: as telling as a whole date of birth in
    # the model (12.6 bits against 13.3), far more than a name sound and a year.
    pierces = [Person(given_name="Laura", family_name="Pierce", match_key=f"p{n}")
               for n in range(MAX_CANDIDATES + 10)]
    lawrence = Person(given_name="Lawrence", family_name="Woods", match_key="lawrence")
    _file(session, [(p, ["fy:p620:1985"]) for p in pierces] + [(lawrence, ["pi:BR73HG:l"])])
    record = features(given_name="Lawernce", family_name="Pearce", dob="1985-08-27",
                      postcode="BR7 3HG")
    assert candidate_ids(session, sorted(query_keys(record)), like=record)[0] == lawrence.id


def test_one_sharing_the_records_given_name_and_birth_year_outranks_strangers_sharing_its_birthday(
    session: Session,
) -> None:
    # Jade, now Murphy, born 3 January 1983, was Jade Bull born the 4th in another agency's
    # record; sixty strangers of other names share her birthday. A birthday alone, under
    # two other names, is worth little (13 bits for the date, less 7 and 3 for the names).
    strangers = [Person(given_name="Nadia", family_name="Shah", dob=date(1983, 1, 3),
                        match_key=f"s{n}") for n in range(MAX_CANDIDATES + 10)]
    jade = Person(given_name="Jade", family_name="Bull", dob=date(1983, 1, 4), match_key="jade")
    _file(session, [(p, ["d:1983-01-03"]) for p in strangers] + [(jade, ["gy:jade:1983"])])
    record = features(given_name="Jade", family_name="Murphy", dob="1983-01-03")
    assert candidate_ids(session, sorted(query_keys(record)), like=record)[0] == jade.id


def test_one_sharing_both_names_and_the_postcode_outranks_namesakes_of_the_birth_year(
    session: Session,
) -> None:
    # Danny Connolly's only record has no date of birth; the record looked up is Daniel
    # Conolly, born 2004, at Danny's postcode. A hundred and thirty Daniels born in 2004
    # share the given name and year; Danny shares the postcode and initial, and the given
    # name's formal form with the surname's sound, which together say far more.
    daniels = [Person(given_name="Daniel", family_name="Allen", match_key=f"d{n}")
               for n in range(MAX_CANDIDATES + 10)]
    danny = Person(given_name="Danny", family_name="Connolly", match_key="danny")
    _file(session, [(p, ["gy:daniel:2004"]) for p in daniels]
          + [(danny, ["pi:SS402NN:d", "nm:daniel:c540"])])
    record = features(given_name="Daniel", family_name="Conolly", dob="2004-09-10",
                      postcode="SS40 2NN")
    assert candidate_ids(session, sorted(query_keys(record)), like=record)[0] == danny.id


def _file(session: Session, filed: list[tuple[Person, list[str]]]) -> None:
    """Store the persons and file each under its keys."""
    session.add_all(person for person, _ in filed)
    session.flush()
    session.add_all(PersonBlockingKey(person_id=person.id, key=key)
                    for person, keys in filed for key in keys)
    session.flush()
