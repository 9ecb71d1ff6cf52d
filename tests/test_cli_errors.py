"""The `safeguard` command's errors: one line on stderr and a non-zero exit status, never a
traceback, whatever the command; and the demo run outside the repository."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from safeguard import cli, demo
from safeguard.config import get_settings

from .factories import migrated_store


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url = migrated_store("sqlite", tmp_path, "cli")
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """The command as its console entry point runs it: exit status and stderr."""
    with pytest.raises(SystemExit) as exited:
        cli.app(list(args), prog_name="safeguard")
    code = exited.value.code
    return code if isinstance(code, int) else 1, capsys.readouterr().err


def assert_one_line(err: str) -> None:
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_an_unknown_agency_is_one_line_naming_the_known_ones(
        database: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "db", "upgrade")[0] == 0
    code, err = run(capsys, "webhook", "set", "county-council", "https://example.org/hook")
    assert code == 1
    assert_one_line(err)
    assert "unknown agency 'county-council'" in err
    assert all(agency in err for agency in ("police", "childrens_social_care", "school-<URN>"))


def test_an_unreachable_database_is_one_line_saying_what_to_check(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", "postgresql://nobody@127.0.0.1:1/nowhere")
    get_settings.cache_clear()
    try:
        code, err = run(capsys, "duties")
    finally:
        get_settings.cache_clear()
    assert code == 1
    assert_one_line(err)
    assert "cannot use the database (check SAFEGUARD_DATABASE_URL)" in err


def test_a_mistyped_option_is_one_line_pointing_at_the_commands_help(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, err = run(capsys, "duties", "--limit", "ten")
    assert code == 2
    assert_one_line(err)
    assert "'--limit'" in err and "(see `safeguard duties --help`)" in err


def test_an_error_nobody_foresaw_is_one_line_telling_how_to_see_more(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken() -> str:
        raise RuntimeError("a fault no handler knows")

    monkeypatch.setattr(cli, "duty_kinds_markdown", broken)
    code, err = run(capsys, "kinds")
    assert code == 1
    assert_one_line(err)
    assert "unexpected RuntimeError: a fault no handler knows" in err
    assert "SAFEGUARD_TRACEBACK=1" in err
    monkeypatch.setenv("SAFEGUARD_TRACEBACK", "1")
    with pytest.raises(RuntimeError):
        cli.app(["kinds"], prog_name="safeguard")


def test_the_demo_run_outside_the_repository_creates_what_it_needs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # A folder with no var/ in it, and a database kept elsewhere, so nothing else makes var/.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SAFEGUARD_DATABASE_URL", f"sqlite:///{tmp_path / 'db' / 'demo.db'}")
    served: list[int] = []
    monkeypatch.setattr(demo, "serve_app", lambda *, host, port, with_worker:
                        served.append(port))
    try:
        # A small force area: the register of a whole force is the import benchmark's work
        # (bench/demo_import.py), not this test's.
        code, err = run(capsys, "demo", "--households", "10", "--force-population", "0",
                        "--port", "8123")
    finally:
        get_settings.cache_clear()
    assert code == 0, err
    assert served == [8123]
    assert [p.suffix for p in (tmp_path / "var").iterdir() if p.name.startswith("county")]
