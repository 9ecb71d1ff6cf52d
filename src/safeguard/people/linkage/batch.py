"""Batch linkage of person records (CSV in, one person id per record out) with Splink.

Splink (DuckDB by default, Spark for national-scale batches) blocks on the same keys as the
online index and computes each pair's comparison levels and match probability with the
shipped weights. The precision guard (:func:`model.guard`, with its Bayes factor) is then
applied to every pair in SQL (:mod:`.guard`), and clusters are formed by a **constrained**
union-find (:mod:`.clustering`): links are taken strongest first, and two clusters are never
joined if any pair across them is a lookalike the guard keeps apart (twins, siblings) or
carries different identifiers. Plain connected components would join twins through one
bad link; this cannot. Pairs inside a component that were never compared (no blocking key
in common) are held to the guard too, so a record like two people cannot chain them
together.
"""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import duckdb
from splink import DuckDBAPI, Linker
from splink.internals.comparison_vector_values import (
    compute_comparison_vector_values_from_id_pairs_sqls,
)
from splink.internals.database_api import DatabaseAPI
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls_using_settings
from splink.internals.splink_dataframe import SplinkDataFrame
from splink.internals.vertically_concatenate import enqueue_df_concat_with_tf

from safeguard.people.linkage.clustering import Pair, cluster, cluster_checked
from safeguard.people.linkage.features import Features, features
from safeguard.people.linkage.guard import guard_sql, held_apart_sql, kept_apart_sql
from safeguard.people.linkage.lookalikes import fitted_to_homes
from safeguard.people.linkage.model import GUARDED, GUARDED_WITH_IDENTIFIER, Model, load_model
from safeguard.people.linkage.splink_model import features_table, fit, settings

INPUT_COLUMNS = ("record_id", "source", "given_name", "family_name", "dob", "sex", "postcode",
                 "address", "nhs_number", "upn", "pnc_id")


def record_features(row: dict[str, str]) -> Features:
    return features(given_name=row.get("given_name"), family_name=row.get("family_name"),
                    dob=row.get("dob"), sex=row.get("sex"), postcode=row.get("postcode"),
                    address=row.get("address"), nhs=(row.get("nhs_number") or "").strip(),
                    upn=(row.get("upn") or "").strip().upper(),
                    pnc=(row.get("pnc_id") or "").strip().upper())


# The scored pairs table: every blocked pair scoring at least ``floor`` once the guard's
# Bayes factor is taken, and every pair of lookalikes the guard keeps apart (same or similar
# family name, or the same address or postcode: twins, siblings, parents) as a cannot-link,
# whatever Splink's raw probability. It stays in the database: only the few pairs inside
# components that hold a cannot-link ever become Python objects. The guard (string
# distances among other tests) is worked out only for the pairs that can be kept: scoring at
# least ``floor`` before it (it only lowers a score), with an agreeing identifier (which can
# raise a pair to 0.999), or lookalikes; most blocked pairs are none. It runs in the query
# that scores the pairs (:func:`_predict_into`). Probabilities as :func:`model.probability_of`
# gives them (Splink's own where the guard is silent).
_SCORED = """
    SELECT unique_id_l, unique_id_r, match_weight, probability,
           {kept_apart} AS cannot_link, agreed AND NOT ({kept_apart}) AS identified,
           lookalike
    FROM (
      SELECT unique_id_l, unique_id_r, guarded, agreed, lookalike, match_weight,
        CASE WHEN agreed THEN greatest(p, CASE WHEN guarded THEN {guarded_with_id}
                                              ELSE 0.999 END)
             ELSE p END AS probability
      FROM (
        SELECT unique_id_l, unique_id_r, guarded, agreed, lookalike,
          CASE WHEN guarded THEN match_weight + guard_weight ELSE match_weight END
            AS match_weight,
          CASE WHEN NOT guarded THEN match_probability
               WHEN match_weight + guard_weight > 60 THEN 1.0
               ELSE pow(2, match_weight + guard_weight)
                    / (1 + pow(2, match_weight + guard_weight)) END AS p
        FROM (
          SELECT *, guard_weight IS NOT NULL AS guarded FROM (
            SELECT unique_id_l, unique_id_r, match_weight, match_probability,
                   {guard_weight} AS guard_weight, {agree} AS agreed,
                   (gamma_family_name >= 2 OR gamma_location >= 3) AS lookalike
            FROM {predictions}
            WHERE match_probability >= {floor} OR {agree} OR gamma_family_name >= 2
                  OR gamma_location >= 3))))
    WHERE probability >= {floor} OR ({kept_apart} AND lookalike)
"""


