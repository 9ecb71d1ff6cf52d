"""The match model: the trained weights, the precision guard, and scoring a pair in pure
Python. The comparisons and their levels are :mod:`.levels`; one set of trained weights (m and
u per level, and the prior) scores both the batch and the online path.

Fellegi-Sunter alone merges twins: they share a surname, a date of birth, an address and a
postcode, which outweighs different given names. So scores pass a **precision guard**: where
the given names, the dates of birth or the sexes strongly disagree, or the given names are
alike in spelling but are two different names (twins Joan and Joanne), or an identifier dates
one of them a generation from the other's birth, the pair's weight loses the guard's Bayes
factor (:attr:`Model.guard_weights`), sized so that twins agreeing on everything else score as
different people. It is strong evidence, not a veto: a pair that also shares a validated
identifier can still link, and one whose identifier agrees is always at least reviewed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from safeguard.config import PACKAGE_DIR, get_settings
from safeguard.people.linkage.features import Features, one_slip_apart
from safeguard.people.linkage.levels import (
    COMPARISONS,
    ELSE,
    IDENTIFIERS,
    NULL,
    compare,
    identifier_agrees,
)

MODEL_FILE = PACKAGE_DIR / "data" / "person_match_model.json"

# Probability of a pair on or above MATCH: same person; between POSSIBLE and MATCH: a human
# decides; below POSSIBLE: different people.
MATCH = 0.95
POSSIBLE = 0.5
# Each guard reason's Bayes factor is sized so that the most alike pair of two people it
# stops (GUARD_LOOKALIKES: twins, siblings) scores GUARDED, "different people"; a pair it
# stops whose identifier agrees scores at least GUARDED_WITH_IDENTIFIER, a human review (an
# identifier is given to one person, so either it or the other fields were written wrongly).
GUARDED_WITH_IDENTIFIER = 0.9
GUARDED = 0.001
# A pair the guard stops is kept apart (a cannot-link no chain of links crosses) where the
# guard takes it to GUARDED or below, or an identifier agrees (for a human). One left above
# GUARDED (where the records ease the guard, :mod:`.lookalikes`) does not link by itself but
# does not split records their others join. The margin absorbs the sums' rounding.
KEPT_APART_WEIGHT = math.log2(GUARDED / (1 - GUARDED)) + 1e-9


def guard(levels: dict[str, str], a: Features | None = None,
          b: Features | None = None) -> str | None:
    """What speaks strongly against this pair being one person (the reason whose Bayes
    factor :meth:`Model.score_levels` takes), or None.

    Twins and siblings share surname, address, postcode and parents; what tells them apart
    is the given name (and the date of birth for siblings). With the pair's features, three
    more tests: given names alike in spelling that are two different names, whole dates of
    birth more than a slip apart under two forms of a name (sisters Kate and Catherine born
    in one year), and a birth year outside what the other record's identifier allows (a
    parent and a child).
    """
    if levels["given_name"] == ELSE and not (a is not None and b is not None
                                             and _one_name_misspelt(a, b)):
        return "given names differ"
    if levels["dob"] == ELSE or (levels["given_name"] != "exact" and a is not None
                                 and b is not None and _born_apart(levels, a, b)):
        return "dates of birth differ"
    if levels["sex"] == ELSE and levels["given_name"] not in ("exact", "nickname"):
        return "sexes and given names differ"
    if levels["given_name"] == "jw80" and levels["dob"] not in ("exact", "transposed",
                                                                 "year_month"):
        return "given names only loosely alike and no date of birth to confirm"
    if a is not None and b is not None:
        if _two_names(levels, a, b):
            return "given names are two different names"
        if _born_outside(a, b) or _born_outside(b, a):
            return "an identifier dates one a generation from the other's birth"
    differ = [scheme for scheme in IDENTIFIERS if levels[scheme] == ELSE]
    if differ:
        return f"{differ[0]} identifiers differ"
    return None


def guard_in_cluster(levels: dict[str, str], a: Features, b: Features) -> str | None:
    """The guard for two records that links put in one cluster without comparing them.

    There a given name that is no name people are given ("Benjaimn", "Thoas") tells
    nothing: such a pair is nearly always one person's nickname and misspelt formal name,
    chained by a record like both. So it counts as agreeing, and the pair is kept apart by
    what else the guard reads (dates of birth, identifiers, two real names, sexes).
    """
    if levels["given_name"] != NULL and (a.given_known is None or b.given_known is None):
        levels = {**levels, "given_name": "exact"}
    return guard(levels, a, b)


def _born_apart(levels: dict[str, str], a: Features, b: Features) -> bool:
    """Whole dates of birth of one year differing in month and in day, not by a day/month
    transposition: more than one slip (a mistyped day or month changes one of them), so
    two children born months apart, such as sisters known as Kate and Catherine. Read only
    with given names not written alike: siblings are seldom given one name, so one child's
    records with a slip in each (2015-08-14 and 2015-03-17) still link."""
    return (levels["dob"] == "year" and a.dob is not None and b.dob is not None
            and a.dob[8:] != b.dob[8:])


def _one_name_misspelt(a: Features, b: Features) -> bool:
    """Given names far apart as spelt, one of them no name people are given, and one slip
    of the keyboard apart in their formal forms: a nickname beside its formal name
    misspelt ("Becky" and "Reecca", "Tom" and "Thoas"), one name. Two real names stay two
    (twins Lou and Louis: Louise and Louis are a slip apart too)."""
    return ((a.given_known is None or b.given_known is None)
            and a.given_canon is not None and b.given_canon is not None
            and one_slip_apart(a.given_canon, b.given_canon))


def _two_names(levels: dict[str, str], a: Features, b: Features) -> bool:
    """Given names alike in spelling (Joan and Joanne, Lucinda and Linda) that are two names:
    each a name people are given, neither a form of the other, more than a slip of the
    keyboard apart (and their formal forms too: Matt and Mathew are Matthew misspelt), of
    two records of one family or one home (where twins and siblings are) with no identifier
    in common. A name misspelt is rarely another name, so typos still link."""
    return (levels["given_name"] in ("jw92", "jw80")
            and (levels["family_name"] in ("exact", "jw92")
                 or levels["location"] in ("address_postcode", "address", "alike_postcode",
                                           "postcode", "alike"))
            and not identifier_agrees(levels)
            and a.given_known is not None and b.given_known is not None
            and a.given is not None and b.given is not None
            and not one_slip_apart(a.given, b.given)
            and not one_slip_apart(a.given_canon or a.given, b.given_canon or b.given))


def _born_outside(a: Features, b: Features) -> bool:
    """Whether a's birth year is outside the years b's identifiers allow (b's UPN was given
    to a pupil in a year when a was an adult, or not yet born)."""
    if a.dob_y is None:
        return False
    return ((b.born_from is not None and int(a.dob_y) < int(b.born_from))
            or (b.born_to is not None and int(a.dob_y) > int(b.born_to)))


def _kept_apart(guarded_weight: float, levels: dict[str, str]) -> bool:
    """Of a pair the guard stops short of the match threshold: whether it is kept apart
    (KEPT_APART_WEIGHT; guard.kept_apart_sql says the same in SQL)."""
    return guarded_weight <= KEPT_APART_WEIGHT or identifier_agrees(levels)


def probability_of(weight: float) -> float:
    if weight > 60:
        return 1.0
    odds: float = 2.0 ** weight
    return odds / (1 + odds)


def weight_of(probability: float) -> float:
    return math.log2(probability / (1 - probability))


# For each of the guard's reasons, the most alike pair of two people it stops, as the levels
# of what the reason reads (the other comparisons at their most alike, identifiers absent
# unless named): the generator's and the county's twins and siblings, who share a surname, a
# home and parents. The reason's Bayes factor takes that pair down to GUARDED.
GUARD_LOOKALIKES: dict[str, dict[str, str]] = {
    # Twins: one birthday, two given names.
    "given names differ": {"given_name": ELSE, "dob": "exact"},
    # Siblings known by two forms of one name (Kate and Catherine) born in one year.
    "dates of birth differ": {"given_name": "nickname", "dob": "year"},
    # A brother and a sister, twins, of names alike in spelling (Daniel and Danielle).
    "sexes and given names differ": {"given_name": "jw92", "dob": "exact", "sex": ELSE},
    "given names only loosely alike and no date of birth to confirm": {
        "given_name": "jw80", "dob": "year"},
    # Twins Joan and Joanne.
    "given names are two different names": {"given_name": "jw92", "dob": "exact"},
    # A parent and a child of one name, the child's record dated only by its UPN.
    "an identifier dates one a generation from the other's birth": {
        "given_name": "exact", "dob": NULL},
    # A record carrying another person's identifier beside its own.
    "identifiers differ": {"given_name": "exact", "dob": "exact", "nhs": ELSE},
}


# For the reasons whose strength the records at hand can show (:mod:`.lookalikes`), the pair
# at one home each stands for there: the pairs it counts. Where the records show such pairs
# to be one person (records without families), that pair takes the target they show.
HOME_LOOKALIKES: dict[str, dict[str, str]] = {
    # One birthday, two given names: twins in a family, a replaced given name elsewhere.
    "given names differ": {"given_name": ELSE, "dob": "exact"},
    # One given name, two birth years: a parent and a namesake child, or a mistyped year.
    "dates of birth differ": {"given_name": "exact", "dob": ELSE},
}


def guard_reason(why: str) -> str:
    """The guard's reason without the scheme an identifier reason names (its key in
    GUARD_LOOKALIKES)."""
    return "identifiers differ" if why.endswith(" identifiers differ") else why


@dataclass(frozen=True)
class HomeRates:
    """The training records' homes (one surname at one address line, holding more than one
    record): the share holding housemates (two given names and two birth years), and how
    many of the guard's home lookalikes (HOME_LOOKALIKES) are two people per housemate pair
    (:mod:`.lookalikes`)."""

    homes_with_housemates: float
    lookalikes_per_housemate: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"homes_with_housemates": self.homes_with_housemates,
                "lookalikes_per_housemate": self.lookalikes_per_housemate}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> HomeRates:
        share = data["homes_with_housemates"]
        per_housemate = data["lookalikes_per_housemate"]
        assert isinstance(share, float | int) and isinstance(per_housemate, dict)
        return cls(float(share), {k: float(v) for k, v in per_housemate.items()})


@dataclass(frozen=True)
class Score:
    probability: float
    match_weight: float
    levels: dict[str, str]
    guard: str | None = None
    # Whether the pair is to be kept apart: the guard stopped it and, its Bayes factor
    # taken, it does not reach the match threshold (a cannot-link in the clustering).
    held_apart: bool = False

    @property
    def agreed(self) -> list[str]:
        """The comparisons that agreed exactly or closely (for the link's evidence)."""
        return [name for name, level in self.levels.items() if level not in (NULL, ELSE)]

    def evidence(self, version: str) -> dict[str, object]:
        return {"levels": self.levels, "agreed": self.agreed, "guard": self.guard,
                "held_apart": self.held_apart, "match_weight": round(self.match_weight, 3),
                "probability": round(self.probability, 6), "model_version": version}


@dataclass
class Model:
    """Trained weights: m and u for each level of each comparison, and the prior."""

    version: str
    prior: float
    m_u: dict[str, dict[str, tuple[float, float]]]
    trained_on: str = ""
    thresholds: dict[str, float] = field(
        default_factory=lambda: {"match": MATCH, "possible": POSSIBLE})
    # What each guard reason's lookalike pair scores, where the records at hand show it is
    # not GUARDED (:mod:`.lookalikes`: records with no homes of several people in them).
    guard_targets: dict[str, float] = field(default_factory=dict)
    # The training records' rates at one home (:mod:`.lookalikes` reads the guard's targets
    # against them); None for a model trained without them.
    homes: HomeRates | None = None
    # Each guard reason's Bayes factor (bits, at most 0) at each location level (a pair's
    # "location" comparison, null and else included).
    guard_weights: dict[str, dict[str, float]] = field(init=False, repr=False,
                                                       default_factory=dict)

    def __post_init__(self) -> None:
        self._bayes = {name: {level: math.log2(m / u) for level, (m, u) in levels.items()}
                       for name, levels in self.m_u.items()}
        self._prior_weight = math.log2(self.prior / (1 - self.prior))
        self.guard_weights = {why: self._guard_weights(why) for why in GUARD_LOOKALIKES}

    def _guard_weights(self, why: str) -> dict[str, float]:
        """A reason's Bayes factor at each location level. As trained, one factor, what
        takes the most alike pair of two people it stops (GUARD_LOOKALIKES) to GUARDED at
        every level: twins are kept apart wherever they live. Where the records ease it
        (``guard_targets``), the target they show is the share of the reason's pairs that
        are one person, wherever the pair is; so at each level the factor takes that
        level's most alike such pair (HOME_LOOKALIKES) to the target. One factor sized at
        home would hold such a pair elsewhere to another probability than the target, by as
        much as the location's own weight there differs from its weight at home (in records
        without families, where another house of the postcode weighs far less, to far less:
        a given name replaced on a record of someone who moved next door)."""
        levels = (*COMPARISONS["location"][0], ELSE, NULL)
        if why not in self.guard_targets:
            return dict.fromkeys(levels, self._guard_weight(GUARD_LOOKALIKES[why], GUARDED))
        lookalike, target = HOME_LOOKALIKES[why], self.guard_targets[why]
        return {level: self._guard_weight({**lookalike, "location": level}, target)
                for level in levels}

    def _guard_weight(self, lookalike: dict[str, str], target: float) -> float:
        """The Bayes factor (in bits, negative) that takes ``lookalike`` (the other
        comparisons at their most alike) to ``target``. Derived from this model's own m, u
        and prior, so a model fitted or scaled to other records keeps twins at GUARDED, and
        an agreeing identifier lifts a stopped pair by its own Bayes factor from there (so a
        validated NHS number, with every other field agreeing, links a record whose given
        name is mangled or written in the surname's field)."""
        weight = self._prior_weight
        for name, bayes in self._bayes.items():
            level = lookalike.get(name, NULL if name in IDENTIFIERS else None)
            weight += (max(bayes.values()) if level is None
                       else 0.0 if level == NULL else bayes[level])
        return min(weight_of(max(target, GUARDED)) - weight, 0.0)

    def guard_weight(self, why: str, levels: dict[str, str]) -> float:
        return self.guard_weights[guard_reason(why)][levels["location"]]

    def weight(self, levels: dict[str, str]) -> float:
        total = self._prior_weight
        for name, level in levels.items():
            if level != NULL:
                total += self._bayes[name][level]
        return total

    def score_levels(self, levels: dict[str, str], a: Features | None = None,
                     b: Features | None = None) -> Score:
        weight = self.weight(levels)
        why = guard(levels, a, b)
        if why is not None:
            weight += self.guard_weight(why, levels)
        probability = probability_of(weight)
        if identifier_agrees(levels):
            # An agreeing (validated, check-digited) identifier is decisive, and where the
            # guard speaks against it, worth a human's look at least.
            probability = max(probability, 0.999 if why is None else GUARDED_WITH_IDENTIFIER)
        held_apart = (why is not None and probability < self.thresholds["match"]
                      and _kept_apart(weight, levels))
        return Score(probability, weight, levels, why, held_apart)

    def score(self, a: Features, b: Features) -> Score:
        return self.score_levels(compare(a, b), a, b)

    def held_apart_in_cluster(self, a: Features, b: Features) -> bool:
        """Whether two records that links put in one cluster are kept apart: the cluster's
        guard (:func:`guard_in_cluster`) stops them and, its Bayes factor taken, they do not
        reach the match threshold and are at GUARDED or below, or an identifier agrees (as
        :attr:`Score.held_apart`)."""
        levels = compare(a, b)
        why = guard_in_cluster(levels, a, b)
        if why is None:
            return False
        weight = self.weight(levels) + self.guard_weight(why, levels)
        return weight < weight_of(self.thresholds["match"]) and _kept_apart(weight, levels)

    def to_json(self) -> dict[str, object]:
        return {
            "model_version": self.version, "trained_on": self.trained_on,
            "probability_two_random_records_match": self.prior,
            "thresholds": self.thresholds,
            "comparisons": {name: {level: {"m": m, "u": u} for level, (m, u) in levels.items()}
                            for name, levels in self.m_u.items()},
            **({"homes": self.homes.to_json()} if self.homes is not None else {}),
            **({"guard_targets": self.guard_targets} if self.guard_targets else {}),
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> Model:
        comparisons = data["comparisons"]
        assert isinstance(comparisons, dict)
        thresholds = data.get("thresholds") or {"match": MATCH, "possible": POSSIBLE}
        assert isinstance(thresholds, dict)
        prior = data["probability_two_random_records_match"]
        assert isinstance(prior, float | int)
        homes, targets = data.get("homes"), data.get("guard_targets")
        return cls(
            version=str(data["model_version"]), prior=float(prior),
            trained_on=str(data.get("trained_on", "")), thresholds=dict(thresholds),
            m_u={name: {level: (float(v["m"]), float(v["u"])) for level, v in levels.items()}
                 for name, levels in comparisons.items()},
            homes=HomeRates.from_json(homes) if isinstance(homes, dict) else None,
            guard_targets={str(k): float(v) for k, v in targets.items()}
            if isinstance(targets, dict) else {},
        )

    def save(self, path: Path = MODEL_FILE) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")


def load_model(path: Path | None = None) -> Model:
    """The model at ``path``; by default the one the store links with (a model fitted to its
    own records, ``SAFEGUARD_LINKAGE_MODEL_FILE``), else the shipped one."""
    if path is None:
        configured = get_settings().linkage.model_file
        path = Path(configured) if configured else MODEL_FILE
    return _load(path)


@cache
def _load(path: Path) -> Model:
    return Model.from_json(json.loads(path.read_text(encoding="utf-8")))
