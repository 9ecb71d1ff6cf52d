"""The match model as Splink settings: training it, and scoring a batch with it.

Pinned to Splink 5 (``splink>=5,<6``): ``db_api.register(table)``, ``Linker(sdf, settings)``,
``linker.training.estimate_u_using_random_sampling``, ``estimate_m_from_label_column``,
``linker.inference.predict``. Levels are built with Splink's dialect-neutral creators
(``splink.comparison_level_library``), so the same settings run on DuckDB and on Spark.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
import splink.comparison_level_library as cll
from splink import DuckDBAPI, Linker, SettingsCreator
from splink.internals.comparison_level_creator import ComparisonLevelCreator
from splink.internals.database_api import DatabaseAPI

from safeguard.people.linkage.features import FEATURE_COLUMNS, Features, features
from safeguard.people.linkage.levels import COMPARISONS, ELSE, NULL, STREET_SLIPS
from safeguard.people.linkage.lookalikes import NAMESAKES, train_rates
from safeguard.people.linkage.model import Model
from safeguard.people.linkage.synthetic import generate

logger = logging.getLogger(__name__)

SPLINK_PIN = "splink>=5,<6"

# SQL for each level (Splink creators), in the order of COMPARISONS' levels.
_NULL_COLUMN = {"given_name": "given", "family_name": "family", "dob": "dob_y", "sex": "sex",
                "nhs": "nhs", "upn": "upn", "pnc": "pnc"}
_NO_LOCATION = ("(address_l IS NULL AND postcode_l IS NULL) OR "
                "(address_r IS NULL AND postcode_r IS NULL)")


# levels._swapped in SQL: each name in the other's field, one as written, one a slip apart.
# Most pairs reach this level (it is the last before else); the CASE measures the distance
# only for the few with a name in the other's field.
_SWAPPED = ("CASE WHEN given_l = family_r THEN damerau_levenshtein(family_l, given_r) <= 1 "
            "WHEN family_l = given_r THEN damerau_levenshtein(given_l, family_r) <= 1 "
            "ELSE false END")
# levels.addresses_alike in SQL (DuckDB's damerau_levenshtein; Splink registers it on Spark).
_ADDRESSES_ALIKE = (f"house_l = house_r AND damerau_levenshtein(street_l, street_r) "
                    f"<= {STREET_SLIPS}")


def _level_creators(name: str) -> list[ComparisonLevelCreator]:
    column = _NULL_COLUMN.get(name, "")
    exact = cll.ExactMatchLevel(column) if column else None
    levels: dict[str, ComparisonLevelCreator | None]
    null: ComparisonLevelCreator = (cll.NullLevel(column) if column else
                                    cll.CustomLevel(_NO_LOCATION).configure(is_null_level=True))
    if name == "given_name":
        levels = {"exact": exact,
                  "nickname": cll.CustomLevel("given_canon_l = given_canon_r"),
                  "jw92": cll.JaroWinklerLevel("given", 0.92),
                  "jw80": cll.JaroWinklerLevel("given", 0.8),
                  "swapped": cll.CustomLevel(_SWAPPED)}
    elif name == "family_name":
        levels = {"exact": exact, "jw92": cll.JaroWinklerLevel("family", 0.92),
                  "jw80": cll.JaroWinklerLevel("family", 0.8)}
    elif name == "dob":
        levels = {"exact": cll.ExactMatchLevel("dob"),
                  "transposed": cll.CustomLevel("dob_l = dob_swap_r OR dob_swap_l = dob_r"),
                  "year_month": cll.ExactMatchLevel("dob_ym"),
                  "year": cll.ExactMatchLevel("dob_y")}
    elif name == "location":
        levels = {"address_postcode": cll.CustomLevel(
                      "address_l = address_r AND postcode_l = postcode_r"),
                  "address": cll.ExactMatchLevel("address"),
                  "alike_postcode": cll.CustomLevel(
                      f"({_ADDRESSES_ALIKE}) AND postcode_l = postcode_r"),
                  "postcode": cll.ExactMatchLevel("postcode"),
                  "alike": cll.CustomLevel(_ADDRESSES_ALIKE),
                  "sector": cll.ExactMatchLevel("sector"),
                  "district": cll.ExactMatchLevel("district")}
    else:
        levels = {"exact": exact}
    assert tuple(levels) == COMPARISONS[name][0], name
    assert all(level is not None for level in levels.values()), name
    out: list[ComparisonLevelCreator] = [null.configure(label_for_charts=NULL)]
    out += [level.configure(label_for_charts=label) for label, level in levels.items()
            if level is not None]
    out.append(cll.ElseLevel().configure(label_for_charts=ELSE))
    return out


# Blocking: the keys of the online candidate index (features.index_keys), two of them
# narrowed. A batch compares every pair inside a block, so a block that grows with the
# number of records makes the work grow with its square: at a million records a name sound
# and a birth year, or a given name and a birth year, hold hundreds of records each. The
# batch adds the given name's initial to the first and the birth month to the second; the
# pairs they drop are nicknames (found by name and name sound) and changed surnames with
# only a birth year. Online, a lookup ranks its pool instead (online.py).
# A pair can be a link only if the guard lets it through, so never with two birth years
# (model.guard: "dates of birth differ"); such a pair matters to the clustering only as a
# cannot-link inside a linked component, and the cluster-wide check (batch._SUSPECT) finds
# every such pair there whether blocked or not. The rules without a birth date in their key
# therefore leave them out: at a million records most of their pairs are a family's namesakes
# and neighbours of other ages. (Unless the records at hand ease that guard: blocking_rules.)
_BORN_ALIKE = "(l.dob_y = r.dob_y OR l.dob_y IS NULL OR r.dob_y IS NULL)"
# Two records sharing a birthday whose given names start differently, are no forms of one
# name and whose family names sound different are strangers: the most common blocked pairs
# at a million records (some 30 records share each birthday), almost never one person (at 100k
# records one true link of the 24,482 the birthday key found is lost) and rarely lookalikes.
_NOT_STRANGERS = ("coalesce(NOT (substr(l.given, 1, 1) <> substr(r.given, 1, 1) "
                  "AND l.given_canon <> r.given_canon AND l.family_sdx <> r.family_sdx "
                  "AND l.given <> r.family AND l.family <> r.given), true)")


def _rules(*, born_alike: bool) -> tuple[str, ...]:
    # The two rules keyed without a birth date keep to one birth year unless told otherwise.
    year = f" AND {_BORN_ALIKE}" if born_alike else ""
    return (
        "l.nhs = r.nhs", "l.upn = r.upn", "l.pnc = r.pnc",
        f"l.dob = r.dob AND {_NOT_STRANGERS}",
        f"l.dob = r.dob_swap AND {_NOT_STRANGERS}",
        "l.family_sdx = r.family_sdx AND l.dob_y = r.dob_y "
        "AND substr(l.given, 1, 1) = substr(r.given, 1, 1)",
        "l.given_canon = r.given_canon AND l.dob_ym = r.dob_ym",
        f"l.postcode = r.postcode AND substr(l.given, 1, 1) = substr(r.given, 1, 1){year}",
        f"l.given_canon = r.given_canon AND l.family_sdx = r.family_sdx{year}",
    )


def blocking_rules(model: Model | None = None) -> tuple[str, ...]:
    """The batch's blocking rules; with ``model``, widened where its guard reads the records
    (:attr:`Model.guard_targets`): where they show one name with two birth years to be one
    person (their homes hold no families, :mod:`.lookalikes`), the guard no longer stops
    such a pair, and the rules that left two birth years out as the guard's let them in."""
    return _rules(born_alike=model is None or NAMESAKES not in model.guard_targets)