@dataclass(frozen=True)
class Scored:
    """A batch scored in the database: its records, its scored pairs (``_SCORED``), the
    linker that scored them and the model it scored them with."""

    db_api: DatabaseAPI[Any]
    linker: Linker
    records: SplinkDataFrame
    pairs: SplinkDataFrame
    model: Model


def _predict_into(linker: Linker, sql: str) -> SplinkDataFrame:
    """``sql`` (reading ``__splink__df_predict``) over Splink's predictions, in one query.

    The SQL of Splink's own unchunked ``linker.inference.predict()`` (blocked pairs, then
    comparison vectors, then match weights), with ``sql`` appended to the same pipeline as
    its last step: DuckDB then never writes out every blocked pair with the comparison
    columns the guard reads (40 million pairs of a million records, spilt to disk past the
    memory limit), only the pairs ``sql`` keeps. Only the blocked pairs' ids are a table.
    """
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    settings_obj = linker._settings_obj
    pipeline = CTEPipeline([blocked])
    enqueue_df_concat_with_tf(linker, pipeline)
    pipeline.enqueue_list_of_sqls(compute_comparison_vector_values_from_id_pairs_sqls(
        settings_obj._columns_to_select_for_blocking,
        settings_obj._columns_to_select_for_comparison_vector_values,
        input_tablename_l="__splink__df_concat_with_tf",
        input_tablename_r="__splink__df_concat_with_tf",
        source_dataset_input_column=settings_obj.column_info_settings
        .source_dataset_input_column,
        unique_id_input_column=settings_obj.column_info_settings.unique_id_input_column,
        link_type=settings_obj._link_type,
        sql_dialect_str=linker._sql_dialect_str,
    ))
    pipeline.enqueue_list_of_sqls(
        predict_from_comparison_vectors_sqls_using_settings(settings_obj))
    pipeline.enqueue_sql(sql, "__splink__df_scored")
    try:
        return linker._db_api.sql_pipeline_to_splink_dataframe(pipeline)
    finally:
        blocked.drop_table_from_database_and_remove_from_cache()


def _score(db_api: DatabaseAPI[Any], ids: Sequence[str], rows: Sequence[Features], *,
           model: Model, dialect: str, floor: float) -> Scored:
    records = db_api.register(features_table(ids, rows))
    linker = Linker(records, settings(model, keep_levels=True, dialect=dialect),
                    log_level=logging.WARNING)
    guard_weight, agree, _ = guard_sql(model)
    # model.Score.held_apart: the guard stops the pair short of the match threshold and
    # keeps it apart.
    kept_apart = (f"guarded AND probability < {model.thresholds['match']} AND "
                  f"{kept_apart_sql('match_weight', 'agreed')}")
    sql = _SCORED.format(guard_weight=guard_weight, agree=agree, kept_apart=kept_apart,
                         guarded_with_id=GUARDED_WITH_IDENTIFIER,
                         predictions="__splink__df_predict", floor=floor)
    return Scored(db_api, linker, records, _predict_into(linker, sql), model)


def score_batch(db_api: DatabaseAPI[Any], ids: Sequence[str], rows: Sequence[Features], *,
                model: Model, floor: float) -> Scored:
    """A batch scored on DuckDB, its pairs left in the database (see ``_SCORED``)."""
    return _score(db_api, ids, rows, model=model, dialect="duckdb", floor=floor)


def _pairs_of(table: dict[str, list[Any]]) -> list[Pair]:
    return [Pair(str(left), str(right), float(p), bool(apart), float(weight or 0.0),
                 bool(named))
            for left, right, p, apart, weight, named in zip(
                table["unique_id_l"], table["unique_id_r"], table["probability"],
                table["cannot_link"], table["match_weight"], table["identified"], strict=True)]


