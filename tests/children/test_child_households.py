"""The child page's households: each address the child is recorded at, current first, with
the dates the child was there and everyone else there — children first — with who knows them,
whether they still live there, and a link only to the people the viewer may see."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.children.service import ChildView, child_view
from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.households import households_of

from ..people.helpers import HOME, add, person
from .households import MILL_LANE, seed_family

TODAY = date(2026, 11, 27)
Who = Callable[[str], Principal]


def view_as(session: Session, who: Principal, person_id: int) -> ChildView:
    return child_view(session, principal=who, person_id=person_id, why="test", on=TODAY)


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """The SQL statements the session sends while the block runs."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    engine = session.connection().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def test_the_current_household_comes_first_with_the_dates_the_child_was_there(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = seed_family(session, ctx)
    view = view_as(session, principal("health.visitor"), ids["amy"])
    now, before = view.households
    assert (now.address.line1, now.current) == (MILL_LANE["line1"], True)
    assert (before.address.line1, before.current) == (HOME["line1"], False)
    assert now.first_seen == now.last_seen == datetime(2026, 10, 1, 8, tzinfo=UTC)
    assert before.first_seen == before.last_seen == datetime(2026, 9, 3, 8, tzinfo=UTC)


def test_other_members_are_listed_children_first_with_who_knows_them_and_whether_they_moved(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = seed_family(session, ctx)
    view = view_as(session, principal("health.visitor"), ids["amy"])
    now, before = view.households
    assert [(m.name, m.age, m.child, m.current, m.agencies) for m in now.members] == [
        ("Leo Smith", 9, True, True, ("education",)),
        ("Robert Brown", 41, False, True, ("police",)),
    ]
    # At the old address Leo is a former member; Jane, recorded nowhere newer, is current.
    assert [(m.name, m.child, m.current, m.agencies) for m in before.members] == [
        ("Leo Smith", True, False, ("education",)),
        ("Jane Smith", False, True, ("health",)),
    ]
    assert ids["amy"] not in {m.person.id for h in view.households for m in h.members}


def test_only_people_the_viewer_may_see_are_marked_to_be_linked(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = seed_family(session, ctx)
    health = view_as(session, principal("health.visitor"), ids["amy"])
    visible = {m.person.id: m.visible for h in health.households for m in h.members}
    # Health holds Jane's record, not Leo's (the school's) or Bob's (the police's).
    assert visible == {ids["leo"]: False, ids["bob"]: False, ids["jane"]: True}
    police = view_as(session, principal("mash.officer"), ids["bob"])
    assert {m.person.id: m.visible for h in police.households for m in h.members} == {
        ids["amy"]: False, ids["leo"]: False}


def test_everyone_shown_in_a_household_is_audited_as_read(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    ids = seed_family(session, ctx)
    child_view(session, principal=principal("health.visitor"), person_id=ids["amy"],
               why="viewed the child page", on=TODAY)
    session.flush()
    reads = session.execute(select(AuditEntry.person_id, AuditEntry.why, AuditEntry.actor)
                            .where(AuditEntry.action == "read")).all()
    listed = f"listed in the household of person {ids['amy']}"
    assert sorted(reads) == sorted([
        (ids["amy"], "viewed the child page", "user:health.visitor"),
        *((ids[name], listed, "user:health.visitor") for name in ("jane", "leo", "bob"))])


def test_a_child_with_no_address_has_no_household(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    (zed,) = add(session, ctx, person("health", "H-5", "Zed", dob="2019-01-01", address=None))
    view = view_as(session, principal("health.visitor"), zed)
    assert view.households == []


def test_households_are_read_in_the_same_few_queries_however_many_people_live_there(
    session: Session, ctx: IntakeContext,
) -> None:
    ids = seed_family(session, ctx)
    session.expunge_all()
    with statements(session) as few:
        households_of(session, person_id=ids["amy"])
    add(session, ctx, *(person("education", f"E-{n}", given, dob=f"201{n}-03-0{n}")
                        for n, given in enumerate(["Ava", "Ben", "Cal", "Dot", "Eve"], 4)))
    session.expunge_all()
    with statements(session) as many:
        (_, old) = households_of(session, person_id=ids["amy"])
    assert len(old.members) == 3 + 5
    assert len(many) == len(few) <= 5
