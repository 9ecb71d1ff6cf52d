"""Person linkage benchmark: our pipeline vs plain Splink on hard data with known truth, and
online resolution latency against a candidate index of N persons.

    .venv/bin/python bench/linkage.py                      # batch at 10k and 100k records
    .venv/bin/python bench/linkage.py --sizes 10000 100000 1000000 --online 100000

Each pipeline runs in its own forked process, whose peak memory (VmHWM, reset at the start
through /proc/self/clear_refs) is reported; it includes the input rows the parent had read.
Data: safeguard.people.linkage.synthetic.generate (seed 2024; the shipped model was trained on
seed 7). "Household false merges" counts pairs of *different* people of one household (twins,
siblings, parents) put into one cluster.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator
from sqlalchemy import insert

from safeguard.db import make_engine, make_session_factory
from safeguard.events.models import Event
from safeguard.migrate import upgrade
from safeguard.people.linkage.batch import (
    duckdb_api,
    false_merges_in_households,
    link_rows,
    pair_scores,
    record_features,
)
from safeguard.people.linkage.features import index_keys, parse_dob
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.online import find_candidates
from safeguard.people.linkage.splink_model import features_table
from safeguard.people.linkage.splink_model import settings as splink_settings
from safeguard.people.linkage.synthetic import generate
from safeguard.people.models import (
    Address,
    Person,
    PersonBlockingKey,
    PersonIdentifier,
    PersonRecord,
)

SEED = 2024
WHEN = datetime(2026, 1, 1, tzinfo=UTC)
# Where DuckDB spills once it reaches its memory limit (--memory-limit); .tmp/ is ignored by git.
SPILL = Path(__file__).resolve().parent.parent / ".tmp" / "duckdb"
# DuckDB's memory limit for both batch pipelines (set by main): None is DuckDB's default,
# 80% of the machine's memory.
MEMORY_LIMIT: str | None = None


def _duckdb() -> DuckDBAPI:
    return duckdb_api(memory_limit=MEMORY_LIMIT, temp_directory=SPILL)


Pipeline = Callable[[list[dict[str, str]]], dict[str, str]]


def splink_columns(rows: list[dict[str, str]]) -> dict[str, list[Any]]:
    """The records' columns as plain Splink is given them: cleaned as its tutorials clean
    them, a date of birth only when it is whole, the address's first line only."""
    def clean(value: str) -> str | None:
        return value.strip().lower() or None

    def whole_dob(value: str) -> str | None:
        born = parse_dob(value)
        return f"{born.year:04d}-{born.month:02d}-{born.day:02d}" \
            if born and born.month and born.day else None

    return {
        "unique_id": [r["record_id"] for r in rows],
        "given_name": [clean(r["given_name"]) for r in rows],
        "family_name": [clean(r["family_name"]) for r in rows],
        "dob": [whole_dob(r["dob"]) for r in rows],
        "sex": [clean(r["sex"]) for r in rows],
        "postcode": [r["postcode"].strip().upper() or None for r in rows],
        "address": [clean(r["address"].split(",")[0]) for r in rows],
        "nhs": [r["nhs_number"] or None for r in rows],
        "upn": [r["upn"] or None for r in rows],
        "pnc": [r["pnc_id"] or None for r in rows],
    }


def score(pipeline: Pipeline, rows: list[dict[str, str]]) -> dict[str, Any]:
    """The pipeline run on the rows, timed, and its clusters scored against the rows' truth:
    pair precision, recall and F1, and (when the rows name their households) the pairs of
    different people of one household it merged, by kind."""
    started = time.perf_counter()
    person_of = pipeline(rows)
    seconds = time.perf_counter() - started
    truth = {r["record_id"]: r["truth"] for r in rows}
    scores = pair_scores(person_of, truth)
    merges = false_merges_in_households(
        person_of, truth, {r["record_id"]: r["household"] for r in rows},
        {r["record_id"]: r["role"] for r in rows}) if "household" in rows[0] else None
    return {"seconds": seconds, "precision": scores.precision, "recall": scores.recall,
            "f1": scores.f1, "household_false_merges": merges}


def merges_text(merges: dict[str, int]) -> str:
    return (f"{sum(merges.values())} ({merges['siblings']}/{merges['parent-child']}/"
            f"{merges['parents']})")


def ours(rows: list[dict[str, str]]) -> dict[str, str]:
    return link_rows(rows, db_api=_duckdb()).person_of


