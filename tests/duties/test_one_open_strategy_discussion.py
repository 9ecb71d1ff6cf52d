"""A child has one strategy discussion at a time, and the database holds to it: a second
open one is refused even when two transactions at once each found none, and the concern that
lost the race is still kept, its evidence added to the discussion that was raised first."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from safeguard.access.service import Principal, ensure_core_agencies
from safeguard.casework.merges import decide
from safeguard.casework.service import discharge
from safeguard.concerns.models import Concern
from safeguard.config import Settings
from safeguard.db import make_engine, make_session_factory, transaction
from safeguard.duties.models import BREACHED, Duty, DutyTransition
from safeguard.duties.service import create_duties
from safeguard.errors import Conflict
from safeguard.intake import joint
from safeguard.intake.service import Accepted, IntakeContext, build_context
from safeguard.people.models import MatchReview, PersonRecord
from safeguard.rules.drafts import DutyDraft

from ..concerns.test_concern_intake import concern
from ..factories import migrated_store
from ..people.helpers import add, person
from ..web.test_pages_support import FRIDAY_NIGHT, accept, person_id, seed_household

RULES = build_context(Settings())
STRATEGY_DISCUSSION = "strategy_discussion"

Who = Callable[[str], Principal]


def _draft(child: int, rule: str = "test-discussion") -> DutyDraft:
    return DutyDraft(kind=STRATEGY_DISCUSSION, owner_agency_id="childrens_social_care",
                     subject_person_id=child, due_at=FRIDAY_NIGHT + timedelta(days=3),
                     reason="test", rule_name=rule, rule_version="1",
                     evidence=(f"raised by {rule}",))


def _raise(session: Session, child: int, rule: str) -> list[int]:
    event_id = session.scalars(select(PersonRecord.event_id)
                               .where(PersonRecord.person_id == child)).first()
    assert event_id is not None
    with session.begin_nested():
        created = create_duties(session, drafts=[_draft(child, rule)], event_id=event_id,
                                now=FRIDAY_NIGHT, actor="test")
    return [duty.id for duty in created]


def _discussions(session: Session, child: int) -> list[Duty]:
    return list(session.scalars(select(Duty).where(
        Duty.subject_person_id == child, Duty.kind == STRATEGY_DISCUSSION)
        .order_by(Duty.id).execution_options(populate_existing=True)))


def test_the_database_refuses_a_second_open_strategy_discussion_for_one_child(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    seed_household(session, ctx)
    mia, leo = person_id(session, "E-88"), person_id(session, "E-91")
    [first] = _raise(session, mia, "first")
    with pytest.raises(IntegrityError):
        _raise(session, mia, "second")
    # Another child may have one of their own.
    assert len(_raise(session, leo, "leo")) == 1
    # A breached discussion is still to be held: still the child's one open discussion.
    session.execute(update(Duty).where(Duty.id == first).values(status=BREACHED))
    with pytest.raises(IntegrityError):
        _raise(session, mia, "third")
    # Once it has been held, the next concern may raise another.
    discharge(session, ctx=RULES, duty_id=first, principal=principal("csc.worker"),
              now=FRIDAY_NIGHT + timedelta(days=1), outcome="no_further_action")
    assert len(_raise(session, mia, "after")) == 1
    assert [d.status for d in _discussions(session, mia)] == ["discharged", "open"]


def _after_the_rules_look(monkeypatch: pytest.MonkeyPatch, meanwhile: Callable[[], object]
                          ) -> None:
    """Run `meanwhile` (another transaction's write) just after intake's joint rules have
    read the child's duties and before it writes: what two writers on PostgreSQL can do."""
    joint_facts = joint.joint_facts

    def then(*args: Any, **kwargs: Any) -> Any:
        found = joint_facts(*args, **kwargs)
        meanwhile()
        return found

    monkeypatch.setattr(joint, "joint_facts", then)


def _mia_after_schools_concern(session: Session, ctx: IntakeContext) -> int:
    """The household seeded and the school's concern about Mia recorded; Mia's person id."""
    seed_household(session, ctx)
    accept(session, ctx, concern("education", "E-C-1"))
    return person_id(session, "E-88")


def test_a_concern_racing_another_is_kept_and_adds_to_its_discussion_instead_of_a_second(
    session: Session, ctx: IntakeContext, monkeypatch: pytest.MonkeyPatch,
) -> None:
    mia = _mia_after_schools_concern(session, ctx)
    # The rules find no discussion; another transaction raises one before this one writes.
    _after_the_rules_look(monkeypatch, lambda: _raise(session, mia, "other-transaction"))
    late = accept(session, ctx, concern("health", "HV-2", 3))
    assert late.outcome == "new" and late.duty_ids == []
    assert session.get_one(Concern, late.concern_id).person_id == mia
    [discussion] = _discussions(session, mia)
    assert discussion.rule_name == "other-transaction"
    assert discussion.evidence is not None and len(discussion.evidence) == 3
    assert "HV-2" in discussion.evidence[1] and "E-C-1" in discussion.evidence[1]
    added = session.scalars(select(DutyTransition).where(
        DutyTransition.duty_id == discussion.id,
        DutyTransition.action == "evidence_added")).one()
    assert added.note is not None and "HV-2" in added.note


def test_a_concern_arriving_as_the_open_discussion_is_held_raises_a_new_one(
    session: Session, ctx: IntakeContext, monkeypatch: pytest.MonkeyPatch,
) -> None:
    mia = _mia_after_schools_concern(session, ctx)
    [held] = accept(session, ctx, concern("health", "HV-2", 3)).duty_ids
    # The rules see the discussion open; another transaction records its outcome before this
    # one adds to it.
    _after_the_rules_look(monkeypatch, lambda: session.execute(
        update(Duty).where(Duty.id == held).values(
            status="discharged", discharged_at=FRIDAY_NIGHT + timedelta(days=4),
            outcome="no_further_action")))
    third = accept(session, ctx, concern("probation", "P-3", 4))
    [raised] = third.duty_ids
    before, discussion = _discussions(session, mia)
    assert (before.id, before.status) == (held, "discharged")
    assert discussion.id == raised and discussion.status == "open"
    assert discussion.evidence is not None and any("P-3" in line for line in discussion.evidence)


def test_a_further_concern_adds_its_evidence_to_the_open_strategy_discussion(
    session: Session, ctx: IntakeContext,
) -> None:
    mia = _mia_after_schools_concern(session, ctx)
    [raised] = accept(session, ctx, concern("health", "HV-2", 3)).duty_ids
    before = list(session.get_one(Duty, raised).evidence or [])
    third = accept(session, ctx, concern("probation", "P-3", 4))
    assert third.duty_ids == []
    [discussion] = _discussions(session, mia)
    assert discussion.id == raised and discussion.evidence is not None
    assert discussion.evidence[:len(before)] == before
    assert any("P-3" in line for line in discussion.evidence[len(before):])
    history = session.scalars(select(DutyTransition.action).where(
        DutyTransition.duty_id == raised).order_by(DutyTransition.id)).all()
    assert history == ["created", "evidence_added"]


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[Engine]:
    engine = make_engine(migrated_store("postgresql", tmp_path, "discussion"))
    yield engine
    engine.dispose()


def _blocked_on_duties(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.scalar(text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO duties%'")))


def test_two_concerns_committed_at_once_on_postgresql_raise_one_discussion_and_keep_both(
    postgres: Engine,
) -> None:
    factory = make_session_factory(postgres)
    ctx = build_context(Settings(database_url=postgres.url.render_as_string(False)))
    with transaction(factory) as session:
        ensure_core_agencies(session)
        seed_household(session, ctx)
        accept(session, ctx, concern("education", "E-C-1"))
    # Health's concern raises the discussion but has not committed when probation's arrives:
    # probation's rules see none, and its insert waits on health's row.
    first = factory()
    raised = accept(first, ctx, concern("health", "HV-2", 3))
    late: list[Accepted] = []

    def probation() -> None:
        with transaction(factory) as second:
            late.append(accept(second, ctx, concern("probation", "P-3", 4)))

    racing = threading.Thread(target=probation)
    racing.start()
    deadline = time.monotonic() + 20
    while not _blocked_on_duties(postgres) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _blocked_on_duties(postgres), "probation's insert never waited on health's"
    first.commit()
    first.close()
    racing.join(30)
    with transaction(factory) as session:
        mia = person_id(session, "E-88")
        [discussion] = _discussions(session, mia)
        kept = session.scalars(select(Concern.agency_id).order_by(Concern.id)).all()
    assert late and late[0].outcome == "new" and late[0].duty_ids == []
    assert discussion.id == raised.duty_ids[0]
    assert kept == ["education", "health", "probation"]
    assert discussion.evidence is not None
    assert any("P-3" in line for line in discussion.evidence)


def test_two_people_each_with_an_open_strategy_discussion_are_merged_only_once_one_is_held(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    amy, zoe = add(session, ctx, person("health", "H-1", "Amy", nhs="9992914173"),
                   person("education", "E-1", "Zoe", nhs="9992914173"))
    [amys] = _raise(session, amy, "amy")
    _raise(session, zoe, "zoe")
    review = session.scalars(select(MatchReview)).one()
    with pytest.raises(Conflict, match="open strategy discussion"), session.begin_nested():
        decide(session, review_id=review.id, same=True, principal=principal("csc.worker"),
               ctx=RULES, now=FRIDAY_NIGHT + timedelta(days=1))
    discharge(session, ctx=RULES, duty_id=amys, principal=principal("csc.worker"),
              now=FRIDAY_NIGHT + timedelta(days=1), outcome="early_help")
    merge = decide(session, review_id=review.id, same=True, principal=principal("csc.worker"),
                   ctx=RULES, now=FRIDAY_NIGHT + timedelta(days=2))
    assert merge is not None
    assert [d.status for d in _discussions(session, merge.survivor_id)] == ["discharged", "open"]
