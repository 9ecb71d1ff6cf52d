"""Which address an address is: the rules by which a new address is recognised among the
known ones (by UPRN, by its normalised first line and postcode, by its postcode)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from safeguard.people.names import address_key, split_postcode


class AddressText(Protocol):
    """An address as given (an event's validated ``events.fields.AddressIn``, or a bulk load's
    line's): what these rules read of it."""

    @property
    def uprn(self) -> str | None: ...
    @property
    def line1(self) -> str: ...
    @property
    def line2(self) -> str | None: ...
    @property
    def town(self) -> str | None: ...
    @property
    def postcode(self) -> str | None: ...


class KnownAddress(AddressText, Protocol):
    """An address the store holds (``people.models.Address``), or one a bulk load has
    placed and will store: what these rules read of it, and the UPRN they may give it."""

    uprn: str | None  # writable: a UPRN given for a known address is kept

    @property
    def match_key(self) -> str: ...


Known = TypeVar("Known", bound=KnownAddress)


@dataclass(slots=True)
class PlacedAddress:
    """An address as a bulk load knows it: one the store holds, or one placed to be stored
    (its id None until ``people.bulk.AddressBook.save``). A plain object, not the mapped
    model: a load places hundreds of thousands, and the model's bookkeeping on each costs
    more than placing it."""

    id: int | None
    uprn: str | None
    line1: str
    line2: str | None
    town: str | None
    postcode: str | None
    match_key: str


def _filed_key(address: AddressText) -> str:
    """The key an address is filed under: its first line read without its own town and
    locality typed at the end, and its postcode."""
    return address_key(address.line1, address.postcode, drop=(address.town, address.line2))


def _postcode_of(address: AddressText) -> str | None:
    """The postcode, or one typed at the end of the first line, as "NN1 3YF"."""
    if address.postcode:
        return address.postcode
    typed = split_postcode(address.line1)[1]
    return f"{typed[:-3]} {typed[-3:]}" if typed else None


def _same_text(a: AddressText, b: AddressText) -> bool:
    return (a.line1, a.line2, a.town, a.postcode) == (b.line1, b.line2, b.town, b.postcode)


def _one_place(found: Sequence[Known], address: AddressText) -> Known | None:
    """Of the stored addresses whose text agrees with one that has no UPRN, the one it is:
    the same text to the letter, else the one without a UPRN, else the only UPRN among
    them. Two UPRNs are two dwellings, and text cannot say which: then none."""
    exact = next((a for a in found if _same_text(a, address)), None)
    if exact is not None:
        return exact
    unnumbered = next((a for a in found if a.uprn is None), None)
    if unnumbered is not None:
        return unnumbered
    return found[0] if len({a.uprn for a in found}) == 1 else None


def alike_at_postcode(address: AddressText, postcode: str, stored: Iterable[Known]
                      ) -> list[Known]:
    """Of the addresses at the postcode, those whose first line agrees with this one once
    either's town or locality typed at its end is left out ("41 Potts Street, Northampton"
    beside "41 Potts Street" in Northampton)."""
    found = []
    for one in stored:
        drop = (address.town, address.line2, one.town, one.line2)
        if address_key(address.line1, postcode, drop=drop) == \
                address_key(one.line1, one.postcode, drop=drop):
            found.append(one)
    return found


def place_address(address: AddressText, *,
                  filed: Callable[[str | None, str], Sequence[Known]],
                  at_postcode: Callable[[str], Iterable[Known]],
                  make: Callable[..., Known]) -> Known:
    """The known address this one is (given a UPRN it has none of, it takes it), or a new
    one not yet stored, made by ``make`` (with the address's fields as keywords).
    ``filed``: the known addresses with the UPRN or filed under the key; ``at_postcode``:
    those at a postcode; each in the order they were stored. The store's
    (:func:`upsert_address`) and a bulk load's own index of them share this."""
    key = _filed_key(address)
    candidates = filed(address.uprn, key)
    postcode = _postcode_of(address)
    if address.uprn:
        found = next((a for a in candidates if a.uprn == address.uprn), None)
        if found is None:
            found = next((a for a in candidates if a.uprn is None), None)
    else:
        found = _one_place(candidates, address) if candidates else None
    if not candidates and postcode is not None:
        alike = alike_at_postcode(address, postcode, at_postcode(postcode))
        if address.uprn:
            found = next((a for a in alike if a.uprn is None), None)
        elif alike:
            found = _one_place(alike, address)
    if found is not None and address.uprn and found.uprn is None:
        found.uprn = address.uprn
    if found is None:
        found = make(
            uprn=address.uprn, line1=address.line1, line2=address.line2, town=address.town,
            postcode=postcode, match_key=key,
        )
    return found