# Features the guard reads beside the comparison levels (model.guard with the pair's
# features): kept on each scored pair when the levels are.
GUARD_COLUMNS = ("given_known", "born_from", "born_to")


def settings(model: Model | None = None, *, link_type: str = "dedupe_only",
             keep_levels: bool = False, dialect: str = "duckdb") -> dict[str, Any]:
    """Splink settings for our comparisons; with ``model``, its trained m and u filled in."""
    comparisons: list[Any] = []
    for name in COMPARISONS:
        levels = []
        for creator in _level_creators(name):
            level = creator.get_comparison_level(dialect).as_dict()  # type: ignore[no-untyped-call]
            label = level["label_for_charts"]
            if model is not None and label != NULL:
                level["m_probability"], level["u_probability"] = model.m_u[name][label]
            levels.append(level)
        comparisons.append({"output_column_name": name, "comparison_levels": levels})
    return SettingsCreator(
        link_type=link_type,  # type: ignore[arg-type]
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=list[Any](blocking_rules(model)),
        probability_two_random_records_match=model.prior if model else 0.0001,
        retain_matching_columns=keep_levels,
        retain_intermediate_calculation_columns=keep_levels,
        additional_columns_to_retain=list(GUARD_COLUMNS) if keep_levels else [],
        unique_id_column_name="unique_id",
    ).create_settings_dict(dialect)


def features_table(ids: Sequence[str], rows: Sequence[Features],
                   extra: dict[str, Sequence[str | None]] | None = None) -> pa.Table:
    columns: dict[str, Any] = {"unique_id": ids}
    # A Features is a tuple of its columns' values, in FEATURE_COLUMNS' order: the rows
    # turned into columns in one call.
    by_column = zip(*rows, strict=True) if rows else ((),) * len(FEATURE_COLUMNS)
    columns.update(zip(FEATURE_COLUMNS, by_column, strict=True))
    columns.update(extra or {})
    return pa.table({k: pa.array(v, type=pa.string()) for k, v in columns.items()})


def gamma_to_label(name: str, gamma: int) -> str:
    if gamma < 0:
        return NULL
    levels = COMPARISONS[name][0] + (ELSE,)
    return levels[len(levels) - 1 - gamma]


