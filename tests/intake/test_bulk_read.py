"""Reading a bulk load's file in parts, in this process or beside others: the same lines,
in the file's order, and the same rejects, however the parts were shared out."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from safeguard.access.service import SYSTEM
from safeguard.intake.bulk import _read
from safeguard.intake.bulk_read import read_parts
from safeguard.intake.bulk_write import BulkSummary
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.online import record_features
from safeguard.people.models import Address

from .scenario import FRIDAY_NIGHT
from .test_bulk import AWAY, FAMILY, person


def a_county_file(copies: int) -> tuple[list[str | bytes], dict[int, str]]:
    """FAMILY's records again and again under new ids, with an incident, a school's record
    of a pupil, and lines that are refused or bad between them; and the field each bad
    line's reject names, by line number."""
    text: list[str | bytes] = []
    bad: dict[int, str] = {}

    def add(line: str | bytes, field: str | None = None) -> None:
        text.append(line)
        if field is not None:
            bad[len(text)] = field

    for n in range(copies):
        for event in FAMILY:
            add(json.dumps(dict(event, source_id=f"{event['source_id']}-{n}")))
        if n % 7 == 0:
            add("{not json", "(line)")
            add(json.dumps(dict(FAMILY[0], source_id=f"H-sex-{n}", sex="woman")), "sex")
            # Refused (only the council or the school says which school a child attends).
            add(json.dumps(dict(FAMILY[1], source_id=f"H-urn-{n}", school_urn="123456")),
                "(line)")
            add(b"\xff not UTF-8", "(line)")
            add("   ")  # blank: neither read nor rejected
        if n % 11 == 0:
            add(json.dumps(dict(FRIDAY_NIGHT, source_id=f"INC-{n}")))
            add(json.dumps(person("school-123456", f"S-{n}", "Ava", "Shaw", "2016-02-02")))
    return text, bad


def read_whole(text: list[str | bytes], *, workers: int, part_size: int
               ) -> tuple[int, list[Any], list[Any], list[Any], int]:
    """(lines, the batch's lines, the rest, the rejects, parts) of the file, part by part."""
    count, batch, rest, rejects, parts = 0, [], [], [], 0
    for part in read_parts(text, principal=SYSTEM, workers=workers, part_size=part_size):
        count += part.count
        batch += part.lines
        rest += part.rest
        rejects += part.rejects
        parts += 1
    return count, batch, rest, rejects, parts


def as_read(lines: Any) -> list[tuple[Any, ...]]:
    return [(line.number, line.data, line.payload, line.digest, line.ids, line.given_address)
            for line in lines]


def test_lines_read_beside_other_processes_are_the_lines_read_in_this_one() -> None:
    text, bad = a_county_file(copies=100)
    alone = read_whole(text, workers=1, part_size=40)
    count, batch, rest, rejects, parts = read_whole(text, workers=3, part_size=40)
    assert count == alone[0] == len(text) - text.count("   ")
    assert parts == alone[4] == -(-count // 40)
    assert as_read(batch) == as_read(alone[1])
    assert (rest, rejects) == (alone[2], alone[3])
    assert [line.number for line in batch] == sorted(line.number for line in batch)
    assert len(batch) == 100 * len(FAMILY)
    assert {reject.line: reject.field for reject in rejects} == bad
    assert len(rest) == 2 * len(range(0, 100, 11))


def test_a_line_keeps_its_address_and_identifiers_as_given_and_validated() -> None:
    text, _ = a_county_file(copies=3)
    _, batch, _, _, _ = read_whole(text, workers=2, part_size=5)
    jack = next(line for line in batch if line.data.source_id == "H-3-2")
    assert jack.given_address is not None
    assert (jack.given_address.uprn, jack.given_address.line1,
            jack.given_address.postcode) == ("100031234567", "14 Elm Grove", "NN3 6TR")
    assert jack.ids == {"nhs": "9994833782"}
    assert str(jack.data.dob) == "2012-07-01"
    assert jack.data.recorded_at is not None and jack.data.recorded_at.utcoffset() is not None
    assert json.loads(jack.payload)["source_id"] == "H-3-2"


@pytest.mark.parametrize("workers", [1, 2])
def test_a_line_placed_at_an_address_the_store_knows_by_other_text_is_linked_on_that_text(
        factory: sessionmaker[Session], session: Session, ctx: IntakeContext,
        workers: int) -> None:
    potts = {"line1": "41 Potts Street", "town": "Northampton", "postcode": "NN1 3YF",
             "uprn": "100031234568"}
    import_lines(factory, [json.dumps(person("health", "H-1", "Ava", "Shaw", "2016-02-02",
                                             address=potts))], principal=SYSTEM, ctx=ctx)
    known = session.scalar(select(Address.id).where(Address.uprn == "100031234568"))
    text: list[str | bytes] = [json.dumps(person(*fields)) for fields in (
        # The town typed on the first line, then only the UPRN with no postcode: both are
        # the address stored, by other text.
        ("police", "P-1", "Ava", "Shaw", None, None,
         {"line1": "41 Potts Street Northampton", "postcode": "NN1 3YF"}),
        ("education", "E-1", "Ava", "Shaw", "2016-02-02", None,
         {"line1": "41 Potts St", "uprn": "100031234568"}),
        ("police", "P-2", "Liam", "Carter", None, None, AWAY),  # a new address
        ("police", "P-3", "Liam", "Carter", None, None, None),  # none given
    )]
    batch, _ = _read(factory, text, BulkSummary(), principal=SYSTEM, workers=workers,
                     part_size=1)
    assert [line.address.id if line.address else None for line in batch][:2] == [known] * 2
    for line in batch:
        assert line.features == record_features(
            given_name=line.data.given_name, family_name=line.data.family_name,
            dob=line.data.dob, sex=line.data.sex, address=line.address, ids=line.ids)
    assert batch[0].features.address == "41 potts street"
    assert batch[1].features.postcode == "NN13YF"
