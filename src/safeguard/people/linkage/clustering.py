"""Clustering linked records into people: a constrained union-find that never joins two
records the guard keeps apart, however many links chain them.

Plain connected components would join twins through one bad link. Here links are taken
strongest first, and two clusters are never joined if any pair across them is a cannot-link
(a lookalike the guard stopped, or carrying different identifiers). The batch finds most of
this in the database (:func:`batch.cluster_in_database`) and hands only the components that
hold a cannot-link to :func:`cluster`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from safeguard.people.linkage.features import Features
from safeguard.people.linkage.model import GUARDED, Model


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    probability: float
    cannot_link: bool
    match_weight: float = 0.0
    # An identifier agrees and the guard lets the pair through: the identifier names the
    # person, so this link is taken before any link without one.
    identified: bool = False


def cluster(ids: Sequence[str], pairs: Iterable[Pair], *, threshold: float) -> dict[str, int]:
    """Record id -> cluster number: links strongest first, never across a cannot-link.

    A record whose links reach two records that must be kept apart, and that is no more
    like one than the other (it has nothing, such as a date of birth, to tell them apart:
    a daughter named after her mother, recorded without a date of birth), is left on its
    own rather than given to whichever link happened to come first.
    """
    index = {record_id: n for n, record_id in enumerate(ids)}
    parent = list(range(len(ids)))
    apart: dict[int, set[int]] = {}
    links: list[tuple[bool, float, int, int]] = []
    weights: dict[int, dict[int, float]] = {}
    identified: set[tuple[int, int]] = set()
    for pair in pairs:
        a, b = index[pair.left], index[pair.right]
        if pair.cannot_link:
            apart.setdefault(a, set()).add(b)
            apart.setdefault(b, set()).add(a)
        elif pair.probability >= threshold:
            links.append((pair.identified, pair.probability, a, b))
            weights.setdefault(a, {})[b] = weights.setdefault(b, {})[a] = pair.match_weight
            if pair.identified:
                identified |= {(a, b), (b, a)}
    ambiguous = {n for n, linked in weights.items()
                 if _torn(n, linked, apart, identified)}
    # From here on, apart maps each cluster's root to the roots of the clusters it is kept
    # apart from, both ways, so a join is checked in constant time and merging moves the
    # smaller set: a component of thousands of records and cannot-links stays fast.
    apart = {n: set(others) for n, others in apart.items()}

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    # Links an identifier confirms first (a nameless record goes to the twin whose NHS
    # number it carries, not to the other twin it is as like), then the strongest.
    for _, _, a, b in sorted(links, key=lambda link: (not link[0], -link[1], link[2],
                                                        link[3])):
        if a in ambiguous or b in ambiguous:
            continue
        ra, rb = root(a), root(b)
        if ra == rb or rb in apart.get(ra, ()):
            continue
        if len(apart.get(ra, ())) < len(apart.get(rb, ())):
            ra, rb = rb, ra
        parent[rb] = ra
        # The joined cluster is kept apart from everything either part was kept apart from.
        moved = apart.pop(rb, set())
        for other in moved:
            partners = apart[other]
            partners.discard(rb)
            partners.add(ra)
        apart.setdefault(ra, set()).update(moved)
    roots: dict[int, int] = {}
    return {record_id: roots.setdefault(root(n), len(roots)) for record_id, n in index.items()}


# How much stronger (match weight, bits) a record's link to one of two records that must be
# kept apart has to be than its link to the other for the record to be given to the first.
# More than a slip of the keyboard in one name is worth (exact against Jaro-Winkler >= 0.92:
# 2.2 bits for a given name, 1.6 for a family name in the shipped model; a test holds it):
# a mother and daughter of one name, the daughter's dated record mistyped, are otherwise
# told apart by the typo, and an undated record goes to the mother.
AMBIGUITY_MARGIN = 2.5


def _torn(n: int, linked: dict[int, float], apart: dict[int, set[int]],
          identified: set[tuple[int, int]]) -> bool:
    """Whether record n links about equally strongly to two records kept apart (and no
    identifier names one of them)."""
    for x, weight_x in linked.items():
        for y in apart.get(x, ()):
            if (y in linked and abs(weight_x - linked[y]) < AMBIGUITY_MARGIN
                    and ((n, x) in identified) == ((n, y) in identified)):
                return True
    return False


def cluster_checked(ids: Sequence[str], pairs: Iterable[Pair], feats: dict[str, Features], *,
                    model: Model, threshold: float) -> dict[str, int]:
    """:func:`cluster`, with every pair of records inside a connected component of the
    links held to the guard first (:meth:`Model.held_apart_in_cluster`; a cannot-link where
    it keeps them apart), scored or not: links can chain two people through a record like both
    that were never compared themselves.
    In Python (Spark's path, and the reference the database's clustering is tested by)."""
    pairs = list(pairs)
    parent = {record_id: record_id for record_id in ids}

    def root(record_id: str) -> str:
        while parent[record_id] != record_id:
            parent[record_id] = parent[parent[record_id]]
            record_id = parent[record_id]
        return record_id

    for pair in pairs:
        if not pair.cannot_link and pair.probability >= threshold:
            parent[root(pair.left)] = root(pair.right)
    components: dict[str, list[str]] = {}
    for record_id in ids:
        components.setdefault(root(record_id), []).append(record_id)
    apart = [Pair(a, b, GUARDED, True) for members in components.values() if len(members) > 2
             for a, b in combinations(members, 2)
             if model.held_apart_in_cluster(feats[a], feats[b])]
    return cluster(ids, pairs + apart, threshold=threshold)
