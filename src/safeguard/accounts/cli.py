"""`safeguard user ...` and `safeguard api-key ...`: accounts managed, not edited in SQL.

Each command runs as the system principal named for the operating-system user who ran it,
so the audit trail says who made the change.
"""

from __future__ import annotations

import getpass
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.models import ROLES, ApiKey, User
from safeguard.access.service import Principal
from safeguard.access.two_factor import reset as reset_two_factor
from safeguard.access.two_factor import set_required
from safeguard.accounts import service
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.errors import NotFound, SafeguardError
from safeguard.workdays import LONDON

user_app = typer.Typer(help="Users who sign in: add, disable, enable, change roles, reset a "
                            "password, list.", no_args_is_help=True)
key_app = typer.Typer(help="Partner systems' API keys: create, list, revoke, rotate.",
                      no_args_is_help=True)
console = Console(stderr=True)


def operator() -> Principal:
    try:
        who = getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (some containers)
        who = "unknown"
    return Principal("system", 0, f"cli:{who}", "safeguard command", "", "", "system",
                     frozenset())


@contextmanager
def command_transaction(exit_code: int = 2) -> Iterator[Session]:
    """The command's transaction; a refusal (unknown role or agency, taken username...) is
    one line on stderr and a non-zero exit status (2 unless told), not a traceback."""
    factory = _factory()
    try:
        with transaction(factory) as session:
            yield session
    except SafeguardError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False, soft_wrap=True)
        raise typer.Exit(exit_code) from error



def _password(prompt: bool) -> str | None:
    if not prompt:
        return None
    entered: str = typer.prompt("New password", hide_input=True, confirmation_prompt=True)
    return entered


def _when(value: object) -> str:
    return value.astimezone(LONDON).strftime("%Y-%m-%d %H:%M") if value else ""  # type: ignore[attr-defined]


PromptOpt = Annotated[bool, typer.Option(
    "--prompt", help="ask for the password instead of generating a one-time one")]


@user_app.command("add")
def user_add(
    username: str,
    name: Annotated[str, typer.Option(help="the person's name as shown on screen")],
    agency: Annotated[str, typer.Option(help="agency id: police, childrens_social_care, "
                                             "health, education, probation or school-<URN>")],
    roles: Annotated[str, typer.Option(help=f"space- or comma-separated: {', '.join(ROLES)}")
                     ] = "practitioner",
    prompt: PromptOpt = False,
) -> None:
    """Add a user. Unless --prompt, a generated password is printed once: hand it over
    securely."""
    password = _password(prompt)
    with command_transaction() as session:
        user, generated = service.add_user(session, principal=operator(), username=username,
                                           display_name=name, agency_id=agency, roles=roles,
                                           password=password)
    console.print(f"Added {user.username} ({user.display_name}, {user.agency_id}, "
                  f"{user.roles}).", highlight=False)
    if generated:
        console.print("One-time password (shown once):")
        typer.echo(generated)


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user: their access ends at their next request."""
    with command_transaction() as session:
        user = service.disable_user(session, principal=operator(), username=username)
    console.print(f"{user.username} is disabled.", highlight=False)


@user_app.command("enable")
def user_enable(username: str) -> None:
    """Let a disabled user sign in again (their old sessions stay ended)."""
    with command_transaction() as session:
        user = service.enable_user(session, principal=operator(), username=username)
    console.print(f"{user.username} is enabled: they may sign in again.", highlight=False)


@user_app.command("roles")
def user_roles(
    username: str,
    roles: Annotated[str, typer.Option(help=f"the user's roles from now on, space- or "
                                            f"comma-separated: {', '.join(ROLES)}")],
) -> None:
    """Replace USERNAME's roles; their sessions end at once, so they sign in again to use
    the new ones."""
    with command_transaction() as session:
        user = service.set_roles(session, principal=operator(), username=username,
                                 roles=roles, now=utcnow())
    console.print(f"{user.username} now has the roles {user.roles}.", highlight=False)


@user_app.command("email")
def user_email(
    username: str,
    address: Annotated[str, typer.Argument(help="their work address; empty to remove it")],
) -> None:
    """Set where USERNAME's email notifications go (each person chooses which, at
    /account/notifications)."""
    with command_transaction() as session:
        user = service.set_email(session, principal=operator(), username=username,
                                 email=address)
    console.print(f"{user.username}: notifications go to {user.email or 'no address'}.",
                  highlight=False)


@user_app.command("reset")
def user_reset(username: str, prompt: PromptOpt = False) -> None:
    """Reset a user's password: a generated one printed once, or one typed at a prompt."""
    password = _password(prompt)
    with command_transaction() as session:
        user, generated = service.reset_password(session, principal=operator(),
                                                 username=username, password=password)
    console.print(f"Password of {user.username} reset.", highlight=False)
    if generated:
        console.print("One-time password (shown once):")
        typer.echo(generated)


