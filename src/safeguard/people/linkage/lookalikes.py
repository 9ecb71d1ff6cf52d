"""How strong the guard is, read from the records at hand: whether they come from homes of
several people.

The guard (:func:`model.guard`) keeps apart the pairs twins and siblings make: one surname,
one home, two given names and one birthday (twins), or one name and two birth years (a
parent and a child named after them). It is sized on the shipped model's records, a county
of families, where such a pair is nearly always two people. Records from elsewhere may hold
no families at all (a register of individuals, a list with duplicates typed again), and
there the same pair is nearly always one person whose given name or date of birth was
replaced when it was keyed: a guard sized for twins splits them.

What tells the two apart is the records' other pairs at one home. Where families live, a
home's records hold **housemates**: two given names and two birth years, two people beyond
doubt (siblings, parents, partners). Twins and namesakes come with them at a rate the
training records give (``HomeRates.lookalikes_per_housemate``). So the records at hand are
read for their home pairs (one surname and one address line): how many are housemates, how
many look like each kind of lookalike, and how many are one person. The expected number of
lookalikes that are two people follows from the housemates; the rest of those seen are one
person; and the guard's target for its reason (:attr:`model.Model.guard_targets`) is the
share that are one person. The records decide only where their homes hold far fewer
housemates than a county's (fewer than half its share, by an exact binomial tail at 1%, a
home the unit: its pairs are not independent of each other): a handful of homes, such as
one family's twins, leaves the guard as strong as it was trained. Its limit: a file whose
every home is a pair of twins and nothing else reads as a file without families.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from safeguard.people.linkage.features import Features
from safeguard.people.linkage.levels import COMPARISONS, ELSE, NULL
from safeguard.people.linkage.model import GUARDED, HOME_LOOKALIKES, HomeRates, Model

# The guard's reasons read here (model.HOME_LOOKALIKES: the pair at one home each stands for).
TWINS = "given names differ"  # two given names, one birthday
NAMESAKES = "dates of birth differ"  # one given name (or alike), two birth years
READ = tuple(HOME_LOOKALIKES)
# Home pairs read at most (a random sample of homes beyond it): rates, not counts, are
# wanted, and a million records' homes hold millions of pairs.
MOST_PAIRS = 200_000
# How unlikely, under the trained rates, what the records show must be before the guard
# is read from them instead.
SIGNIFICANT = 0.01
# How far fewer: the records' homes hold housemates in fewer than this part of the share
# the training records' homes do (a test of a share alone would, over a million records,
# find a county a shade off the training records' families "significantly" short of them).
FEWER = 0.5
HOUSEMATE = "housemate"


@dataclass
class HomeCounts:
    """The records' homes with a pair to read (both given names and dates of birth), and
    their pairs."""

    homes: int = 0
    homes_with_housemates: int = 0
    housemates: int = 0
    lookalikes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(READ, 0))


def kind_of(a: Features, b: Features) -> str | None:
    """What a pair at one home is: a housemate pair, a lookalike of one of READ's reasons,
    another pair (""), or None where a given name or a date of birth is missing."""
    given = COMPARISONS["given_name"][1](a, b)
    dob = COMPARISONS["dob"][1](a, b)
    if NULL in (given, dob):
        return None
    if given == ELSE:
        return HOUSEMATE if dob == ELSE else TWINS if dob == "exact" else ""
    return NAMESAKES if dob == ELSE else ""


def homes_of(feats: Sequence[Features]) -> list[list[int]]:
    """The records (by position) of each home, one surname at one address line, that holds
    more than one; past MOST_PAIRS pairs, a random sample of homes (seeded: the same records,
    the same sample)."""
    homes: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, f in enumerate(feats):
        if f.family and f.address:
            homes[(f.family, f.address)].append(n)
    shared = [members for members in homes.values() if len(members) > 1]
    random.Random(len(feats)).shuffle(shared)
    taken, pairs = [], 0
    for members in shared:
        taken.append(members)
        pairs += len(members) * (len(members) - 1) // 2
        if pairs >= MOST_PAIRS:
            break
    return taken


def _kinds(feats: Sequence[Features], members: list[int]) -> list[tuple[int, int, str]]:
    found = []
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            kind = kind_of(feats[a], feats[b])
            if kind is not None:
                found.append((a, b, kind))
    return found


def count_homes(feats: Sequence[Features], truth: Sequence[str] | None = None
                ) -> tuple[HomeCounts, dict[str, int]]:
    """The records' homes and pairs by kind; with ``truth``, also how many pairs of each
    kind are two people."""
    counts = HomeCounts()
    apart: dict[str, int] = defaultdict(int)
    for members in homes_of(feats):
        found = _kinds(feats, members)
        if not found:
            continue
        kinds = [kind for _, _, kind in found]
        counts.homes += 1
        counts.housemates += kinds.count(HOUSEMATE)
        counts.homes_with_housemates += HOUSEMATE in kinds
        for why in READ:
            counts.lookalikes[why] += kinds.count(why)
        if truth is not None:
            for a, b, kind in found:
                apart[kind] += truth[a] != truth[b]
    return counts, apart


def train_rates(feats: Sequence[Features], truth: Sequence[str]) -> HomeRates:
    """The rates of records with known truth (the shipped model's training records)."""
    counts, apart = count_homes(feats, truth)
    housemates = max(counts.housemates, 1)
    return HomeRates(
        homes_with_housemates=counts.homes_with_housemates / max(counts.homes, 1),
        lookalikes_per_housemate={why: apart[why] / housemates for why in READ})


def _binomial_tail(seen: int, out_of: int, rate: float) -> float:
    """The chance of ``seen`` or fewer in ``out_of`` at ``rate``: an exact binomial tail,
    valid for the few homes of a small store. As many as expected or more is not unlikely at
    all (1)."""
    if seen >= rate * out_of:
        return 1.0
    if rate >= 1:
        return 0.0

    def log_chance(k: int) -> float:
        return (math.lgamma(out_of + 1) - math.lgamma(k + 1) - math.lgamma(out_of - k + 1)
                + k * math.log(rate) + (out_of - k) * math.log(1 - rate))

    # Below what is expected the terms only shrink: sum from ``seen`` down until they no
    # longer count.
    first = log_chance(seen)
    total = 0.0
    for k in range(seen, -1, -1):
        term = math.exp(log_chance(k) - first)
        total += term
        if term < 1e-12:
            break
    return min(math.exp(first) * total, 1.0)


def guard_targets(counts: HomeCounts, trained: HomeRates) -> dict[str, float]:
    """For each reason read, the share of its lookalikes in these records that are one
    person: only where far fewer of the records' homes hold housemates than homes of
    families would (the chance of so few at FEWER times the trained share below
    SIGNIFICANT). Elsewhere, the guard stays as the model was trained."""
    if _binomial_tail(counts.homes_with_housemates, counts.homes,
                      trained.homes_with_housemates * FEWER) >= SIGNIFICANT:
        return {}
    targets = {}
    for why in READ:
        seen = counts.lookalikes[why]
        if not seen:
            continue
        # The two people among them: as many as the records' own housemates bring.
        two_people = trained.lookalikes_per_housemate.get(why, 0.0) * counts.housemates
        targets[why] = min(max((seen - two_people) / seen, GUARDED), 1 - GUARDED)
    return targets


def fitted_to_homes(model: Model, feats: Sequence[Features]) -> Model:
    """The model with its guard's targets read from these records (unchanged for a model
    without trained home rates)."""
    if model.homes is None:
        return model
    return replace(model, guard_targets=guard_targets(count_homes(feats)[0], model.homes))
