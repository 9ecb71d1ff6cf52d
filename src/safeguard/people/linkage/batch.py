"""Batch linkage of person records (CSV in, one person id per record out) with Splink.

Splink (DuckDB by default, Spark for national-scale batches) blocks on the same keys as the
online index and computes each pair's comparison levels and match probability with the
shipped weights. The precision guard (:func:`model.guard`) is then applied to every pair in
SQL, and clusters are formed by a **constrained** union-find: links are taken strongest first,
and two clusters are never joined if any pair across them is a lookalike the guard stopped
(twins, siblings) or carries different identifiers. Plain connected components would join
twins through one bad link; this cannot.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from splink import DuckDBAPI, Linker
from splink.internals.database_api import DatabaseAPI

from safeguard.people.linkage.features import Features, features
from safeguard.people.linkage.model import (
    GUARDED,
    GUARDED_WITH_IDENTIFIER,
    IDENTIFIERS,
    Model,
    load_model,
)
from safeguard.people.linkage.splink_model import features_table, settings

INPUT_COLUMNS = ("record_id", "source", "given_name", "family_name", "dob", "sex", "postcode",
                 "address", "nhs_number", "upn", "pnc_id")


def record_features(row: dict[str, str]) -> Features:
    return features(given_name=row.get("given_name"), family_name=row.get("family_name"),
                    dob=row.get("dob"), sex=row.get("sex"), postcode=row.get("postcode"),
                    address=row.get("address"), nhs=(row.get("nhs_number") or "").strip(),
                    upn=(row.get("upn") or "").strip().upper(),
                    pnc=(row.get("pnc_id") or "").strip().upper())


def _guard_sql() -> tuple[str, str, str]:
    """(guard, an identifier agrees, an identifier differs) over Splink's gamma columns.

    Gamma numbers count down from the most alike level to 0 (else); -1 is null. Given name:
    4 exact, 3 nickname. Must say what :func:`model.guard` says (a test holds them together).
    """
    differ = " OR ".join(f"gamma_{s} = 0" for s in IDENTIFIERS)
    agree = " OR ".join(f"gamma_{s} = 1" for s in IDENTIFIERS)
    guard = (f"(gamma_given_name = 0 OR gamma_dob = 0 OR "
             f"(gamma_sex = 0 AND gamma_given_name NOT IN (4, 3)) OR "
             f"(gamma_given_name = 1 AND gamma_dob NOT IN (4, 3, 2)) OR {differ})")
    return guard, f"({agree})", f"({differ})"


@dataclass(frozen=True)
class Pair:
    left: str
    right: str
    probability: float
    cannot_link: bool


def scored_pairs(db_api: DatabaseAPI[Any], ids: Sequence[str], rows: Sequence[Features], *,
                 model: Model, dialect: str = "duckdb", floor: float = 0.5) -> list[Pair]:
    """Every blocked pair scoring at least ``floor`` once the guard is applied, and every
    guarded pair of lookalikes (same or similar family name, or the same address or postcode:
    twins, siblings, parents) as a cannot-link, whatever Splink's raw probability."""
    linker = Linker(db_api.register(features_table(ids, rows)),
                    settings(model, keep_levels=True, dialect=dialect),
                    log_level=logging.WARNING)
    predictions = linker.inference.predict()
    guard, agree, differ = _guard_sql()
    lookalike = "(gamma_family_name >= 2 OR gamma_location >= 3)"
    sql = f"""
        SELECT * FROM (
          SELECT unique_id_l, unique_id_r,
            CASE WHEN {guard} THEN least(match_probability,
                   CASE WHEN {agree} THEN {GUARDED_WITH_IDENTIFIER} ELSE {GUARDED} END)
                 WHEN {agree} THEN greatest(match_probability, 0.999)
                 ELSE match_probability END AS probability,
            {guard} AS cannot_link,
            {lookalike} AS lookalike
          FROM {predictions.physical_name}
        ) WHERE probability >= {floor} OR (cannot_link AND lookalike)
    """
    out = linker.misc.query_sql(sql, output_type="splink_df")  # type: ignore[no-untyped-call]
    return [Pair(str(r["unique_id_l"]), str(r["unique_id_r"]), float(r["probability"]),
                 bool(r["cannot_link"])) for r in out.as_record_list()]