def _user_row(user: User) -> dict[str, object]:
    return {"username": user.username, "name": user.display_name, "agency": user.agency_id,
            "roles": user.roles.split(), "active": user.active,
            "created_at": user.created_at.isoformat()}


def _print(rows: list[dict[str, object]], as_json: bool, title: str,
           cell: Callable[[object], str] = str) -> None:
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(*(rows[0].keys() if rows else ()), title=title)
    for row in rows:
        table.add_row(*(" ".join(map(str, v)) if isinstance(v, list) else cell(v)
                        for v in row.values()))
    Console().print(table if rows else f"No {title.lower()}.")


JsonOpt = Annotated[bool, typer.Option("--json", help="print a JSON array")]


@user_app.command("list")
def user_list(agency: Annotated[str | None, typer.Option()] = None,
              as_json: JsonOpt = False) -> None:
    """Users, by agency and username (no passwords, which are never stored)."""
    with command_transaction() as session:
        rows = [_user_row(u) for u in service.list_users(session, principal=operator(),
                                                         agency_id=agency)]
    _print(rows, as_json, "Users")


@key_app.command("create")
def key_create(
    agency: str, name: str,
    roles: Annotated[str, typer.Option(help="space- or comma-separated roles")
                     ] = "practitioner",
) -> None:
    """Create an API key for a partner system; the key is printed once and not stored."""
    with command_transaction() as session:
        _, plaintext = service.issue_api_key(session, principal=operator(), agency_id=agency,
                                             name=name, roles=roles)
    typer.echo(plaintext)


def _key_row(key: ApiKey) -> dict[str, object]:
    return {"id": key.id, "agency": key.agency_id, "name": key.name, "prefix": key.prefix,
            "roles": key.roles.split(), "created": _when(key.created_at),
            "revoked": _when(key.revoked_at)}


@key_app.command("list")
def key_list(agency: Annotated[str | None, typer.Option()] = None,
             include_revoked: Annotated[bool, typer.Option("--all",
                                                           help="revoked keys too")] = False,
             as_json: JsonOpt = False) -> None:
    """API keys (their first characters only: the keys themselves are never stored)."""
    with command_transaction() as session:
        rows = [_key_row(k) for k in service.list_api_keys(
            session, principal=operator(), agency_id=agency, include_revoked=include_revoked)]
    _print(rows, as_json, "API keys")


@key_app.command("revoke")
def key_revoke(key_id: int) -> None:
    """Revoke a key: refused from the next request on."""
    with command_transaction() as session:
        key = service.revoke_api_key(session, principal=operator(), key_id=key_id,
                                     now=utcnow())
    console.print(f"API key {key.id} ({key.name}, {key.agency_id}) is revoked.",
                  highlight=False)


@key_app.command("rotate")
def key_rotate(key_id: int) -> None:
    """Issue a new key like KEY_ID (agency, name, roles) and revoke KEY_ID; the new key is
    printed once."""
    with command_transaction() as session:
        key, plaintext = service.rotate_api_key(session, principal=operator(), key_id=key_id,
                                                now=utcnow())
    console.print(f"API key {key_id} is revoked; its replacement is key {key.id}:",
                  highlight=False)
    typer.echo(plaintext)


def _factory() -> sessionmaker[Session]:
    return make_session_factory(make_engine(get_settings().database_url))


# --- two-factor sign-in ---------------------------------------------------------------


@user_app.command("require-2fa")
def user_require_2fa(
    username: Annotated[str | None, typer.Option("--user", help="one user")] = None,
    agency: Annotated[str | None, typer.Option("--agency", help="every user of an agency")
                      ] = None,
    off: Annotated[bool, typer.Option("--off", help="stop requiring it")] = False,
) -> None:
    """Require two-factor sign-in (a code from an authenticator app) of one user or of a
    whole agency; one who has not enrolled is asked to at their next sign-in."""
    if (username is None) == (agency is None):
        raise typer.BadParameter("give exactly one of --user or --agency")
    try:
        with transaction(_factory()) as session:
            set_required(session, required=not off, username=username, agency_id=agency)
    except NotFound as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Two-factor sign-in is {'no longer ' if off else ''}required of "
                  f"{username or 'every user of ' + str(agency)}.")


@user_app.command("reset-2fa")
def user_reset_2fa(username: str) -> None:
    """Forget USERNAME's authenticator (a lost phone) and end their sessions."""
    try:
        with transaction(_factory()) as session:
            reset_two_factor(session, username=username, now=utcnow())
    except NotFound as error:
        console.print(f"[red]{error}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{username} enrols an authenticator again at their next sign-in if required.")
