"""`safeguard demo`: a synthetic county in a fresh store, imported, with a history, a sample
inspection and sign-ins, then served with the worker."""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from safeguard.command_line import console
from safeguard.commands import ForcePopulation, print_summary, run_import, serve_app
from safeguard.config import Settings, get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.inspections.sample import sample_inspection
from safeguard.intake.importer import write_rejects
from safeguard.migrate import upgrade
from safeguard.missing.service import register_placing_authority
from safeguard.rules.context import build_context
from safeguard.seed import (
    act_on_past_duties,
    busiest_school,
    hand_out_demo_work,
    seed_demo_users,
    seed_reference_data,
)
from safeguard.synth.county import FORCE_POPULATION, default_end
from safeguard.synth.missing import PLACING_COUNCILS
from safeguard.synth.writer import write_county


def prepare_store(settings: Settings) -> sessionmaker[Session]:
    """The demo's store before its county arrives: migrated, with the reference data and the
    placing authorities it knows."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        seed_reference_data(session)
        # Two of the county's neighbours that place children here are registered, the third
        # not: the demo shows a notice to a placing authority and the task when it is unknown.
        for code, name in PLACING_COUNCILS[:2]:
            register_placing_authority(session, code=code, name=name)
    return factory


def demo(
    seed: int = 1,
    # Enough incidents in a month to fill the pages (docs/benchmarks.md: the demo's import).
    households: int = 4000,
    # The register stands for the whole force area, not only the modelled households.
    force_population: ForcePopulation = FORCE_POPULATION,
    port: int = 8000,
    live_days: Annotated[int, typer.Option(help="incidents of the last N days raise duties")
                         ] = 30,
) -> None:
    """Migrate, synthesise a county, import it with a progress bar, then serve with the worker."""
    os.environ.setdefault("SAFEGUARD_COOKIE_SECURE", "false")
    get_settings.cache_clear()
    settings = get_settings()
    factory = prepare_store(settings)
    # The county's year of incidents ends yesterday, so none lies in the future.
    end_day = default_end()
    county = Path("var") / (f"county-seed{seed}-{households}-{force_population}-"
                            f"{end_day.isoformat()}.jsonl")
    if not county.exists():
        console.print(f"Synthesising a county of {households} households in a force area of "
                      f"{force_population:,} people (seed {seed})...")
        write_county(county, seed=seed, households=households, end=end_day,
                     force_population=force_population)
    live_from = datetime.now(UTC) - timedelta(days=live_days)
    summary = run_import(factory, county, settings=settings, live_from=live_from)
    rejects_path = county.with_suffix(".rejects.jsonl")
    write_rejects(rejects_path, summary)
    print_summary(summary, rejects_path)
    # The last weeks' duties came due before the demo started: most were done in time.
    with transaction(factory) as session:
        done = act_on_past_duties(session, now=utcnow(), seed=seed,
                                  ctx=build_context(settings))
    console.print(f"Synthetic history: {done} duties already due were done, most in time "
                  "and some meetings late; the rest breach when the worker starts.")
    with transaction(factory) as session:
        sample_inspection(session, now=utcnow(), ctx=build_context(settings),
                          settings=settings.inspections)
    console.print("A sample inspection with its action plan part-done: /inspections")
    password = os.environ.get("SAFEGUARD_DEMO_PASSWORD") or secrets.token_urlsafe(9)
    with transaction(factory) as session:
        users = seed_demo_users(session, password=password,
                                school_urn=busiest_school(session))
        handed_out = hand_out_demo_work(session, now=utcnow())
    console.print(f"{handed_out} duties handed out to the demo's teams and people: /work")
    table = Table("username", "password", "who", title="Demo sign-ins (synthetic data only)")
    for user in users:
        table.add_row(user.username, password, user.job)
    Console().print(table)
    Console().print(f"\n[bold green]safeguard is running at http://127.0.0.1:{port}/ "
                    "— Ctrl-C to stop.")
    serve_app(host="127.0.0.1", port=port, with_worker=True)
