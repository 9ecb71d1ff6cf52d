"""The `safeguard` command: operations over the same service functions as the API and pages."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from safeguard import demo, worker_command
from safeguard.access.service import SYSTEM
from safeguard.accounts.cli import key_app, user_app
from safeguard.audit import commands as audit_commands
from safeguard.audit.service import record as audit
from safeguard.command_line import Safeguard, console
from safeguard.commands import ForcePopulation, print_summary, run_import, serve_app
from safeguard.config import Settings, get_settings
from safeguard.custody import commands as custody_commands
from safeguard.dates import london_datetime
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.duties.catalogue_doc import duty_kinds_markdown
from safeguard.duties.schemas import duties_out
from safeguard.duties.service import DutyFilter, list_duties
from safeguard.events.schemas import event_json_schema
from safeguard.forensics import commands as forensics_commands
from safeguard.inspections import commands as inspection_commands
from safeguard.intake.bulk_read import usable_cores
from safeguard.intake.importer import write_rejects
from safeguard.measures.service import duration_words, percent_words, time_to_acknowledge
from safeguard.migrate import upgrade
from safeguard.missing import commands as missing_commands
from safeguard.offenders import commands as offender_commands
from safeguard.people import commands as people_commands
from safeguard.people.linkage import batch as linkage_batch
from safeguard.people.linkage.online import rebuild_keys_after
from safeguard.seed import seed_reference_data
from safeguard.sharing import commands as sharing_commands
from safeguard.synth.county import FORCE_POPULATION, default_end
from safeguard.synth.writer import write_county

app = Safeguard(help="safeguard: multi-agency child protection — events in, duties out.",
                no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database operations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(audit_commands.app, name="audit")
app.add_typer(custody_commands.app, name="custody")
app.add_typer(forensics_commands.app, name="forensics")
app.add_typer(missing_commands.app, name="missing")
app.add_typer(user_app, name="user")
app.add_typer(key_app, name="api-key")
app.add_typer(offender_commands.app, name="offenders")
app.add_typer(inspection_commands.app, name="report")
app.add_typer(people_commands.app, name="model")
app.add_typer(sharing_commands.app, name="webhook")
app.command("demo")(demo.demo)


def _factory(settings: Settings) -> sessionmaker[Session]:
    return make_session_factory(make_engine(settings.database_url))


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema, and add the partner agencies.
    Runs as SAFEGUARD_MIGRATION_DATABASE_URL (the tables' owner) when it is set."""
    settings = get_settings()
    engine = make_engine(settings.migration_database_url or settings.database_url)
    upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        seed_reference_data(session)
    console.print(f"[green]Database at {engine.url.render_as_string()} is up to date.")


@db_app.command("rebuild-keys")
def db_rebuild_keys(
    batch: Annotated[int, typer.Option(min=1, help="persons per transaction")] = 1000,
) -> None:
    """Re-file every person under the blocking keys of their records: after an upgrade that
    changes the name lists or the key rules, so online matching finds them by the new keys."""
    factory = _factory(get_settings())
    done, after = 0, 0
    while True:
        with transaction(factory) as session:
            ids = rebuild_keys_after(session, after=after, limit=batch)
            if not ids:
                break
            # Reading every record of these persons is a read of personal data.
            audit(session, principal=SYSTEM, action="read", entity="person",
                  entity_id=f"{ids[0]}-{ids[-1]}", why="re-filing blocking keys")
        done, after = done + len(ids), ids[-1]
    console.print(f"Re-filed {done} persons under their blocking keys.")


@app.command()
def synth(
    out: Annotated[Path, typer.Option(help="JSON Lines file to write")] = Path(
        "var/county.jsonl"),
    seed: Annotated[int, typer.Option(help="same seed, same output")] = 1,
    households: Annotated[int, typer.Option(min=10)] = 2000,
    end: Annotated[str | None, typer.Option(help="last day of the year of incidents, "
                                                    "YYYY-MM-DD (default: yesterday)")] = None,
    force_population: ForcePopulation = FORCE_POPULATION,
) -> None:
    """Write a synthetic county (schools, every agency's person records, a year of incidents,
    the force area's register of sex offenders)."""
    end_day = date.fromisoformat(end) if end else default_end()
    out.parent.mkdir(parents=True, exist_ok=True)
    summary = write_county(out, seed=seed, households=households, end=end_day,
                           force_population=force_population)
    console.print(f"Wrote {out}: {summary}")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSON Lines file")],
    rejects: Annotated[Path | None, typer.Option(help="where to write rejected lines")
                       ] = None,
    live_from: Annotated[str | None, typer.Option(
        help="ISO time: incidents before it are history and raise no duties")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    bulk: Annotated[bool, typer.Option(
        "--bulk", help="a first load of person records: link them in one batch together "
                       "with the store's, write them in chunks (run again after a kill: it "
                       "carries on)")] = False,
    workers: Annotated[int | None, typer.Option(
        min=1, help="with --bulk: processes validating the file's lines (default: one for "
                    "each core this process may use)")] = None,
) -> None:
    """Import events. Rejected lines are reported with line number, field and reason; valid
    lines still land. Exit status 1 when anything was rejected."""
    settings = get_settings()
    factory = _factory(settings)
    cutoff = datetime.fromisoformat(live_from) if live_from else None
    if cutoff is not None and cutoff.tzinfo is None:
        raise typer.BadParameter("--live-from needs a UTC offset, e.g. 2026-11-24T00:00:00+00:00")
    summary = run_import(factory, path, settings=settings, live_from=cutoff, bulk=bulk,
                         workers=workers or usable_cores())
    rejects_path = rejects or path.with_suffix(path.suffix + ".rejects.jsonl")
    write_rejects(rejects_path, summary)
    if as_json:
        typer.echo(json.dumps(summary.as_dict(), indent=2))
    else:
        print_summary(summary, rejects_path)
    raise typer.Exit(1 if summary.rejects else 0)