def train(db_api: DatabaseAPI[Any], table: pa.Table, *, label_column: str,
          version: str, trained_on: str, max_pairs: float = 2e6, seed: int = 1) -> Model:
    """m from the known truth (label column), u by random sampling, the prior from truth."""
    sdf = db_api.register(table)
    linker = Linker(sdf, settings(), log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    linker.training.estimate_m_from_label_column(label_column)
    labels = table.column(label_column).to_pylist()
    sizes: dict[str, int] = {}
    for label in labels:
        sizes[label] = sizes.get(label, 0) + 1
    n = len(labels)
    prior = sum(k * (k - 1) / 2 for k in sizes.values()) / (n * (n - 1) / 2)
    return Model(version=version, prior=prior, m_u=_m_u_of(linker), trained_on=trained_on)


def _m_u_of(linker: Linker) -> dict[str, dict[str, tuple[float, float]]]:
    """m and u of every level of a Splink model, a level never seen given a small floor."""
    trained = linker.misc.save_model_to_json()
    m_u: dict[str, dict[str, tuple[float, float]]] = {}
    for comparison in trained["comparisons"]:
        name = comparison["output_column_name"]
        m_u[name] = {}
        for level in comparison["comparison_levels"]:
            label = level["label_for_charts"]
            if level.get("is_null_level"):
                continue
            # A level never seen among matches (or non-matches) gets a small floor, not zero.
            m = max(float(level.get("m_probability") or 0.0), 1e-5)
            u = max(float(level.get("u_probability") or 0.0), 1e-7)
            m_u[name][label] = (m, u)
    return m_u


# Expectation maximisation blocks on each rule in turn and estimates m for every comparison
# the rule does not read: the first estimates the names, location, sex and identifiers among
# records born on one day, the second the date of birth among records of one name.
EM_BLOCKING_RULES = ("l.dob = r.dob", "l.given = r.given AND l.family = r.family")


def fit(db_api: DatabaseAPI[Any], table: pa.Table, *, model: Model,
        max_pairs: float = 1e6, seed: int = 1, version: str | None = None) -> Model:
    """The model fitted to the records at hand, as Splink fits one without truth: u from
    random pairs of these records, m by expectation maximisation starting from ``model``'s
    (the shipped model is the prior: a level these records seldom show keeps near its
    shipped value). The prior of a match is ``model``'s, already scaled to the batch."""
    # A level these records never show keeps its shipped m (Splink keeps the value it was
    # given, and says so at WARNING for each: expected here, so not logged).
    records = db_api.register(table)
    linker = Linker(records, settings(model), log_level=logging.ERROR)
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    fitted = replace(model, m_u=_m_u_of(linker))
    kept = []
    for rule in EM_BLOCKING_RULES:
        m_u = _fitted_on(Linker(records, settings(fitted), log_level=logging.ERROR), rule)
        if m_u is None:
            kept.append(rule)
        else:
            fitted = replace(fitted, m_u=m_u)
    note = f"; m of pairs blocked on {' and '.join(kept)} kept as given" if kept else ""
    return replace(fitted, version=version or f"{model.version}+fitted",
                   trained_on=f"{model.version} fitted by EM to {table.num_rows} records{note}")


def _fitted_on(linker: Linker, rule: str) -> dict[str, dict[str, tuple[float, float]]] | None:
    """m and u with m estimated by expectation maximisation among the pairs ``rule``
    blocks; None where it estimates a level's m at zero (a level the pairs show only among
    non-matches, such as houses of one postcode where no one's records are at two of them):
    Splink refuses such a value, its log being infinite, and leaves the linker's model
    half-trained, so each rule is fitted on a linker of its own."""
    try:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, fix_probability_two_random_records_match=True)
    except ValueError as error:
        if "below the minimum allowed" not in str(error):
            raise
        logger.warning("expectation maximisation on %s estimated a level at zero (%s); its "
                       "m kept as given", rule, error)
        return None
    return _m_u_of(linker)


def model_version(now: datetime | None = None) -> str:
    return f"person-match-{(now or datetime.now(UTC)):%Y%m%d}"


def train_default(records: int = 30_000, seed: int = 7) -> Model:
    """The shipped model: trained on hard synthetic records with known truth."""
    rows = generate(records, seed=seed)
    feats = [features(given_name=r["given_name"], family_name=r["family_name"], dob=r["dob"],
                      sex=r["sex"], postcode=r["postcode"], address=r["address"],
                      nhs=r["nhs_number"], upn=r["upn"], pnc=r["pnc_id"]) for r in rows]
    table = features_table([r["record_id"] for r in rows], feats,
                           {"truth": [r["truth"] for r in rows]})
    model = train(DuckDBAPI(), table, label_column="truth", version=model_version(),
                  trained_on=f"safeguard.people.linkage.synthetic.generate({records}, "
                             f"seed={seed}): {len(rows)} records with known truth")
    return replace(model, homes=train_rates(feats, [r["truth"] for r in rows]))
