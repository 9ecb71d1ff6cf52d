"""Dependencies point one way: events -> people -> rules -> incidents -> duties -> sharing ->
casework -> missing, custody, offenders, forensics -> measures, inspections -> intake ->
children, then the
web layer and every page and API module above every service; lower layers never import higher
ones (docs/architecture.md)."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safeguard"
RANK = {
    "config": 0, "db": 0, "errors": 0, "identifiers": 0, "logs": 0, "workdays": 0, "dates": 0,
    # Many rows at once for a bulk load (people's addresses, intake's chunks).
    "rows": 0,
    # Sentences services build in English for pages to draw in the reader's language.
    "phrases": 0,
    "access": 1, "audit": 2, "accounts": 3, "synth": 3,
    "events": 4, "people": 5, "rules": 6, "incidents": 7, "concerns": 7, "duties": 8, "sharing": 9,
    # Email notifications read duties and their escalations; casework and above may queue one.
    "notify": 9,
    "casework": 10,
    # Work queues read duties and who holds them (duties.assignment).
    "work": 10,
    # The areas with episodes of their own: each raises duties through casework, and intake
    # hands each its events.
    "missing": 11, "custody": 11, "offenders": 11, "forensics": 11,
    # The measures read those areas' figures; inspections read the measures' declarations,
    # raise their plan's duties via casework, and take their events from intake.
    "measures": 12, "inspections": 12,
    "intake": 13, "children": 14,
    # Strategy discussions as held (intake hands them their event); case notes.
    "strategy": 11, "notes": 13,
    # Finding anyone: people's matcher and identifiers behind the children area's rule of
    # who may see whom.
    "search": 15,
    "governance": 15,
    # The web layer (request dependencies, rendering) sits above every service...
    "web": 16,
    # Composition roots: they may import anything, and nothing imports them.
    "app": 20, "cli": 20, "worker": 20, "seed": 20, "models": 20, "migrate": 20, "words": 20,
    "migrations": 20,
    # What several top-level commands share (an import with progress, the server), and the
    # demo command: composition roots under cli.
    "commands": 20, "demo": 20,
    # What every entry point shares (one-line errors, the console), and the worker command,
    # which a worker process can start from alone: composition roots under cli too.
    "command_line": 20, "worker_command": 20,
}
# ...and every area's pages and APIs above that: a page may call any service, and no service
# reaches up to a page (so no service needs a hook or registry to be called back).
ENTRY_MODULES = {"pages", "api", "admin_pages", "admin_api", "auth_pages"}
ENTRY_RANK = 17


def area_of(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def rank_of_module(dotted: str) -> int:
    """A module's rank: its area's, or the entry rank for a page or API module."""
    parts = dotted.split(".")
    if parts[-1] in ENTRY_MODULES:
        return ENTRY_RANK
    return RANK[parts[1]]


def module_of(path: Path) -> str:
    return "safeguard." + ".".join(path.relative_to(SRC).with_suffix("").parts)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            # `from safeguard.duties import pages` imports the module `pages`.
            names.update(f"{node.module}.{alias.name}" for alias in node.names
                         if alias.name in ENTRY_MODULES)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name for name in names if name.startswith("safeguard.") and name.count(".") >= 1}


SOURCES = sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_a_later_area(path: Path) -> None:
    area = area_of(path)
    assert area in RANK, f"new area {area!r}: give it a place in RANK and architecture.md"
    own = rank_of_module(module_of(path))
    later = sorted(name for name in imported_modules(path) if rank_of_module(name) > own)
    assert later == [], f"{path.relative_to(SRC)} (rank {own}) imports later module(s) {later}"


def test_a_service_importing_a_page_is_caught() -> None:
    assert rank_of_module("safeguard.duties.pages") > rank_of_module("safeguard.duties.service")
    assert rank_of_module("safeguard.casework.service") > rank_of_module(
        "safeguard.sharing.service")


def test_no_hook_registries_remain() -> None:
    """Later areas are called directly from above, never registered from below."""
    registries = [f"{path.relative_to(SRC)}: {name}" for path in SOURCES
                  for name in ("def on_discharge", "def on_submit", "def on_share_lookup")
                  if name in path.read_text("utf-8")]
    assert registries == []


def test_no_imports_hide_inside_functions() -> None:
    hidden = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [f"{path.relative_to(SRC)}:{inner.lineno}" for inner in
                           ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)]
    assert hidden == []


def test_a_worker_process_loads_no_page_api_or_other_commands_libraries() -> None:
    """`python -m safeguard.worker_command` loads what the worker runs and nothing for the web
    or the other commands: workers restart after a crash or a deploy, and start-up was most
    of a restart (the web app, WeasyPrint, Splink with DuckDB, Alembic, WebAuthn)."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(SRC.parent), *filter(None, [os.environ.get("PYTHONPATH")])]))
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, safeguard.worker_command; print(*sys.modules)"],
        env=env, capture_output=True, text=True, check=True).stdout.split()
    heavy = {"fastapi", "starlette", "uvicorn", "jinja2", "weasyprint", "splink", "duckdb",
             "pandas", "pyarrow", "alembic", "webauthn"}
    web = sorted(name for name in loaded if name == "safeguard.app" or name.startswith(
        "safeguard.") and name.split(".")[-1] in ENTRY_MODULES)
    assert (web, sorted({name.split(".")[0] for name in loaded} & heavy)) == ([], [])
