"""`safeguard report --from --to --out report.pdf`: the revisit report, as a PDF (or HTML when
the output's name ends .html)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.inspections.report import build_report, report_html, report_pdf
from safeguard.inspections.service import get_inspection, list_inspections
from safeguard.measures.facts import refresh

app = typer.Typer(help="The revisit report an inspectorate is sent.")
console = Console(stderr=True)


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        console.print(f"[red]{option}: {text!r} is not a date like 2026-01-31.")
        raise typer.Exit(2) from None


@app.callback(invoke_without_command=True)
def report(
    date_from: Annotated[str, typer.Option("--from", help="first day, e.g. 2026-01-01")],
    date_to: Annotated[str, typer.Option("--to", help="last day, e.g. 2026-12-31")],
    out: Annotated[Path, typer.Option(help="report.pdf, or a name ending .html")],
    inspection: Annotated[int | None, typer.Option(
        help="the inspection to compare with (default: the newest)")] = None,
) -> None:
    """Write the revisit report: every measure against the inspection's baseline, the action
    plan's progress and what changed."""
    start, end = _day(date_from, "--from"), _day(date_to, "--to")
    if end < start:
        console.print("[red]--to: the end of the period must not be before its start.")
        raise typer.Exit(2)
    settings = get_settings()
    factory = make_session_factory(make_engine(settings.database_url))
    with transaction(factory) as session:
        refresh(session)  # figures as of now, even with no worker running
        chosen = get_inspection(session, inspection_id=inspection) if inspection else None
        if inspection and chosen is None:
            console.print(f"[red]--inspection: no inspection {inspection}.")
            raise typer.Exit(2)
        if chosen is None:
            found = list_inspections(session)
            chosen = found[0] if found else None
        built = build_report(session, start=start, end=end, inspection=chosen,
                             settings=settings, now=utcnow())
        if out.suffix.lower() in (".html", ".htm"):
            out.write_text(report_html(built, inline_css=True), encoding="utf-8")
        else:
            out.write_bytes(report_pdf(built))
    console.print(f"Wrote {out}")
