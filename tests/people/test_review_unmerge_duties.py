"""After an unmerge, duties raised while two people were merged follow the person whose
record they concern: a conference after a strategy discussion about the split-off child goes
with her, a duty about one of her events goes with her, and the rest stay."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.models import AuditEntry
from safeguard.casework.merges import decide, unmerge
from safeguard.casework.service import discharge
from safeguard.config import Settings
from safeguard.duties.models import Duty
from safeguard.duties.service import create_duties
from safeguard.intake.service import IntakeContext
from safeguard.people.models import MatchReview, PersonRecord
from safeguard.rules.context import build_context
from safeguard.rules.drafts import DutyDraft

from ..web.test_pages_support import FRIDAY_NIGHT, accept
from .helpers import add, person

RULES = build_context(Settings())

NHS = "9992914173"
Who = Callable[[str], Principal]


def concern_about(given: str, source: str, source_id: str, days_before: int
                  ) -> dict[str, Any]:
    return {"event": "concern", "source": source, "source_id": source_id,
            "kind": "physical_injury",
            "occurred_at": (FRIDAY_NIGHT - timedelta(days=days_before)).isoformat(),
            "summary": "Bruising on her arm.", "raised_by": "Jo Clarke",
            "child": {"given_name": given, "family_name": "Smith", "dob": "2015-02-11"}}


def _merged(session: Session, ctx: IntakeContext, who: Who) -> tuple[int, int, int, int]:
    """Amy and Zoe (wrongly) merged after two agencies' concerns about Zoe raised a strategy
    discussion: (amy, zoe, the strategy discussion, the merge)."""
    amy, zoe = add(session, ctx, person("health", "H-1", "Amy", nhs=NHS),
                   person("education", "E-1", "Zoe", nhs=NHS))
    accept(session, ctx, concern_about("Zoe", "education", "E-C-1", 9))
    raised = accept(session, ctx, concern_about("Zoe", "health", "HV-2", 8))
    (discussion,) = raised.duty_ids
    assert session.get_one(Duty, discussion).subject_person_id == zoe
    review = session.scalars(select(MatchReview)).one()
    merge = decide(session, ctx=RULES, review_id=review.id, same=True, principal=who("csc.worker"),
                   now=FRIDAY_NIGHT + timedelta(days=1))
    assert merge is not None and (merge.survivor_id, merge.merged_id) == (amy, zoe)
    return amy, zoe, discussion, merge.id


def test_a_conference_raised_during_a_merge_follows_its_discussion_back_to_the_split_off_child(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    amy, zoe, discussion, merge_id = _merged(session, ctx, principal)
    # While merged, the section 47 outcome raises a conference about the merged person.
    discharge(session, ctx=RULES, duty_id=discussion, principal=principal("csc.worker"),
              now=FRIDAY_NIGHT + timedelta(days=4), outcome="section_47", note="Threshold met.")
    conference = session.scalars(select(Duty).where(Duty.parent_duty_id == discussion)).one()
    assert conference.subject_person_id == amy

    unmerge(session, merge_id=merge_id, principal=principal("csc.worker"),
            now=FRIDAY_NIGHT + timedelta(days=5))
    session.refresh(conference)
    assert session.get_one(Duty, discussion).subject_person_id == zoe
    assert conference.subject_person_id == zoe
    moved = session.scalars(select(AuditEntry).where(AuditEntry.entity == "duty",
                                                     AuditEntry.action == "unmerge")).one()
    assert (moved.entity_id, moved.person_id) == (str(conference.id), zoe)


def _raise(session: Session, *, event_id: int, about: int, rule: str) -> Duty:
    """A duty raised while merged, with no parent duty: only its event says whose it is (a
    referral decision: the child already has their one open strategy discussion)."""
    draft = DutyDraft(kind="referral_decision", owner_agency_id="childrens_social_care",
                      subject_person_id=about, due_at=FRIDAY_NIGHT + timedelta(days=6),
                      reason="test", rule_name=rule, rule_version="1")
    (created,) = create_duties(session, drafts=[draft], event_id=event_id,
                               now=FRIDAY_NIGHT + timedelta(days=2), actor="test")
    return session.get_one(Duty, created.id)


def test_a_duty_raised_while_merged_follows_the_records_of_its_event(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    amy, zoe, _, merge_id = _merged(session, ctx, principal)
    zoes_event = session.scalar(select(PersonRecord.event_id)
                                .where(PersonRecord.source_id == "E-C-1"))
    assert zoes_event is not None
    # A concern arriving while merged is linked to the merged person, and its record stays
    # where matching put it: moving it is for a human, not for the unmerge to guess.
    later = accept(session, ctx, concern_about("Zoe", "probation", "P-C-3", 7),
                   now=FRIDAY_NIGHT + timedelta(days=2))
    about_zoe = _raise(session, event_id=zoes_event, about=amy, rule="test-a")
    about_later = _raise(session, event_id=later.event_id, about=amy, rule="test-b")
    unmerge(session, merge_id=merge_id, principal=principal("csc.worker"),
            now=FRIDAY_NIGHT + timedelta(days=5))
    session.refresh(about_zoe)
    session.refresh(about_later)
    assert about_zoe.subject_person_id == zoe
    assert about_later.subject_person_id == amy
    assert session.scalar(select(PersonRecord.person_id)
                          .where(PersonRecord.event_id == later.event_id)) == amy


def test_duties_raised_before_the_merge_about_the_survivor_stay_with_the_survivor(
    session: Session, ctx: IntakeContext, principal: Who,
) -> None:
    amy, zoe = add(session, ctx, person("health", "H-1", "Amy", nhs=NHS),
                   person("education", "E-1", "Zoe", nhs=NHS))
    accept(session, ctx, concern_about("Amy", "education", "E-C-1", 9))
    raised = accept(session, ctx, concern_about("Amy", "health", "HV-2", 8))
    (amys,) = raised.duty_ids
    review = session.scalars(select(MatchReview)).one()
    merge = decide(session, review_id=review.id, same=True, principal=principal("csc.worker"),
                   ctx=RULES, now=FRIDAY_NIGHT + timedelta(days=1))
    assert merge is not None
    unmerge(session, merge_id=merge.id, principal=principal("csc.worker"),
            now=FRIDAY_NIGHT + timedelta(days=5))
    assert session.get_one(Duty, amys).subject_person_id == amy
