"""`safeguard audit ...`: seal the audit chain, verify it, and make and check checkpoints."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker

from safeguard.audit import checkpoint as checkpoints
from safeguard.audit.chain import head, seal_pending, verify
from safeguard.config import get_settings
from safeguard.db import make_engine, make_session_factory, transaction, utcnow

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)
console = Console(stderr=True)


def _factory() -> sessionmaker[Session]:
    return make_session_factory(make_engine(get_settings().database_url))


def _key_path(given: Path | None, configured: str, what: str) -> Path:
    if given is not None:
        return given
    if configured:
        return Path(configured)
    console.print(f"[red]No {what}: pass it or set SAFEGUARD_AUDIT_"
                  f"{'SIGNING' if 'private' in what else 'VERIFY'}_KEY_FILE.")
    raise typer.Exit(2)


@app.command("seal")
def seal_command(
    full: Annotated[bool, typer.Option(help="look at every entry, not only recent ones")
                    ] = False,
) -> None:
    """Chain every unsealed audit entry (the worker does this on each pass)."""
    sealed = seal_pending(_factory(), full=full)
    console.print(f"Sealed {sealed} audit entries.")


@app.command("verify")
def verify_command(
    checkpoint: Annotated[Path | None, typer.Option(help="a checkpoint file to check against")
                          ] = None,
    public_key: Annotated[Path | None, typer.Option(help="the witness's Ed25519 public key "
                                                         "(PEM)")] = None,
) -> None:
    """Recompute the chain; with --checkpoint, also check it against a signed checkpoint.
    Exit status 1 if anything was found."""
    settings = get_settings()
    mark = checkpoints.read(checkpoint) if checkpoint is not None else None
    with transaction(_factory()) as session:
        result = verify(session, at_rows=mark.rows if mark else None)
    problems = list(result.problems)
    if mark is not None:
        key = checkpoints.load_public_key(
            _key_path(public_key, settings.audit.verify_key_file, "public key"))
        problems += checkpoints.problems_against(mark, result, public_key=key)
    for words in problems:
        console.print(f"[red]Tampered:[/red] {words}", highlight=False)
    if result.unsealed:
        console.print(f"{result.unsealed} entries not yet sealed (`safeguard audit seal "
                      "--full` seals them).")
    if problems:
        raise typer.Exit(1)
    console.print(f"[green]Intact:[/green] {result.head.rows} sealed entries, head "
                  f"{result.head.hash}" + (f", agreeing with the checkpoint of {mark.at}"
                                           if mark else ""), highlight=False)


@app.command("checkpoint")
def checkpoint_command(
    out: Annotated[Path, typer.Option(help="where to write the signed checkpoint (JSON)")],
    private_key: Annotated[Path | None, typer.Option(help="Ed25519 private key (PEM)")] = None,
) -> None:
    """Seal what is unsealed, then sign the chain's length and head hash. Keep the file
    outside the database (with a witness: another system, another organisation)."""
    key = checkpoints.load_private_key(
        _key_path(private_key, get_settings().audit.signing_key_file, "private key"))
    factory = _factory()
    seal_pending(factory)
    with transaction(factory) as session:
        mark = checkpoints.sign(head(session), private_key=key, now=utcnow())
    checkpoints.write(mark, out)
    console.print(f"Checkpoint: {mark.rows} entries, head {mark.head_hash}, key {mark.key_id}.",
                  highlight=False)


@app.command("keygen")
def keygen_command(
    private_key: Annotated[Path, typer.Option(help="file for the private key (created 0600)")],
    public_key: Annotated[Path, typer.Option(help="file for the public key (for witnesses)")],
) -> None:
    """Make an Ed25519 key pair for signing checkpoints. Never commit either file's secret
    half: keep the private key where checkpoints are made, outside the repository."""
    console.print(f"Key {checkpoints.generate_keys(private_key, public_key)} written.")
