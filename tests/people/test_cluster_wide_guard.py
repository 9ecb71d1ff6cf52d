"""Links can chain two people into one cluster through a record that is like both, although
the two were never compared (no blocking key in common): every pair inside a cluster is held
to the guard, and a cluster holding two people is split."""

from __future__ import annotations

from safeguard.people.linkage.batch import link_rows, record_features
from safeguard.people.linkage.levels import compare
from safeguard.people.linkage.model import guard, guard_in_cluster

HOME = {"postcode": "NN1 1AA", "address": "12 Acacia Road, Northampton"}


def _row(record_id: str, given: str, family: str, dob: str, *, home: bool = True,
         nhs: str = "") -> dict[str, str]:
    return {"record_id": record_id, "source": record_id, "given_name": given,
            "family_name": family, "dob": dob, "sex": "F",
            **(HOME if home else dict.fromkeys(HOME, "")),
            "nhs_number": nhs, "upn": "", "pnc_id": ""}


def _mother_and_daughter() -> list[dict[str, str]]:
    """Lisa Marsh, born 1968, and her daughter Beth, born 1994, known by her father's
    surname to health (no address) and as Elizabeth Marsh, undated, to social care with
    the same NHS number. Elizabeth links to Beth (the NHS number) and to Lisa (a nickname,
    surname and home); Lisa and Beth share no blocking key, so they are never compared."""
    return [
        _row("mother", "Lisa", "Marsh", "1968-07-09"),
        _row("daughter", "Beth", "Jones", "1994-02-03", home=False, nhs="9434765919"),
        _row("daughter-undated", "Elizabeth", "Marsh", "", nhs="9434765919"),
    ]


def test_a_mother_and_daughter_chained_by_a_record_like_both_are_two_people() -> None:
    person_of = link_rows(_mother_and_daughter()).person_of
    assert person_of["mother"] != person_of["daughter"]


def test_a_chain_of_one_persons_records_with_nothing_to_tell_apart_stays_one_person() -> None:
    person_of = link_rows([
        _row("health", "Elizabeth", "Marsh", "1994-02-03"),
        _row("school", "Beth", "Marsh", "1994-03-02", home=False, nhs="9434765919"),
        _row("police", "Liz", "Marsh", "", nhs="9434765919"),
        _row("care", "Lizzie", "Marsh", "1994"),
    ]).person_of
    assert len(set(person_of.values())) == 1


def test_inside_a_cluster_a_misspelt_name_beside_a_nickname_is_not_another_person() -> None:
    # Most pairs inside one person's cluster that the guard would stop are a nickname and
    # the formal name misspelt ("Jack", "Jonhny"): a name no one is given says nothing.
    jack, misspelt = (record_features(_row(n, n, "Thomas", "2009-02-14"))
                      for n in ("Jack", "Jonhny"))
    assert guard(compare(jack, misspelt), jack, misspelt) == "given names differ"
    assert guard_in_cluster(compare(jack, misspelt), jack, misspelt) is None
    mother, daughter = (record_features(row) for row in _mother_and_daughter()[:2])
    assert guard_in_cluster(compare(mother, daughter), mother, daughter) == \
        "dates of birth differ"
    joan, joanne = (record_features(_row(n, n, "Smith", "2015-02-11")) for n in ("Joan",
                                                                                 "Joanne"))
    assert guard_in_cluster(compare(joan, joanne), joan, joanne) is not None