@app.command()
def duties(
    status: Annotated[str | None, typer.Option(
        help="open | breached | discharged | undischarged")] = None,
    kind: Annotated[str | None, typer.Option(help="duty kind")] = None,
    overdue: bool = False,
    limit: int = 1000,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON array")] = False,
) -> None:
    """List duties by due time (every agency's: this is an operator's view)."""
    settings = get_settings()
    now = utcnow()
    with transaction(_factory(settings)) as session:
        rows, total = list_duties(session, principal=None, now=now, limit=limit, why=None,
                                  filters=DutyFilter(status=status, kind=kind, overdue=overdue))
        out = duties_out(session, rows, now=now)
    if as_json:
        typer.echo(json.dumps([d.model_dump(mode="json") for d in out], indent=2))
        return
    table = Table("id", "due (London)", "kind", "status", "owner", "event", "subject",
                  title=f"{total} duties")
    for duty in out:
        due = london_datetime(duty.due_at)
        flag = " [red]OVERDUE" if duty.overdue else ""
        table.add_row(str(duty.id), due + flag, duty.kind, duty.status, duty.owner_agency,
                      duty.event_source_id, str(duty.subject_person_id))
    Console().print(table)


# The worker command lives in a module of its own: see worker_command.py.
app.command("worker")(worker_command.worker)


@app.command()
def serve(
    host: str = "127.0.0.1", port: int = 8000,
    with_worker: Annotated[bool, typer.Option("--worker/--no-worker")] = True,
) -> None:
    """Serve the web pages and JSON API (with the worker in-process by default)."""
    serve_app(host=host, port=port, with_worker=with_worker)


@app.command()
def schema(out: Path = Path("src/safeguard/events/events.schema.json")) -> None:
    """Write the import format's JSON Schema (generated from the API's models)."""
    out.write_text(json.dumps(event_json_schema(), indent=2, sort_keys=True) + "\n", "utf-8")
    console.print(f"Wrote {out}")


@app.command()
def kinds() -> None:
    """Print docs/duties.md: every duty kind as declared (owner, clock, outcomes, shares)."""
    typer.echo(duty_kinds_markdown(), nl=False)


@app.command()
def measures(
    days: Annotated[int | None, typer.Option(help="only shares sent in the last N days")
                    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print a JSON array")] = False,
) -> None:
    """Time to acknowledge shares, per receiving agency: count, median, p90, max, on time."""
    now = utcnow()
    since = now - timedelta(days=days) if days else None
    with transaction(_factory(get_settings())) as session:
        found = time_to_acknowledge(session, now=now, since=since)
    if as_json:
        typer.echo(json.dumps([{
            "agency": m.agency_id, "shares": m.shares, "acknowledged": m.acknowledged,
            "median_seconds": m.median.total_seconds() if m.median else None,
            "p90_seconds": m.p90.total_seconds() if m.p90 else None,
            "max_seconds": m.max.total_seconds() if m.max else None,
            "within_deadline": m.within_deadline,
            "overdue_unacknowledged": m.overdue_unacknowledged} for m in found], indent=2))
        return
    table = Table("agency", "shares", "acknowledged", "median", "p90", "max", "by deadline",
                  "overdue", title="Time to acknowledge shares")
    for m in found:
        table.add_row(m.agency_name, str(m.shares), str(m.acknowledged),
                      duration_words(m.median), duration_words(m.p90), duration_words(m.max),
                      percent_words(m.within_deadline), str(m.overdue_unacknowledged))
    Console().print(table)


@app.command()
def link(
    input_csv: Annotated[Path, typer.Argument(help="CSV: record_id, source, given_name, "
                                              "family_name, dob, sex, postcode, address, "
                                              "nhs_number, upn, pnc_id (any may be empty)")],
    out: Annotated[Path, typer.Option("--out", help="Output CSV: record_id, person_id")],
    truth: Annotated[str | None, typer.Option(
        "--truth", help="Column holding the true person: print pair precision, recall, F1")
    ] = None,
    fit: Annotated[bool | None, typer.Option(
        "--fit/--no-fit", help="Fit the model's weights to these records first (u from "
                               "random pairs, m by expectation maximisation from the shipped "
                               "model); by default, where the records' homes hold no families")
    ] = None,
) -> None:
    """Batch person linkage with Splink (DuckDB): one person id per record."""
    try:
        rows = linkage_batch.read_csv(input_csv)
        if truth is not None and rows and truth not in rows[0]:
            raise ValueError(f"{input_csv}: no column {truth!r}")
        result = linkage_batch.link_rows(rows, fit_to_records=fit)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    linkage_batch.write_csv(result.person_of, out)
    people = len(set(result.person_of.values()))
    typer.echo(f"{len(rows)} records -> {people} persons ({result.pairs_scored} pairs scored, "
               f"{result.unmatchable} without enough to match on kept as their own person); "
               f"wrote {out}")
    if truth is not None:
        scores = linkage_batch.pair_scores(result.person_of,
                                           {row["record_id"]: row[truth] for row in rows})
        typer.echo(f"pairs: precision {scores.precision:.4f}, recall {scores.recall:.4f}, "
                   f"F1 {scores.f1:.4f} ({scores.correct_pairs} of {scores.predicted_pairs} "
                   f"predicted pairs correct; {scores.true_pairs} true pairs)")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
