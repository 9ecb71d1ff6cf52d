"""`safeguard link`: CSV in, one person id per record out, pair scores against a truth column."""

from __future__ import annotations

import csv
from pathlib import Path

from splink import DuckDBAPI
from typer.testing import CliRunner

from safeguard.cli import app
from safeguard.people.linkage import batch
from safeguard.people.linkage.batch import (
    false_merges_in_households,
    link_rows,
    pair_scores,
    record_features,
    scored_pairs,
)
from safeguard.people.linkage.clustering import Pair, cluster, cluster_checked
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.synthetic import generate, write_csv

from .helpers import partition

runner = CliRunner()
HEADER = "record_id,source,given_name,family_name,dob,sex,postcode,address,nhs_number,upn,pnc_id"


def _out(path: Path) -> dict[str, str]:
    with path.open(newline="") as handle:
        return {row["record_id"]: row["person_id"] for row in csv.DictReader(handle)}


def test_link_writes_one_person_per_real_individual_and_scores_against_the_truth(
    tmp_path: Path,
) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    write_csv(generate(2000, seed=5), source)
    result = runner.invoke(app, ["link", str(source), "--out", str(out), "--truth", "truth"])
    assert result.exit_code == 0, result.output
    assert "precision" in result.output and "F1" in result.output
    f1 = float(result.output.split("F1 ")[1].split()[0])
    assert f1 > 0.95
    assert len(_out(out)) >= 2000


def test_nicknames_and_transposed_dates_link_and_twins_and_empty_rows_stay_apart(
    tmp_path: Path,
) -> None:
    source, out = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text("\n".join([
        HEADER,
        "a1,education,Catherine,Smith,2015-02-11,F,NN1 1AA,12 Acacia Road,,,",
        "a2,health,Kate,Smith,2015-11-02,F,NN1 1AA,12 Acacia Rd,9992914173,,",
        "b1,education,Grace,Smith,2015-02-11,F,NN1 1AA,12 Acacia Road,,,",
        "c1,police,,,,,NN1 1AA,12 Acacia Road,,,",
        "c2,police,,,,,NN1 1AA,12 Acacia Road,,,",
    ]) + "\n")
    result = runner.invoke(app, ["link", str(source), "--out", str(out)])
    assert result.exit_code == 0, result.output
    person = _out(out)
    assert person["a1"] == person["a2"]
    assert len({person["a1"], person["b1"], person["c1"], person["c2"]}) == 4
    assert "2 without enough to match on" in result.output


def test_a_missing_truth_column_or_file_is_reported(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text(HEADER + "\nr1,health,Amy,Smith,2015-02-11,,,,,,\n")
    result = runner.invoke(app, ["link", str(source), "--out", str(tmp_path / "o.csv"),
                                 "--truth", "truth"])
    assert result.exit_code == 2 and "no column 'truth'" in result.output
    missing = runner.invoke(app, ["link", str(tmp_path / "nope.csv"), "--out", "x.csv"])
    assert missing.exit_code == 2


def test_clustering_never_joins_across_a_cannot_link_even_through_a_third_record() -> None:
    # a-b and b-c are strong links, but a and c are twins the guard stopped; b is much more
    # like a (match weight 20) than c (12), so it joins a, and c stays apart.
    pairs = [Pair("a", "b", 0.999, False, 20.0), Pair("b", "c", 0.99, False, 12.0),
             Pair("a", "c", 0.001, True)]
    clusters = cluster(["a", "b", "c"], pairs, threshold=0.95)
    assert clusters["a"] == clusters["b"] != clusters["c"]


def test_a_record_as_like_one_of_two_people_kept_apart_as_the_other_stays_on_its_own() -> None:
    # Mother and daughter share a given name; "m" and "d" are dated and kept apart, "x" has
    # no date of birth and is as like the one as the other: it joins neither.
    pairs = [Pair("x", "m", 0.99, False, 14.0), Pair("x", "d", 0.99, False, 13.5),
             Pair("m", "d", 0.001, True), Pair("d", "d2", 0.999, False, 25.0)]
    clusters = cluster(["x", "m", "d", "d2"], pairs, threshold=0.95)
    assert clusters["d"] == clusters["d2"]
    assert len({clusters["x"], clusters["m"], clusters["d"]}) == 3


def test_clustering_in_the_database_agrees_with_clustering_in_python() -> None:
    rows = generate(3000, seed=13)
    feats = {row["record_id"]: record_features(row) for row in rows}
    ids = list(feats)
    scored = batch._score(DuckDBAPI(), ids, list(feats.values()), model=load_model(),
                          dialect="duckdb", floor=0.5)
    in_python = cluster_checked(ids, batch._pairs_of(scored.pairs.as_dict()), feats,
                                model=scored.model, threshold=0.95)
    in_database = batch.cluster_in_database(scored, ids, threshold=0.95)
    assert len(set(in_database.values())) < len(ids) * 0.8
    assert partition(in_python) == partition(in_database)


def test_household_false_merges_are_counted_by_kind() -> None:
    truth = {"1": "mum", "2": "kid", "3": "twin", "4": "kid", "5": "dad"}
    household = dict.fromkeys(truth, "H1")
    role = {"1": "parent", "2": "child", "3": "child", "4": "child", "5": "parent"}
    predicted = {"1": "x", "2": "x", "3": "x", "4": "x", "5": "y"}
    counts = false_merges_in_households(predicted, truth, household, role)
    assert counts == {"siblings": 1, "parent-child": 2, "parents": 0}
    assert false_merges_in_households(predicted, truth, household) == {"all": 3}


def test_pair_scores_count_pairs_within_clusters() -> None:
    scores = pair_scores({"1": "x", "2": "x", "3": "x", "4": "y"},
                         {"1": "p", "2": "p", "3": "q", "4": "q"})
    assert (scores.predicted_pairs, scores.true_pairs, scores.correct_pairs) == (3, 2, 1)
    assert round(scores.f1, 4) == 0.4


def test_the_batch_scores_every_pair_as_the_online_path_does_guard_included() -> None:
    rows = generate(1500, seed=9)
    feats = {row["record_id"]: record_features(row) for row in rows}
    model = load_model()
    pairs = scored_pairs(DuckDBAPI(), list(feats), list(feats.values()), model=model)
    assert len(pairs) > 300 and any(p.cannot_link for p in pairs)
    for pair in pairs:
        online = model.score(feats[pair.left], feats[pair.right])
        assert abs(online.probability - pair.probability) < 1e-9, pair
        assert pair.cannot_link == online.held_apart, pair
    assert len(link_rows(rows).person_of) == len(rows)


def test_the_prior_is_scaled_down_to_a_batch_larger_than_the_training_data() -> None:
    model = load_model()
    assert batch.scaled_to(model, 1000) is model
    million = batch.scaled_to(model, 1_000_000)
    assert million.prior < model.prior / 30 and million.m_u == model.m_u
    levels = {name: next(iter(m_u)) for name, m_u in million.m_u.items()}
    assert million.weight(levels) < model.weight(levels)


def test_a_batch_under_a_duckdb_memory_limit_links_as_one_without(tmp_path: Path) -> None:
    rows = generate(600, seed=17)
    api = batch.duckdb_api(memory_limit="100MB", temp_directory=tmp_path / "spill")
    limit = api._con.sql("SELECT current_setting('memory_limit')").fetchall()[0]
    assert limit is not None and limit[0].startswith(("95", "100")), limit
    assert partition(link_rows(rows, db_api=api).person_of) == \
        partition(link_rows(rows).person_of)
