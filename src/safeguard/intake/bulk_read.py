"""Reading a bulk load's file (:mod:`.bulk`): every line validated exactly as the normal import
validates it, in parts, on as many cores as the load is given.

Validating a line (JSON, the event's model and its checks, the digest of its document) is
the largest share of reading a file, and each line's is independent of every other's. With
``workers`` above one, the parts go to that many processes, a few parts ahead of the one the
load takes next (which it then dedupes, places and prepares for linking, one part at a time,
while the processes validate the parts after it). They are started by a fork server: a
fresh interpreter that imports this module (and, as any process multiprocessing starts, the
program's main module), so nothing of the caller's threads, connections or open files is
copied into them. A part comes back as plain tuples, which cost a fraction of validating
them to send.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple

from safeguard.access.service import Principal
from safeguard.errors import SafeguardError
from safeguard.events.fields import is_school_source
from safeguard.events.schemas import PersonEvent
from safeguard.events.service import payload_hash
from safeguard.intake.importer import Reject, decode_line, numbered, parse_line
from safeguard.intake.service import check_may_submit, may_name_school
from safeguard.people.addresses import PlacedAddress
from safeguard.people.linkage.features import Features

# Lines a part holds: enough that sending one costs little beside validating it, few enough
# that the load's first part is soon ready and the parts queued ahead hold little memory.
PART = 10_000


@dataclass(frozen=True, slots=True)
class Record:
    """What the load keeps of a validated person event: its fields, not the validated model
    (the event's payload is the line's own text). The model, with its nested models and
    sets, is several times the size: a million of them held through a load cost gigabytes
    and, on a machine that faults memory in from its host, tens of seconds in the kernel."""

    event: str
    source: str
    source_id: str
    given_name: str | None
    family_name: str | None
    dob: date | None
    sex: str | None
    school_urn: str | None
    recorded_at: datetime | None


class GivenAddress(NamedTuple):
    """An address as a line gives it (validated as the event's ``AddressIn``), until placed."""

    uprn: str | None
    line1: str
    line2: str | None
    town: str | None
    postcode: str | None


NO_FEATURES = Features()


@dataclass(slots=True)
class Line:
    number: int
    data: Record
    # The event as the agency sent it (JSON text, stored as the event's payload).
    payload: str
    digest: str
    # The identifiers the record gives (scheme -> normalised value).
    ids: dict[str, str]
    # The address as given, until it is placed (``address``: the address it is).
    given_address: GivenAddress | None = None
    address: PlacedAddress | None = None
    key: str = ""
    # For linking: set once the address is placed (a Features is immutable, so the lines not
    # yet placed may all share one).
    features: Features = NO_FEATURES


NumberedLine = tuple[int, str | bytes]
# A line the batch takes, as sent between processes: its number, the record's fields, the
# payload text, its digest, its identifiers, and the address as given (or None).
Kept = tuple[int, tuple[Any, ...], str, str, dict[str, str], tuple[Any, ...] | None]


@dataclass
class Part:
    """What a part of the file holds, by line: the batch's, the normal import's, rejects."""

    kept: list[Kept] = field(default_factory=list)
    rest: list[NumberedLine] = field(default_factory=list)
    rejects: list[Reject] = field(default_factory=list)


def read_part(lines: Sequence[NumberedLine], principal: Principal) -> Part:
    """Validate a part's lines: the person events the batch takes, the lines for the normal
    import (other events, and a school's records of its pupils), and the rejects."""
    part = Part()
    for number, line in lines:
        decoded, rejects = decode_line(number, line)
        parsed: Any = None
        if decoded is not None:
            parsed, rejects = parse_line(number, decoded)
        if rejects or decoded is None:
            part.rejects.extend(rejects)
            continue
        data, raw = parsed
        if not isinstance(data, PersonEvent) or is_school_source(data.source):
            part.rest.append((number, line))
            continue
        refused = _refused(data, principal)
        if refused is not None:
            part.rejects.append(Reject(number, *refused, data.source_id))
            continue
        address = data.address
        # The line's own text is the payload stored (the online path stores the same
        # document re-encoded); the digest is of the document, as online.
        part.kept.append((
            number, (data.event, data.source, data.source_id, data.given_name,
                     data.family_name, data.dob, data.sex, data.school_urn, data.recorded_at),
            decoded.strip(), payload_hash(raw), data.ids.present(),
            None if address is None else (address.uprn, address.line1, address.line2,
                                          address.town, address.postcode)))
    return part


def _refused(data: PersonEvent, principal: Principal) -> tuple[str, str] | None:
    """(field, reason) as the normal import reports a refusal, or None."""
    try:
        check_may_submit(principal, data.source)
        may_name_school(data)
    except SafeguardError as error:
        return getattr(error, "field", "(line)"), getattr(error, "reason", str(error))
    return None


def usable_cores() -> int:
    """The cores this process may run on (its affinity, where the system has one)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@dataclass
class Read:
    """A part of the file as read: its non-blank lines, how many; the batch's lines, made;
    the normal import's; the rejects."""

    count: int
    lines: list[Line]
    rest: list[NumberedLine]
    rejects: list[Reject]


def read_parts(lines: Iterable[str | bytes], *, principal: Principal, workers: int = 1,
               part_size: int = PART) -> Iterator[Read]:
    """The file's non-blank lines validated ``part_size`` at a time, each part as read, in the
    file's order: in this process, or in ``workers`` processes while this one takes each
    part in turn (and does what it does with it)."""
    given = list(numbered(lines))
    parts = [given[start:start + part_size] for start in range(0, len(given), part_size)]
    del given
    if workers > 1 and len(parts) > 1:
        yield from _in_processes(parts, principal, workers)
        return
    for part in parts:
        yield _made(len(part), read_part(part, principal))


def _made(count: int, part: Part) -> Read:
    """A part's lines made from the tuples they were sent as."""
    return Read(count, [Line(number, Record(*fields), payload, digest, ids,
                             None if address is None else GivenAddress(*address))
                        for number, fields, payload, digest, ids, address in part.kept],
                part.rest, part.rejects)


def _in_processes(parts: list[list[NumberedLine]], principal: Principal, processes: int
                  ) -> Iterator[Read]:
    """Each part read by one of ``processes`` processes, a few parts ahead of the one this
    process takes next, so that none of them waits."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload([__name__])
    # The processes at the lowest priority: this process's own work on each part (placing,
    # features) is the critical path, and the processes take what it leaves of the cores.
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context,
                               initializer=os.nice, initargs=(19,))
    queued: deque[Future[Part]] = deque()
    try:
        for index, part in enumerate(parts):
            while len(queued) < 2 * processes and index + len(queued) < len(parts):
                queued.append(pool.submit(read_part, parts[index + len(queued)], principal))
            yield _made(len(part), queued.popleft().result())
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
