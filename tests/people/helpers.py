"""Person events for the linkage tests."""

from __future__ import annotations

from typing import Any

from splink import DuckDBAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.batch import record_features, scored_pairs
from safeguard.people.linkage.clustering import Pair
from safeguard.people.linkage.levels import identifier_agrees
from safeguard.people.linkage.model import load_model
from safeguard.people.models import PersonLink, PersonRecord

from ..web.test_pages_support import accept

HOME = {"line1": "12 Acacia Road", "town": "Northampton", "postcode": "NN1 1AA"}


def person(source: str, source_id: str, given: str, family: str = "Smith",
           dob: str | None = "2015-02-11", *, sex: str | None = None,
           address: dict[str, str] | None = HOME, **ids: str) -> dict[str, Any]:
    event: dict[str, Any] = {"event": "person", "source": source, "source_id": source_id,
                             "given_name": given, "family_name": family,
                             "recorded_at": "2026-09-03T08:00:00+00:00"}
    if dob:
        event["dob"] = dob
    if sex:
        event["sex"] = sex
    if address:
        event["address"] = address
    if ids:
        event["ids"] = ids
    return event


def add(session: Session, ctx: IntakeContext, *events: dict[str, Any]) -> list[int]:
    """Accept person events; the person id each record was linked to."""
    out = []
    for event in events:
        accepted = accept(session, ctx, event)
        out.append(accepted.person_ids[0])
    session.flush()
    return out


def link_of(session: Session, source_id: str) -> PersonLink:
    found = session.scalar(select(PersonLink).join(
        PersonRecord, PersonRecord.id == PersonLink.record_id)
        .where(PersonRecord.source_id == source_id))
    assert found is not None
    return found


def scored_as_online(rows: list[dict[str, str]]) -> list[Pair]:
    """The batch's scored pairs of these rows, each checked against the online scorer: the
    same probability and weight, and a cannot-link exactly where the guard keeps the pair
    apart."""
    feats = {row["record_id"]: record_features(row) for row in rows}
    model = load_model()
    pairs = scored_pairs(DuckDBAPI(), list(feats), list(feats.values()), model=model)
    for pair in pairs:
        online = model.score(feats[pair.left], feats[pair.right])
        assert abs(online.probability - pair.probability) < 1e-9, pair
        assert abs(online.match_weight - pair.match_weight) < 1e-6, pair
        assert pair.cannot_link == online.held_apart, pair
        assert pair.identified == (identifier_agrees(online.levels) and not online.held_apart)
    return pairs


def partition(clusters: dict[str, int]) -> set[frozenset[str]]:
    """Record id -> cluster number as the set of clusters (numbering aside)."""
    groups: dict[int, set[str]] = {}
    for record_id, number in clusters.items():
        groups.setdefault(number, set()).add(record_id)
    return {frozenset(group) for group in groups.values()}
