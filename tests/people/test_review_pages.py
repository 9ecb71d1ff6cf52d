"""The review queue's pages: reviewers only, CSRF on every decision, audited."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.audit.models import AuditEntry
from safeguard.intake.service import IntakeContext
from safeguard.people.models import MatchReview, PersonMerge

from ..app_client import AppClient
from ..conftest import sign_in
from .helpers import add, person


def _queue(session: Session, ctx: IntakeContext) -> int:
    # Police records both: a police researcher may see each (others are withheld; see
    # tests/security/test_review_by_mash_researchers.py).
    add(session, ctx, person("police", "P-1", "Amy", nhs="9992914173"),
        person("police", "P-2", "Zoe", nhs="9992914173"))
    session.commit()
    review = session.scalar(select(MatchReview))
    assert review is not None
    return review.id


def test_a_police_researcher_merges_and_undoes_from_the_queue(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    review_id = _queue(session, ctx)
    token = sign_in(client, "mash.officer")
    queue = client.get("/review").text
    assert "Possible matches to review" in queue and f'href="/review/{review_id}"' in queue
    detail = client.get(f"/review/{review_id}").text
    assert "Is Zoe Smith the same person as Amy Smith?" in detail
    assert client.post(f"/review/{review_id}", data={"decision": "same"}).status_code == 403
    done = client.post(f"/review/{review_id}", data={"decision": "same", "csrf_token": token},
                       follow_redirects=False)
    assert done.status_code == 303
    merge = session.scalar(select(PersonMerge))
    assert merge is not None
    assert "Undo merge" in client.get("/review").text
    undone = client.post(f"/review/merges/{merge.id}/undo", data={"csrf_token": token},
                         follow_redirects=False)
    assert undone.status_code == 303
    session.expire_all()
    assert session.get_one(PersonMerge, merge.id).undone_at is not None
    actions = set(session.scalars(select(AuditEntry.action)
                                  .where(AuditEntry.actor == "user:mash.officer")))
    assert {"read", "decide", "merge", "unmerge"} <= actions


def test_health_may_not_see_the_review_queue(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    review_id = _queue(session, ctx)
    sign_in(client, "health.visitor")
    assert client.get("/review").status_code == 403
    assert client.get(f"/review/{review_id}").status_code == 403
