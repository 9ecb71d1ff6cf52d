"""Every decided review is a labelled pair; a model is scored on what reviewers decided."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from safeguard.access.service import Principal
from safeguard.casework.merges import decide
from safeguard.cli import app
from safeguard.config import Settings, get_settings
from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.labels import Label, reviewed_pairs, score_labels, with_labels
from safeguard.people.linkage.levels import COMPARISONS, ELSE, NULL
from safeguard.people.linkage.model import load_model
from safeguard.people.models import MatchReview
from safeguard.rules.context import build_context

from ..factories import migrated_store
from .helpers import add, person

RULES = build_context(Settings())


def test_a_model_is_scored_on_the_pairs_reviewers_merged_and_kept_apart(
    session: Session, ctx: IntakeContext, principal: Callable[[str], Principal],
) -> None:
    # Two possible matches (an NHS number shared under another given name): reviewers find
    # Amy and Zoe one person (Zoe is her middle name), and Ava and Mia two.
    add(session, ctx, person("health", "H-1", "Amy", nhs="9992914173"),
        person("education", "E-1", "Zoe", nhs="9992914173"),
        person("health", "H-2", "Ava", "Jones", "2016-05-04", address=None,
               nhs="9434765919"),
        person("education", "E-2", "Mia", "Jones", "2016-05-04", address=None,
               nhs="9434765919"))
    reviews = list(session.scalars(select(MatchReview).order_by(MatchReview.id)))
    assert len(reviews) == 2
    worker = principal("csc.worker")
    decide(session, ctx=RULES, review_id=reviews[0].id, same=True, principal=worker)
    decide(session, ctx=RULES, review_id=reviews[1].id, same=False, principal=worker)
    session.flush()

    labels = reviewed_pairs(session)
    assert [(label.review_id, label.same) for label in labels] == [(reviews[0].id, True),
                                                                   (reviews[1].id, False)]
    shipped = score_labels(load_model(), labels)
    # The shipped model asked about both: it matches neither on its own.
    assert (shipped.same, shipped.different, shipped.matched_same,
            shipped.matched_different) == (1, 1, 0, 0)
    assert shipped.recall == 0.0 and shipped.precision == 1.0
    # A model that matches anything above the review floor takes both: all the recall,
    # half the precision.
    eager = replace(load_model(), version="eager",
                    thresholds={"match": 0.5, "possible": 0.5})
    scores = score_labels(eager, labels)
    assert (scores.recall, scores.precision) == (1.0, 0.5)


def test_the_labels_report_names_each_model_and_training_an_empty_store_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", migrated_store("sqlite", tmp_path, "labels"))
    monkeypatch.setenv("COLUMNS", "200")  # a table as wide as its model versions
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
        result = runner.invoke(app, ["model", "labels"])
        empty = runner.invoke(app, ["model", "train", "--out", str(tmp_path / "m.json")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert load_model().version in result.output and "precision" in result.output
    assert empty.exit_code == 2
    assert "0 person record(s): too few to fit to" in empty.output
    assert not (tmp_path / "m.json").exists()


def _label(review_id: int, same: bool, **levels: str) -> Label:
    return Label(review_id, {name: levels.get(name, NULL) for name in COMPARISONS}, same,
                 "person-match-test")


def test_pairs_reviewers_merged_move_the_weights_toward_what_they_showed() -> None:
    shipped = load_model()
    # Reviewers merged 50 pairs whose given names differ outright (a middle name used, a
    # name written in another script) and kept apart 50 more such pairs.
    labels = ([_label(n, True, given_name=ELSE, family_name="exact", dob="exact")
               for n in range(50)]
              + [_label(n, False, given_name=ELSE, dob="exact") for n in range(50, 100)])
    learnt = with_labels(shipped, labels)
    m, u = learnt.m_u["given_name"][ELSE]
    assert m > 2 * shipped.m_u["given_name"][ELSE][0] and u == shipped.m_u["given_name"][ELSE][1]
    assert learnt.m_u["given_name"]["exact"][0] < shipped.m_u["given_name"]["exact"][0]
    # A comparison the labels never saw (null) keeps its weights; every m still sums to 1.
    for level, (m_nhs, u_nhs) in shipped.m_u["nhs"].items():
        assert learnt.m_u["nhs"][level] == (pytest.approx(m_nhs, rel=1e-4), u_nhs)
    assert sum(m for m, _ in learnt.m_u["dob"].values()) == pytest.approx(1.0)
    # Labels kept apart alone teach m nothing.
    assert with_labels(shipped, labels[50:]) is shipped