def scored_pairs(db_api: DatabaseAPI[Any], ids: Sequence[str], rows: Sequence[Features], *,
                 model: Model, dialect: str = "duckdb", floor: float = 0.5) -> list[Pair]:
    """Every pair of the scored pairs table (see ``_SCORED``), as Python objects."""
    return _pairs_of(_score(db_api, ids, rows, model=model, dialect=dialect,
                            floor=floor).pairs.as_dict())


# A component of more than two records whose records disagree on a field the guard reads (a
# given name, a birth date, a sex, an identifier, or a birth year an identifier rules out)
# may hold two people joined through a record like both, the two never compared (no blocking
# key in common: a mother and a daughter known by her father's surname). Only those
# components have every pair scored and held to the guard; in the others (a pair of records,
# or records agreeing on all of it) the guard cannot stop a pair.
_SUSPECT = """
    SELECT f.*, c.cluster_id AS component
    FROM {records} f JOIN {components} c ON f.unique_id = c.unique_id
    WHERE c.cluster_id IN (
      SELECT c.cluster_id FROM {records} f JOIN {components} c ON f.unique_id = c.unique_id
      GROUP BY c.cluster_id
      HAVING count(*) > 2 AND (
        count(DISTINCT f.given_canon) > 1 OR count(DISTINCT f.dob) > 1
        OR count(DISTINCT f.dob_y) > 1 OR count(DISTINCT f.sex) > 1
        OR count(DISTINCT f.nhs) > 1 OR count(DISTINCT f.upn) > 1
        OR count(DISTINCT f.pnc) > 1
        OR min(CAST(f.dob_y AS INT)) < max(CAST(f.born_from AS INT))
        OR max(CAST(f.dob_y AS INT)) > min(CAST(f.born_to AS INT))))
"""


def _kept_apart_within(batch: Scored, components: SplinkDataFrame) -> SplinkDataFrame | None:
    """Every pair of records inside a suspect component (``_SUSPECT``) that the guard keeps
    apart, scored by Splink with the batch's own settings blocked on the component."""
    suspects = batch.linker.misc.query_sql(  # type: ignore[no-untyped-call]
        _SUSPECT.format(records=batch.records.physical_name,
                        components=components.physical_name), output_type="splink_df")
    if not batch.linker.misc.query_sql(  # type: ignore[no-untyped-call]
            f"SELECT 1 FROM {suspects.physical_name} LIMIT 1",
            output_type="splink_df").as_record_list():
        suspects.drop_table_from_database_and_remove_from_cache()
        return None
    within_settings = settings(batch.model, keep_levels=True)
    within_settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": "l.component = r.component", "sql_dialect": "duckdb"}]
    checker = Linker(batch.db_api.register(suspects.physical_name), within_settings,
                     log_level=logging.WARNING)
    predictions = checker.inference.predict()
    guard_weight, agree, _ = guard_sql(batch.model, in_cluster=True)
    apart: SplinkDataFrame = checker.misc.query_sql(  # type: ignore[no-untyped-call]
        f"SELECT unique_id_l, unique_id_r FROM {predictions.physical_name} "
        f"WHERE {held_apart_sql(guard_weight, agree, batch.model)}", output_type="splink_df")
    for frame in (predictions, suspects):
        frame.drop_table_from_database_and_remove_from_cache()
    return apart