def plain_splink(rows: list[dict[str, str]]) -> dict[str, str]:
    """Splink as its tutorials use it: library comparisons on cleaned columns, trained the same
    way as ours (u by random sampling, m from the truth column), connected components at 0.95."""
    columns = splink_columns(rows)
    columns["truth"] = [r["truth"] for r in rows]
    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()})
    sizes: dict[str, int] = {}
    for r in rows:
        sizes[r["truth"]] = sizes.get(r["truth"], 0) + 1
    n = len(rows)
    prior = sum(k * (k - 1) / 2 for k in sizes.values()) / (n * (n - 1) / 2)
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"), cl.PostcodeComparison("postcode"), cl.ExactMatch("address"),
            cl.ExactMatch("nhs"), cl.ExactMatch("upn"), cl.ExactMatch("pnc"),
        ],
        blocking_rules_to_generate_predictions=[
            "l.nhs = r.nhs", "l.upn = r.upn", "l.pnc = r.pnc", "l.dob = r.dob",
            "l.family_name = r.family_name AND substr(l.given_name, 1, 1) = "
            "substr(r.given_name, 1, 1)",
            "l.postcode = r.postcode AND substr(l.given_name, 1, 1) = substr(r.given_name, 1, 1)",
        ],
        probability_two_random_records_match=prior,
    )
    linker = Linker(_duckdb().register(table), settings, log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_m_from_label_column("truth")
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.95)
    return {str(r["unique_id"]): str(r["cluster_id"]) for r in clusters.as_record_list()}


