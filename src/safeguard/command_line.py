"""What every command-line entry point shares: the command class whose every error is one line,
the console on stderr, and the store's warnings said at start. Kept light on purpose: the
worker's own entry point (`worker_command`) starts from this alone, without the libraries of
every other command."""

from __future__ import annotations

import os
import sys
from typing import Any

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from typer._click import exceptions as click_errors

from safeguard.db import store_warnings
from safeguard.errors import SafeguardError

console = Console(stderr=True)


class Safeguard(typer.Typer):
    """A command whose every error is one line on stderr and exit status 1, not a
    traceback (SAFEGUARD_TRACEBACK=1 shows the traceback, for whoever debugs it)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            # Not standalone: click's usage errors come here too, rather than as a panel.
            result = super().__call__(*args, **{**kwargs, "standalone_mode": False})
        except click_errors.NoArgsIsHelpError as asked:  # no command: the help
            typer.echo(asked.format_message(), err=True)
            sys.exit(asked.exit_code)
        except click_errors.ClickException as error:  # a bad option or argument
            command = error.ctx.command_path if isinstance(error, click_errors.UsageError) and \
                error.ctx else "safeguard"
            typer.echo(f"error: {one_line_text(error.format_message())} (see `{command} "
                       "--help`)", err=True)
            sys.exit(error.exit_code)
        except typer.Abort:
            typer.echo("error: stopped", err=True)
            sys.exit(1)
        except Exception as error:
            if os.environ.get("SAFEGUARD_TRACEBACK"):
                raise
            typer.echo(f"error: {one_line(error)}", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)


def one_line(error: Exception) -> str:
    """What went wrong, in words an operator can act on."""
    if isinstance(error, SafeguardError | ValueError):
        text = str(error)
    elif isinstance(error, OperationalError | InterfaceError):
        # The driver's words only: the statement and its values may hold personal data.
        text = (f"cannot use the database (check SAFEGUARD_DATABASE_URL): "
                f"{str(error.orig).strip() or type(error.orig).__name__}")
    elif isinstance(error, OSError):
        text = (f"{error.strerror}: {error.filename}" if error.strerror and error.filename
                else str(error) or type(error).__name__)
    else:
        text = (f"unexpected {type(error).__name__}: {error}. Run again with "
                "SAFEGUARD_TRACEBACK=1 to see where it happened")
    return one_line_text(text)


def one_line_text(text: str) -> str:
    return " ".join(text.split())


def warn_about_store(engine: Engine) -> None:
    for warning in store_warnings(engine):
        console.print(f"[yellow]Warning:[/yellow] {warning}", highlight=False)