def _components(batch: Scored, *, threshold: float) -> \
        tuple[dict[str, str], dict[str, list[Pair]]]:
    """Connected components of the links, in the database; and, for the few components
    that hold a cannot-link (a scored pair the guard stopped, or any pair of its records
    the guard keeps apart), their links and cannot-links (to be split in Python)."""
    linker, scored = batch.linker, batch.pairs
    links = linker.misc.query_sql(  # type: ignore[no-untyped-call]
        f"SELECT unique_id_l, unique_id_r FROM {scored.physical_name} "
        f"WHERE NOT cannot_link AND probability >= {threshold}", output_type="splink_df")
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(links)
    components = linker.misc.query_sql(  # type: ignore[no-untyped-call]
        f"SELECT unique_id, cluster_id FROM {clustered.physical_name}",
        output_type="splink_df")
    apart = _kept_apart_within(batch, components)
    also_apart = "" if apart is None else f"""
          UNION ALL
          SELECT w.unique_id_l, w.unique_id_r, {GUARDED} AS probability, true AS cannot_link,
                 0.0 AS match_weight, false AS identified, a.cluster_id
          FROM {apart.physical_name} w
          JOIN {components.physical_name} a ON w.unique_id_l = a.unique_id"""
    inside = linker.misc.query_sql(f"""
        WITH inside AS (
          SELECT s.unique_id_l, s.unique_id_r, s.probability, s.cannot_link, s.match_weight,
                 s.identified, a.cluster_id
          FROM {scored.physical_name} s
          JOIN {components.physical_name} a ON s.unique_id_l = a.unique_id
          JOIN {components.physical_name} b ON s.unique_id_r = b.unique_id
          WHERE a.cluster_id = b.cluster_id AND (s.cannot_link OR s.probability >= {threshold})
          {also_apart}
        )
        SELECT * FROM inside
        WHERE cluster_id IN (SELECT cluster_id FROM inside WHERE cannot_link)
    """, output_type="splink_df")  # type: ignore[no-untyped-call]
    columns = components.as_dict()
    component_of = {str(record_id): str(component) for record_id, component in zip(
        columns["unique_id"], columns["cluster_id"], strict=True)}
    conflicted: dict[str, list[Pair]] = {}
    table = inside.as_dict()
    for pair, component in zip(_pairs_of(table), table["cluster_id"], strict=True):
        conflicted.setdefault(str(component), []).append(pair)
    for frame in (links, clustered, components, inside, *([apart] if apart else [])):
        frame.drop_table_from_database_and_remove_from_cache()
    return component_of, conflicted


def cluster_in_database(batch: Scored, ids: Sequence[str], *,
                        threshold: float) -> dict[str, int]:
    """What :func:`cluster_checked` gives, for all of ``ids``: a constrained union-find only
    ever joins records of one connected component of the links, and only a cannot-link
    inside a component can split it, so components are found in SQL and only those holding
    a cannot-link are clustered in Python."""
    component_of, conflicted = _components(batch, threshold=threshold)
    members: dict[str, list[str]] = {}
    for record_id in ids:
        component = component_of.get(record_id)
        if component in conflicted:
            members.setdefault(component, []).append(record_id)
    split: dict[str, str] = {}
    for component, records in members.items():
        parts = cluster(records, conflicted[component], threshold=threshold)
        split.update((record_id, f"{component}/{part}") for record_id, part in parts.items())
    numbers: dict[str, int] = {}
    out: dict[str, int] = {}
    for record_id in ids:
        label = split.get(record_id) or component_of.get(record_id) or f"/{record_id}"
        out[record_id] = numbers.setdefault(label, len(numbers))
    return out


_TRAINED_RECORDS = re.compile(r"(\d+) records")


def scaled_to(model: Model, records: int) -> Model:
    """The model with its prior scaled to a batch larger than the one it was trained on.

    A person has about as many records in a large batch as in a small one, so the chance
    that two records picked at random belong to one person falls as 1/N: a prior learnt on
    30,000 records is 33 times too hopeful for a million, and namesakes would be matched.
    """
    trained = _TRAINED_RECORDS.search(model.trained_on)
    if trained is None or records <= int(trained.group(1)):
        return model
    return replace(model, prior=model.prior * int(trained.group(1)) / records)


def duckdb_api(*, memory_limit: str | None = None,
               temp_directory: Path | None = None) -> DuckDBAPI:
    """A DuckDB connection for a batch. With a memory limit DuckDB spills to temp_directory
    what it would otherwise hold in memory, so a large batch runs on a smaller machine."""
    config: dict[str, str | bool | int | float | list[str]] = {}
    if memory_limit:
        config["memory_limit"] = memory_limit
    if temp_directory is not None:
        temp_directory.mkdir(parents=True, exist_ok=True)
        config["temp_directory"] = str(temp_directory)
    return DuckDBAPI(connection=duckdb.connect(config=config))


@dataclass(frozen=True)
class LinkResult:
    person_of: dict[str, str]
    pairs_scored: int
    unmatchable: int


