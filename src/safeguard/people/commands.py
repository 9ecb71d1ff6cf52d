"""The person-matching model: fitting it to the store's records, and how it does on what
reviewers decided (`safeguard model`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from safeguard.access.service import SYSTEM
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.people.linkage.labels import reviewed_pairs, score_labels
from safeguard.people.linkage.model import Model, load_model
from safeguard.people.linkage.relink import relink
from safeguard.people.linkage.training import fit_to_store

app = typer.Typer(help="The person-matching model.", no_args_is_help=True)


def _report(models: list[Model]) -> None:
    with transaction(make_session_factory(make_engine(get_settings().database_url))) as session:
        labels = reviewed_pairs(session)
    table = Table("model", "same", "different", "matched same", "matched different",
                  "precision", "recall", title=f"{len(labels)} pairs decided by reviewers")
    for model in models:
        scores = score_labels(model, labels)
        table.add_row(model.version, str(scores.same), str(scores.different),
                      str(scores.matched_same), str(scores.matched_different),
                      f"{scores.precision:.4f}", f"{scores.recall:.4f}")
    Console().print(table)


@app.command("train")
def train_command(
    out: Annotated[Path, typer.Option("--out", help="Where to write the fitted model (JSON)")],
) -> None:
    """Fit the model the store links with to the store's own person records (u from random
    pairs, m by expectation maximisation from the current model), write it to OUT and show
    both models on the pairs reviewers decided. Link with it by setting
    SAFEGUARD_LINKAGE_MODEL_FILE=OUT: each link records the model version that made it."""
    current = load_model()
    try:
        with transaction(make_session_factory(
                make_engine(get_settings().database_url))) as session:
            fitted = fit_to_store(session, principal=SYSTEM, now=utcnow())
        fitted.save(out)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{fitted.version}: {fitted.trained_on}; wrote {out}")
    _report([current, fitted])


@app.command("relink")
def relink_command(
    model_file: Annotated[Path | None, typer.Option(
        "--model", help="The new model (JSON); by default the one the store links with")] = None,
    every_record: Annotated[bool, typer.Option(
        "--all", help="Re-score every record, not only those another model version linked")]
        = False,
) -> None:
    """After a model upgrade: score the store's records again with the new model and send
    every record it would link differently to the review queue (nothing is moved)."""
    try:
        model = load_model(model_file)
        with transaction(make_session_factory(
                make_engine(get_settings().database_url))) as session:
            done = relink(session, model=model, principal=SYSTEM, every_record=every_record)
    except (OSError, ValueError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(f"{model.version}: {done.rescored} records re-scored, {done.agreeing} linked "
               f"as they are, {done.to_review} sent to the review queue")


@app.command("labels")
def labels_command(
    models: Annotated[list[Path] | None, typer.Option(
        "--model", help="A model file (JSON, as data/person_match_model.json) to score "
                        "beside the shipped one; may be given more than once")] = None,
) -> None:
    """Precision and recall of each model on the pairs reviewers decided (same person or
    different people), as each model would have matched them on its own."""
    try:
        candidates = [load_model()] + [Model.from_json(json.loads(path.read_text("utf-8")))
                                       for path in models or []]
    except (OSError, ValueError, KeyError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    _report(candidates)
