"""What rules produce: drafts of duties, turned into rows by the duties area."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class DutyDraft:
    kind: str
    owner_agency_id: str
    # None only for a duty about an event rather than a person (an incident that records
    # nobody still needs its data-quality task).
    subject_person_id: int | None
    due_at: datetime
    reason: str
    rule_name: str
    rule_version: str
    owner_role: str | None = None
    partner_agency_id: str | None = None
    # For a share: the facts the recipient needs, no more (data minimisation).
    share_content: dict[str, object] = field(default_factory=dict)
    share_purpose: str | None = None
    # Agencies taking part besides the owner (a strategy discussion's police and health), and
    # the facts that raised the duty, each one plain-English line.
    participants: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