def cluster(ids: Sequence[str], pairs: Iterable[Pair], *, threshold: float) -> dict[str, int]:
    """Record id -> cluster number: links strongest first, never across a cannot-link."""
    index = {record_id: n for n, record_id in enumerate(ids)}
    parent = list(range(len(ids)))
    apart: dict[int, set[int]] = {}
    links: list[tuple[float, int, int]] = []
    for pair in pairs:
        a, b = index[pair.left], index[pair.right]
        if pair.cannot_link:
            apart.setdefault(a, set()).add(b)
            apart.setdefault(b, set()).add(a)
        elif pair.probability >= threshold:
            links.append((pair.probability, a, b))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for _, a, b in sorted(links, key=lambda link: (-link[0], link[1], link[2])):
        ra, rb = root(a), root(b)
        if ra == rb:
            continue
        kept_apart = apart.get(ra, set())
        if any(root(other) == rb for other in kept_apart):
            continue
        if len(kept_apart) < len(apart.get(rb, set())):
            ra, rb = rb, ra
        parent[rb] = ra
        # The joined cluster is kept apart from everything either part was kept apart from.
        apart.setdefault(ra, set()).update(apart.pop(rb, set()))
    roots: dict[int, int] = {}
    return {record_id: roots.setdefault(root(n), len(roots)) for record_id, n in index.items()}


@dataclass(frozen=True)
class LinkResult:
    person_of: dict[str, str]
    pairs_scored: int
    unmatchable: int


def link_rows(rows: Sequence[dict[str, str]], *, db_api: DatabaseAPI[Any] | None = None,
              model: Model | None = None, dialect: str = "duckdb") -> LinkResult:
    """One person id per record. A record with no name and no date of birth is kept as its
    own person (and counted as unmatchable), never dropped."""
    model = model or load_model()
    ids = [row["record_id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("record_id must be unique")
    feats = [record_features(row) for row in rows]
    usable = [n for n, f in enumerate(feats)
              if f.given or f.family or f.dob_y]
    pairs = scored_pairs(db_api or DuckDBAPI(), [ids[n] for n in usable],
                         [feats[n] for n in usable], model=model, dialect=dialect) \
        if len(usable) > 1 else []
    clusters = cluster(ids, pairs, threshold=model.thresholds["match"])
    return LinkResult({record_id: f"P{number + 1}" for record_id, number in clusters.items()},
                      len(pairs), len(ids) - len(usable))


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    true_pairs: int
    predicted_pairs: int
    correct_pairs: int


def _pairs(sizes: Iterable[int]) -> int:
    return sum(k * (k - 1) // 2 for k in sizes)


def pair_scores(predicted: dict[str, str], truth: dict[str, str]) -> PairScores:
    """Pair-level precision, recall and F1 of a clustering against the truth."""
    by_predicted: dict[str, int] = {}
    by_truth: dict[str, int] = {}
    both: dict[tuple[str, str], int] = {}
    for record_id, cluster_id in predicted.items():
        true_id = truth[record_id]
        by_predicted[cluster_id] = by_predicted.get(cluster_id, 0) + 1
        by_truth[true_id] = by_truth.get(true_id, 0) + 1
        both[(cluster_id, true_id)] = both.get((cluster_id, true_id), 0) + 1
    correct, made, real = (_pairs(both.values()), _pairs(by_predicted.values()),
                           _pairs(by_truth.values()))
    precision = correct / made if made else 1.0
    recall = correct / real if real else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, real, made, correct)


def false_merges_in_households(predicted: dict[str, str], truth: dict[str, str],
                               household: dict[str, str]) -> int:
    """Pairs of different people of one household (twins, siblings, parents) merged."""
    groups: dict[str, list[str]] = {}
    for record_id, cluster_id in predicted.items():
        groups.setdefault(cluster_id, []).append(record_id)
    count = 0
    for members in groups.values():
        if len(members) < 2:
            continue
        people: dict[str, str] = {}
        for record_id in members:
            people.setdefault(truth[record_id], household.get(record_id, ""))
        homes: dict[str, int] = {}
        for home in people.values():
            homes[home] = homes.get(home, 0) + 1
        count += sum(k * (k - 1) // 2 for home, k in homes.items() if home)
    return count


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("record_id",) if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(missing)}")
        return [{k: (v or "") for k, v in row.items() if k is not None} for row in reader]


def write_csv(person_of: dict[str, str], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("record_id", "person_id"))
        writer.writerows(person_of.items())
