"""Finding 3: reviewing possible matches, merging and unmerging are for MASH researchers
only, and the review pages show only what the researcher may otherwise see."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.casework.merges import decide, unmerge
from safeguard.errors import Forbidden
from safeguard.intake.service import IntakeContext
from safeguard.people.models import MatchReview, PersonMerge

from ..app_client import AppClient
from ..conftest import sign_in
from ..people.helpers import add, person

NHS = "9992914173"


def _review(session: Session, ctx: IntakeContext, first: str, second: str) -> int:
    add(session, ctx, person(first, "R-1", "Amy", nhs=NHS), person(second, "R-2", "Zoe", nhs=NHS))
    session.commit()
    review = session.scalar(select(MatchReview))
    assert review is not None
    return int(review.id)


def test_a_practitioner_without_the_researcher_role_cannot_review_merge_or_unmerge(
    client: AppClient, session: Session, ctx: IntakeContext,
    principal: Callable[[str], Principal],
) -> None:
    review_id = _review(session, ctx, "childrens_social_care", "police")
    # A children's social care manager: the right agency, not the role.
    manager = principal("csc.supervisor")
    with pytest.raises(Forbidden):
        decide(session, review_id=review_id, same=True, principal=manager, ctx=ctx)
    merge = decide(session, review_id=review_id, same=True, principal=principal("csc.worker"),
                   ctx=ctx)
    assert merge is not None
    with pytest.raises(Forbidden):
        unmerge(session, merge_id=merge.id, principal=manager)
    session.commit()
    token = sign_in(client, "csc.supervisor")
    assert client.get("/review").status_code == 403
    assert client.get(f"/review/{review_id}").status_code == 403
    assert client.post(f"/review/merges/{merge.id}/undo",
                       data={"csrf_token": token}).status_code == 403
    assert 'href="/review"' not in client.get("/duties").text
    session.expire_all()
    assert session.get_one(PersonMerge, merge.id).undone_at is None


def test_the_review_pages_withhold_records_the_researcher_may_not_otherwise_see(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    review_id = _review(session, ctx, "health", "education")
    sign_in(client, "mash.officer")  # police hold no record of either
    for page in (client.get("/review"), client.get(f"/review/{review_id}")):
        assert page.status_code == 200
        assert "withheld" in page.text
        for secret in ("Amy", "Zoe", "R-1", "R-2", "Acacia", "health record"):
            assert secret not in page.text, secret


def test_the_review_pages_show_records_the_researcher_may_see(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    review_id = _review(session, ctx, "police", "health")
    sign_in(client, "mash.officer")
    detail = client.get(f"/review/{review_id}").text
    # The police's own record (the candidate) is shown; health's new record is withheld.
    assert "Amy Smith" in detail and "police record R-1" in detail
    assert "Zoe" not in detail and "withheld" in detail