def link_rows(rows: Sequence[dict[str, str]], *, db_api: DatabaseAPI[Any] | None = None,
              model: Model | None = None, dialect: str = "duckdb",
              fit_to_records: bool | None = None) -> LinkResult:
    """One person id per record. A record with no name, no date of birth and no identifier
    is kept as its own person (and counted as unmatchable), never dropped.

    ``fit_to_records``: the model's m and u fitted to these records first
    (:func:`splink_model.fit`); by default, where their homes hold no families
    (:mod:`.lookalikes` reads the guard from them). Among families, expectation
    maximisation cannot tell twins from one person keyed twice (they agree on all but the
    given name) and would learn a replaced given name as common; the shipped model was
    trained with the truth of a county of families, so there it is kept."""
    model = model or load_model()
    ids = [row["record_id"] for row in rows]
    if len(set(ids)) != len(ids):
        raise ValueError("record_id must be unique")
    feats = [record_features(row) for row in rows]
    usable = [n for n, f in enumerate(feats) if f.matchable]
    clusters: dict[str, int] = {}
    pairs = 0
    if len(usable) > 1:
        db_api = db_api or DuckDBAPI()
        kept = [ids[n] for n in usable]
        kept_feats = [feats[n] for n in usable]
        model = fitted_to_homes(scaled_to(model, len(usable)), kept_feats)
        if fit_to_records is None:
            fit_to_records = bool(model.guard_targets)
        if fit_to_records:
            model = fit(db_api, features_table(kept, kept_feats), model=model)
        batch = _score(db_api, kept, kept_feats, model=model, dialect=dialect, floor=0.5)
        threshold = model.thresholds["match"]
        if dialect == "duckdb":
            pairs = int(batch.linker.misc.query_sql(  # type: ignore[no-untyped-call]
                f"SELECT count(*) AS n FROM {batch.pairs.physical_name} "
                "WHERE probability >= 0.5", output_type="splink_df").as_record_list()[0]["n"])
            clusters = cluster_in_database(batch, kept, threshold=threshold)
        else:
            # Splink's connected components run out of heap on Spark local mode (its
            # iterations persist every step), so on Spark the pairs are clustered in Python.
            # There the scored pairs are a view, not a table: every read of them runs the
            # blocking, comparisons and guard again, so they are collected once and counted
            # and clustered from that one copy.
            scored = _pairs_of(batch.pairs.as_dict())
            pairs = sum(pair.probability >= 0.5 for pair in scored)
            clusters = cluster_checked(kept, scored, dict(zip(kept, kept_feats, strict=True)),
                                       model=batch.model, threshold=threshold)
    # Records in no cluster (nothing to match on, or only one usable record) are their own.
    numbers: dict[int | str, int] = {}
    person_of = {}
    for record_id in ids:
        number = numbers.setdefault(clusters.get(record_id, record_id), len(numbers))
        person_of[record_id] = f"P{number + 1}"
    return LinkResult(person_of, pairs, len(ids) - len(usable))


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
                               household: dict[str, str],
                               role: dict[str, str] | None = None) -> dict[str, int]:
    """Pairs of different people of one household put in one cluster, by kind: "siblings"
    (twins and other siblings: two children), "parent-child", "parents" ("all" without roles)."""
    groups: dict[str, list[str]] = {}
    for record_id, cluster_id in predicted.items():
        groups.setdefault(cluster_id, []).append(record_id)
    counts = {"siblings": 0, "parent-child": 0, "parents": 0} if role else {"all": 0}
    for members in groups.values():
        if len(members) < 2:
            continue
        people: dict[str, tuple[str, str]] = {}
        for record_id in members:
            people.setdefault(truth[record_id], (household.get(record_id, ""),
                                                 role.get(record_id, "") if role else ""))
        found = sorted(people.values())
        for n, (home, kind) in enumerate(found):
            for other_home, other_kind in found[n + 1:]:
                if home and home == other_home:
                    counts[_kind_of_pair(kind, other_kind) if role else "all"] += 1
    return counts


def _kind_of_pair(a: str, b: str) -> str:
    if a == b == "child":
        return "siblings"
    return "parents" if a == b == "parent" else "parent-child"


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
