"""Dependencies point one way: events -> people -> rules -> incidents -> duties -> sharing ->
intake -> children; lower layers never import higher ones (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "safeguard"
RANK = {
    "config": 0, "db": 0, "errors": 0, "identifiers": 0, "workdays": 0,
    "access": 1, "audit": 2, "web": 3, "synth": 3,
    "events": 4, "people": 5, "rules": 6, "incidents": 7, "concerns": 7, "duties": 8, "sharing": 9,
    "intake": 10, "children": 11, "measures": 12,
    # Composition roots: they may import anything, and nothing imports them.
    "app": 20, "cli": 20, "worker": 20, "seed": 20, "models": 20, "migrate": 20,
    "migrations": 20,
}


def area_of(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def imported_areas(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in names
            if name.startswith("safeguard.") and name.count(".") >= 1}


SOURCES = sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_a_later_area(path: Path) -> None:
    area = area_of(path)
    assert area in RANK, f"new area {area!r}: give it a place in RANK and architecture.md"
    later = sorted(a for a in imported_areas(path) if a != area and RANK[a] > RANK[area])
    assert later == [], f"{path.relative_to(SRC)} ({area}) imports later area(s) {later}"


def test_no_imports_hide_inside_functions() -> None:
    hidden = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [f"{path.relative_to(SRC)}:{inner.lineno}" for inner in
                           ast.walk(node) if isinstance(inner, ast.Import | ast.ImportFrom)]
    assert hidden == []