def _peak_mib() -> float:
    """VmHWM: this process's peak resident memory since the last reset, in MiB."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run(pipeline: Pipeline, rows: list[dict[str, str]], queue: Any) -> None:
    # A forked child starts with its parent's peak: reset the high-water mark first, so the
    # figure is this pipeline's own (it still includes the input rows the parent holds).
    with open("/proc/self/clear_refs", "w", encoding="ascii") as clear_refs:
        clear_refs.write("5")
    queue.put({**score(pipeline, rows), "peak_mb": _peak_mib()})


def batch(size: int, seed: int = SEED) -> None:
    rows = generate(size, seed=seed)
    print(f"\n{len(rows):,} records of {len({r['truth'] for r in rows}):,} people"
          + (f" (seed {seed})" if seed != SEED else ""))
    print(f"{'pipeline':<14}{'precision':>10}{'recall':>9}{'F1':>8}{'time s':>9}"
          f"{'peak MB':>9}  household false merges (siblings/parent-child/parents)")
    ctx = multiprocessing.get_context("fork")
    for name, pipeline in (("ours", ours), ("plain Splink", plain_splink)):
        queue = ctx.Queue()
        process = ctx.Process(target=_run, args=(pipeline, rows, queue))
        process.start()
        result = queue.get()
        process.join()
        print(f"{name:<14}{result['precision']:>10.4f}{result['recall']:>9.4f}"
              f"{result['f1']:>8.4f}{result['seconds']:>9.1f}{result['peak_mb']:>9.0f}"
              f"  {merges_text(result['household_false_merges'])}")


def _as_stored(row: dict[str, str]) -> dict[str, str]:
    """The record as the store holds it: a date of birth is a whole date or nothing (person
    events carry whole dates, ``persons.dob`` is a DATE), so a partial one is dropped. Both
    our index and Splink's table of existing records are built from this, so neither knows
    more about the indexed people than the other."""
    born = parse_dob(row["dob"])
    whole = born is not None and born.month is not None and born.day is not None
    return row if whole or not row["dob"] else {**row, "dob": ""}


def _index(people: list[tuple[str, list[dict[str, str]]]], path: Path) -> tuple[int, float]:
    """The store's candidate index of one record of each person (persons, records,
    addresses, identifiers, blocking keys), as resolving would have filed them."""
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Event), [{"id": 1, "event_type": "person", "source": "bench",
                                      "source_id": "bench", "received_at": WHEN,
                                      "payload_hash": "x", "payload": {},
                                      "received_via": "import", "actor": "bench"}])
        persons_rows, records, addresses, ids, keys = [], [], [], [], []
        for n, (_, records_of) in enumerate(people, start=1):
            first = _as_stored(records_of[0])
            f = record_features(first)
            born = parse_dob(first["dob"])
            dob = date(born.year, born.month, born.day) \
                if born and born.month and born.day else None
            persons_rows.append({"id": n, "given_name": first["given_name"],
                                 "family_name": first["family_name"], "dob": dob,
                                 "sex": first["sex"] or None, "match_key": "",
                                 "created_at": WHEN})
            addresses.append({"id": n, "line1": first["address"].split(",")[0] or "-",
                              "postcode": first["postcode"] or None, "match_key": str(n)})
            records.append({"id": n, "person_id": n, "event_id": 1, "source": first["source"],
                            "source_id": first["record_id"], "given_name": first["given_name"],
                            "family_name": first["family_name"], "dob": dob,
                            "sex": first["sex"] or None, "address_id": n,
                            "recorded_at": WHEN, "linked_by": "bench"})
            for scheme in ("nhs", "upn", "pnc"):
                if value := getattr(f, scheme):
                    ids.append({"person_id": n, "scheme": scheme, "value": value,
                                "source": "bench"})
            keys += [{"person_id": n, "key": key} for key in index_keys(f)]
        for model, batch_rows in ((Person, persons_rows), (Address, addresses),
                                  (PersonRecord, records), (PersonIdentifier, ids),
                                  (PersonBlockingKey, keys)):
            for start in range(0, len(batch_rows), 50_000):
                conn.execute(insert(model), batch_rows[start:start + 50_000])
    engine.dispose()
    return len(keys), time.perf_counter() - started


def _summary(latencies: list[float]) -> str:
    latencies = sorted(latencies)
    p99 = latencies[max(int(len(latencies) * 0.99) - 1, 0)]
    return f"p50 {statistics.median(latencies):.2f} ms, p99 {p99:.2f} ms"


def _splink_matches(people: list[tuple[str, list[dict[str, str]]]],
                    sample: list[tuple[dict[str, str], int | None]]) -> None:
    """Splink's own incremental path on the same index and queries: Splink 5's
    ``linker.inference.predict_between(existing, new)`` (it replaced Splink 4's
    ``find_matches_to_new_records``), with the shipped weights and the same blocking keys."""
    model = load_model()
    db_api = DuckDBAPI()
    indexed = [_as_stored(records_of[0]) for _, records_of in people]
    existing = db_api.register(features_table(
        [str(n) for n in range(1, len(indexed) + 1)], [record_features(r) for r in indexed]))
    linker = Linker(existing, splink_settings(model), log_level=logging.WARNING)
    latencies, right = [], 0
    for n, (row, expected) in enumerate(sample):
        started = time.perf_counter()
        new = db_api.register(features_table([f"q{n}"], [record_features(row)]))
        found = linker.inference.predict_between(
            existing, new, threshold_match_probability=0.5,
            warning_mode="never").as_record_list()
        latencies.append((time.perf_counter() - started) * 1000)
        best = max(found, key=lambda r: float(r["match_probability"]), default=None)
        top = int(best["unique_id_l"]) \
            if best and float(best["match_probability"]) >= 0.95 else None
        right += top == expected
    print(f"  Splink predict_between on {len(sample)} of those queries: {_summary(latencies)}; "
          f"top-1 correct {right / len(sample):.4f} (ours on the same queries: see below)")


def online(persons: int, queries: int = 2000, splink_queries: int = 150,
           keep: Path | None = None) -> None:
    """Index one record of each of N people (as the store would), then resolve other records
    of indexed people (and records of people not indexed) one at a time."""
    rows = generate(int(persons * 1.75), seed=SEED + 1)
    by_person: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_person.setdefault(row["truth"], []).append(row)
    people = list(by_person.items())[:persons]
    path = keep or Path(tempfile.mkdtemp()) / "index.db"
    if path.exists():
        keys, build = -1, 0.0
    else:
        keys, build = _index(people, path)
    engine = make_engine(f"sqlite:///{path}")
    person_number = {truth: n for n, (truth, _) in enumerate(people, start=1)}
    candidates = [(r, person_number[truth]) for truth, rs in people for r in rs[1:]]
    unknown = [(r, None) for truth, rs in list(by_person.items())[persons:] for r in rs[:1]]
    rng = random.Random(1)
    sample: list[tuple[dict[str, str], int | None]] = \
        rng.sample(candidates, min(queries, len(candidates))) + \
        rng.sample(unknown, min(queries // 4, len(unknown)))
    model = load_model()
    factory = make_session_factory(engine)
    latencies, outcomes = [], []
    with factory() as session:
        for row, _ in sample[:50]:  # warm the caches
            find_candidates(session, record_features(row), model=model)
        for row, expected in sample:
            started = time.perf_counter()
            found = find_candidates(session, record_features(row), model=model)
            latencies.append((time.perf_counter() - started) * 1000)
            top = found[0].person_id if found and found[0].probability >= 0.95 else None
            outcomes.append(top == expected)
    known = sum(expected is not None for _, expected in sample)
    print(f"\nonline: {persons:,} persons indexed"
          + (f" ({keys:,} keys, built in {build:.0f} s)" if keys >= 0 else " (kept index)")
          + f"; {len(sample):,} queries ({known:,} of indexed people)")
    print(f"  ours: latency {_summary(latencies)}; top-1 correct (match or rightly new) "
          f"{sum(outcomes) / len(sample):.4f}")
    engine.dispose()
    if splink_queries:
        # The same mix of known and unknown people as the whole sample.
        picked = sorted(random.Random(2).sample(range(len(sample)), splink_queries))
        _splink_matches(people, [sample[n] for n in picked])
        print(f"  ours on those {splink_queries} queries: top-1 correct "
              f"{sum(outcomes[n] for n in picked) / splink_queries:.4f}; "
              f"{_summary([latencies[n] for n in picked])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--online", type=int, nargs="*", default=[100_000])
    parser.add_argument("--splink-queries", type=int, default=150,
                        help="queries also timed through Splink's own path (0: none)")
    parser.add_argument("--keep-index", type=Path, default=None,
                        help="SQLite file for the online index: built once, then reused")
    parser.add_argument("--memory-limit", default=None,
                        help="DuckDB's memory limit for both batch pipelines (e.g. 8GB); "
                             f"beyond it DuckDB spills to {SPILL}")
    parser.add_argument("--seed", type=int, default=SEED,
                        help="the batch records' seed (other seeds: other households, as hard)")
    args = parser.parse_args()
    global MEMORY_LIMIT
    MEMORY_LIMIT = args.memory_limit
    for size in args.sizes:
        batch(size, args.seed)
    for persons in args.online:
        online(persons, splink_queries=args.splink_queries, keep=args.keep_index)


if __name__ == "__main__":
    main()
