"""The precision guard in SQL: what :func:`model.guard` says of a pair, worked out over
Splink's comparison levels, so a batch (:mod:`.batch`) holds every pair to it in the
database, with the guard's Bayes factor taken into the pair's match weight."""

from __future__ import annotations

from safeguard.people.linkage.levels import COMPARISONS, IDENTIFIERS, NULL
from safeguard.people.linkage.model import KEPT_APART_WEIGHT, Model, weight_of
from safeguard.people.linkage.splink_model import gamma_to_label


def guard_sql(model: Model, *, in_cluster: bool = False) -> tuple[str, str, str]:
    """(the guard's Bayes factor, NULL where it is silent; an identifier agrees; an
    identifier differs) over Splink's gamma columns and the guard's own columns
    (``splink_model.GUARD_COLUMNS``); ``in_cluster``: the guard of
    :func:`model.guard_in_cluster` (a given name no one is given counts as agreeing).

    Gamma numbers count down from the most alike level to 0 (else); -1 is null. Given name:
    5 exact, 4 nickname, 3 and 2 alike in spelling, 1 swapped with the surname; family name:
    3 exact, 2 JW 0.92; location: 7 address and postcode, 6 address, 5 address alike and
    postcode, 4 postcode, 3 address alike. Must say what :func:`model.guard` says with the
    pair's features, its reasons in the same order (a test holds them together).
    """
    differ = " OR ".join(f"gamma_{s} = 0" for s in IDENTIFIERS)
    agree = " OR ".join(f"gamma_{s} = 1" for s in IDENTIFIERS)
    # model._one_name_misspelt: far apart as spelt, one not a real name, a slip apart in
    # their formal forms.
    given_differ = ("gamma_given_name = 0 AND NOT coalesce((given_known_l IS NULL OR "
                    "given_known_r IS NULL) AND damerau_levenshtein(given_canon_l, "
                    "given_canon_r) <= 1, false)")
    # model._born_apart: whole dates of one year (dob level 1) differing in month and in
    # day, under given names not written alike.
    born_apart = ("gamma_dob = 1 AND gamma_given_name <> 5 AND dob_l IS NOT NULL AND "
                  "dob_r IS NOT NULL AND substr(dob_l, 9, 2) <> substr(dob_r, 9, 2)")
    # model._two_names: alike in spelling, two real names more than a slip apart (as spelt
    # and in their formal forms), one family or one home, no identifier in common.
    two_names = (f"gamma_given_name IN (3, 2) AND (gamma_family_name >= 2 OR "
                 f"gamma_location >= 3) AND NOT ({agree}) AND given_known_l IS NOT NULL "
                 f"AND given_known_r IS NOT NULL AND damerau_levenshtein(given_l, given_r) > 1 "
                 f"AND damerau_levenshtein(given_canon_l, given_canon_r) > 1")
    # model._born_outside, both ways; a null (no birth year, no identifier) says nothing.
    born_outside = " OR ".join(
        f"CAST(dob_y_{a} AS INT) {op} CAST(born_{edge}_{b} AS INT)"
        for a, b in (("l", "r"), ("r", "l")) for op, edge in (("<", "from"), (">", "to")))
    reasons = (
        ("given names differ", given_differ),
        ("dates of birth differ", f"gamma_dob = 0 OR ({born_apart})"),
        ("sexes and given names differ", "gamma_sex = 0 AND gamma_given_name NOT IN (5, 4)"),
        ("given names only loosely alike and no date of birth to confirm",
         "gamma_given_name = 2 AND gamma_dob NOT IN (4, 3, 2)"),
        ("given names are two different names", two_names),
        ("an identifier dates one a generation from the other's birth", born_outside),
        ("identifiers differ", differ),
    )
    assert [why for why, _ in reasons] == list(model.guard_weights)
    weight = "CASE " + " ".join(
        f"WHEN coalesce({condition}, false) THEN {_weight_sql(model, why)}"
        for why, condition in reasons) + " ELSE NULL END"
    if in_cluster:
        weight = weight.replace("gamma_given_name", (
            "(CASE WHEN gamma_given_name >= 0 AND (given_known_l IS NULL OR given_known_r "
            "IS NULL) THEN 5 ELSE gamma_given_name END)"))
    return weight, f"({agree})", f"({differ})"


def _weight_sql(model: Model, why: str) -> str:
    """A reason's Bayes factor: one number, or one for each location level (where the
    records ease the guard, :meth:`model.Model._guard_weights`)."""
    weights = model.guard_weights[why]
    if len(set(weights.values())) == 1:
        return repr(weights[NULL])
    return ("CASE gamma_location " + " ".join(
        f"WHEN {gamma} THEN {weights[gamma_to_label('location', gamma)]!r}"
        for gamma in range(len(COMPARISONS["location"][0]), -1, -1))
        + f" ELSE {weights[NULL]!r} END")


def held_apart_sql(guard_weight: str, agree: str, model: Model) -> str:
    """:meth:`model.Model.held_apart_in_cluster` over Splink's match weight: the guard stops
    the pair and, its Bayes factor taken, it does not reach the match threshold and is at
    GUARDED or below, or an identifier agrees."""
    weight = f"match_weight + ({guard_weight})"
    return (f"coalesce({weight} < {weight_of(model.thresholds['match'])!r} AND "
            f"{kept_apart_sql(weight, agree)}, false)")


def kept_apart_sql(guarded_weight: str, agree: str) -> str:
    """Of a pair the guard stops short of the match threshold, whether it is kept apart
    (``model._kept_apart``): the guard takes it to GUARDED or below, or an identifier
    agrees."""
    return f"({guarded_weight} <= {KEPT_APART_WEIGHT!r} OR {agree})"
