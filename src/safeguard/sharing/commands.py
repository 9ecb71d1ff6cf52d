"""`safeguard webhook`: where each partner agency's shares are sent, and the secrets that
sign them (set, rotate, retire, list); each change is audited, a secret is printed once."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session

from safeguard.accounts.cli import command_transaction, operator
from safeguard.audit.service import record as audit
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow
from safeguard.sharing.models import WebhookEndpoint
from safeguard.sharing.webhooks import list_endpoints, retire_secret, rotate_secret, set_endpoint
from safeguard.workdays import LONDON

app = typer.Typer(help="Partner systems' webhook endpoints.", no_args_is_help=True)
console = Console(stderr=True)


def _audit_endpoint(session: Session, endpoint: WebhookEndpoint, why: str) -> None:
    """Who pointed an agency's shares somewhere, or changed what signs them (never the
    secret itself)."""
    audit(session, principal=operator(), action="write", entity="webhook_endpoint",
          entity_id=endpoint.id, why=why)


@app.command("set")
def webhook_set(agency: str, url: str) -> None:
    """Send AGENCY's shares to URL, signed with a new secret (printed once: hand it to the
    partner securely; setting the endpoint again replaces the secret)."""
    with command_transaction(exit_code=1) as session:
        endpoint, secret = set_endpoint(session, agency_id=agency, url=url)
        _audit_endpoint(session, endpoint, f"webhook endpoint of {endpoint.agency_id} set to "
                                           f"{endpoint.url} with a new signing secret")
    console.print(f"Shares for {agency} will be POSTed to {endpoint.url}. Signing secret:")
    typer.echo(secret)


@app.command("rotate")
def webhook_rotate(
    agency: str,
    keep_days: Annotated[float, typer.Option(
        help="days the previous secret stays valid unless retired sooner")] = 7.0,
) -> None:
    """Make a new signing secret current for AGENCY (printed once); the previous one stays
    valid until `safeguard webhook retire AGENCY` or KEEP_DAYS, and messages are signed with
    both meanwhile, so the partner switches without losing one."""
    if keep_days <= 0:
        raise typer.BadParameter("must be more than 0", param_hint="--keep-days")
    now = utcnow()
    with command_transaction(exit_code=1) as session:
        endpoint, secret = rotate_secret(session, agency_id=agency, now=now,
                                         keep_previous=timedelta(days=keep_days))
        until = endpoint.previous_valid_until
        _audit_endpoint(session, endpoint, f"signing secret of {endpoint.agency_id} rotated; "
                                           f"the previous one valid for {keep_days:g} days")
    shown = f"{until.astimezone(LONDON):%Y-%m-%d %H:%M}" if until else "retired"
    console.print(f"New signing secret for {agency}; the previous one is valid until "
                  f"{shown} (Europe/London) or `safeguard webhook retire {agency}`:")
    typer.echo(secret)


@app.command("retire")
def webhook_retire(agency: str) -> None:
    """End AGENCY's rollover: only the current secret signs and verifies from now on."""
    with command_transaction(exit_code=1) as session:
        endpoint = retire_secret(session, agency_id=agency)
        _audit_endpoint(session, endpoint,
                        f"previous signing secret of {endpoint.agency_id} retired")
    console.print(f"The previous signing secret of {agency} is retired.")


@app.command("list")
def webhook_list() -> None:
    """Agencies' webhook endpoints (secrets are not shown)."""
    with transaction(make_session_factory(make_engine(get_settings().database_url))) as session:
        endpoints = list_endpoints(session)
    # Plain tab-separated lines: URLs are long, and scripts read this.
    for e in endpoints:
        rollover = (f"\tprevious secret valid until "
                    f"{e.previous_valid_until.astimezone(LONDON):%Y-%m-%d %H:%M}"
                    if e.previous_secret and e.previous_valid_until else "")
        typer.echo(f"{e.agency_id}\t{e.url}\t{'active' if e.active else 'inactive'}\t"
                   f"since {e.created_at.astimezone(LONDON):%Y-%m-%d %H:%M}{rollover}")
