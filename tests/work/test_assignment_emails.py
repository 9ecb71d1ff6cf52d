"""Being told of work: whoever is given a duty (a person, or each member of a team) is
emailed that it is theirs, if they chose to be; whoever gave it, or took it themselves, is not."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from safeguard.access.models import User
from safeguard.access.service import Principal
from safeguard.intake.service import IntakeContext
from safeguard.notify.models import Email
from safeguard.work.service import assign_and_tell

from ..web.test_pages_support import record_incident
from .test_assignment import NOW, _team

Who = Callable[[str], Principal]


def _emailed(session: Session) -> list[tuple[str, str]]:
    return sorted((user.username, email.reason) for email, user in session.execute(
        select(Email, User).join(User, User.id == Email.user_id)))


def test_the_person_or_team_given_a_duty_is_emailed_but_not_who_gave_or_claimed_it(
        session: Session, ctx: IntakeContext, principal: Who) -> None:
    duty_id = record_incident(session, ctx)["referral_decision"]
    session.execute(update(User).where(User.agency_id == "childrens_social_care")
                    .values(email="someone@example.org"))
    worker, manager = principal("csc.worker"), principal("csc.supervisor")
    assign_and_tell(session, duty_id=duty_id, by=manager, now=NOW, to_user_id=worker.id)
    assert _emailed(session) == [("csc.worker", "assigned")]
    team = _team(session, "childrens_social_care", "CSC duty team", "csc.worker",
                 "csc.supervisor")
    later = NOW + timedelta(hours=1)
    assign_and_tell(session, duty_id=duty_id, by=manager, now=later, to_team_id=team.id,
                    reason="Sam is on leave")
    # The team's members are told, save the supervisor who gave it to them.
    assert _emailed(session) == [("csc.worker", "assigned"), ("csc.worker", "assigned")]
    assign_and_tell(session, duty_id=duty_id, by=worker, now=later, to_user_id=worker.id)
    assert len(_emailed(session)) == 2
