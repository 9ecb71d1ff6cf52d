"""Bulk import of JSON Lines: every line either lands or is reported, never silently dropped.

The import job owns its transactions: it commits every `batch_size` lines, and each line runs
in a savepoint so one bad line cannot undo its neighbours.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import Principal
from safeguard.db import transaction, utcnow
from safeguard.errors import InvalidField, SafeguardError
from safeguard.events.schemas import EVENT_ADAPTER, describe_errors
from safeguard.events.service import CONFLICT, DUPLICATE
from safeguard.intake.service import IntakeContext, accept_event

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reject:
    line: int
    field: str
    reason: str
    source_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "reason": self.reason,
                "source_id": self.source_id}


@dataclass
class ImportSummary:
    lines: int = 0
    accepted: int = 0
    duplicates: int = 0
    duties_raised: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    rejects: list[Reject] = field(default_factory=list)

    @property
    def rejected_lines(self) -> int:
        return len({reject.line for reject in self.rejects})

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines, "accepted": self.accepted, "duplicates": self.duplicates,
            "rejected": self.rejected_lines, "duties_raised": self.duties_raised,
            "by_type": dict(sorted(self.by_type.items())),
            "rejects": [reject.as_dict() for reject in self.rejects],
        }


def decode_line(number: int, line: str | bytes) -> tuple[str | None, list[Reject]]:
    """A line as text, or why it is not UTF-8 (with the line number, like any other reject)."""
    if isinstance(line, str):
        return line, []
    try:
        return line.decode("utf-8-sig" if number == 1 else "utf-8"), []
    except UnicodeDecodeError as error:
        return None, [Reject(number, "(line)", f"not UTF-8 text: byte 0x{line[error.start]:02x}"
                                              f" at column {error.start + 1}")]


def parse_line(number: int, text: str) -> tuple[Any, list[Reject]]:
    """Validate one line; return the event model or the reasons it is rejected."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        return None, [Reject(number, "(line)", f"not valid JSON: {error.msg} at column "
                                              f"{error.colno}")]
    except RecursionError:
        # The parser recurses once per level and stops near 1,000; nothing in the import
        # format is more than four deep.
        return None, [Reject(number, "(line)", "not valid JSON: nested too deeply")]
    if not isinstance(raw, dict):
        return None, [Reject(number, "(line)", "each line must be a JSON object")]
    source_id = raw.get("source_id") if isinstance(raw.get("source_id"), str) else None
    try:
        return (EVENT_ADAPTER.validate_python(raw), raw), []
    except ValidationError as error:
        return None, [Reject(number, path, reason, source_id)
                      for path, reason in describe_errors(error)]


def numbered(lines: Iterable[str | bytes]) -> Iterator[tuple[int, str | bytes]]:
    for number, text in enumerate(lines, start=1):
        if text.strip():
            yield number, text


def import_lines(
    factory: sessionmaker[Session],
    lines: Iterable[str | bytes],
    *,
    principal: Principal,
    ctx: IntakeContext,
    via: str = "import",
    batch_size: int = 500,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    summary = ImportSummary()
    pending: list[tuple[int, str | bytes]] = []

    def flush_batch() -> None:
        with transaction(factory) as session:
            for number, text in pending:
                import_one(session, number, text, summary, principal, ctx, via)
        if progress:
            progress(len(pending))
        pending.clear()

    for number, text in numbered(lines):
        summary.lines += 1
        pending.append((number, text))
        if len(pending) >= batch_size:
            flush_batch()
    if pending:
        flush_batch()
    return summary


def import_one(
    session: Session, number: int, line: str | bytes, summary: ImportSummary,
    principal: Principal, ctx: IntakeContext, via: str,
) -> None:
    text, rejects = decode_line(number, line)
    parsed: Any = None
    if text is not None:
        parsed, rejects = parse_line(number, text)
    if rejects:
        summary.rejects.extend(rejects)
        return
    model, raw = parsed
    try:
        with session.begin_nested():
            accepted = accept_event(session, data=model, raw=raw, via=via, principal=principal,
                                    ctx=ctx, now=utcnow())
    except InvalidField as error:
        summary.rejects.append(Reject(number, error.field, error.reason, model.source_id))
        return
    except SafeguardError as error:
        summary.rejects.append(Reject(number, getattr(error, "field", "(line)"),
                                      getattr(error, "reason", str(error)), model.source_id))
        return
    except SQLAlchemyError as error:
        reason = f"could not be stored: {type(error).__name__}: {str(error).splitlines()[0]}"
        summary.rejects.append(Reject(number, "(line)", reason, model.source_id))
        return
    except Exception:  # noqa: BLE001 (the savepoint is rolled back; the line is reported)
        # A fault in the product, not the line, but one line must not abort the others or
        # the batch: it is logged for the maintainers and reported as a reject.
        log.exception("import line %d (%s) failed", number, model.source_id)
        summary.rejects.append(Reject(number, "(line)", "could not be stored: an internal "
                                      "error, logged for the service's maintainers",
                                      model.source_id))
        return
    if accepted.outcome == DUPLICATE:
        summary.duplicates += 1
    elif accepted.outcome == CONFLICT:
        summary.rejects.append(Reject(
            number, "source_id",
            f"{model.source} event {model.source_id} was already imported with different "
            "content; amendments are not applied", model.source_id))
    else:
        summary.accepted += 1
        summary.by_type[model.event] += 1
        summary.duties_raised += len(accepted.duty_ids)


def write_rejects(path: Path, summary: ImportSummary) -> None:
    with path.open("w", encoding="utf-8") as out:
        for reject in summary.rejects:
            out.write(json.dumps(reject.as_dict(), ensure_ascii=False) + "\n")


def count_lines(handle: IO[bytes] | IO[str]) -> int:
    return sum(1 for line in handle if line.strip())
