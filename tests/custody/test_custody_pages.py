"""The custody board and a detention's page, through the app: who sees them, the filters,
the htmx partial, the certificate's wording and the child's chronology."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.custody.models import Detention
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import IntakeContext, accept_event

from ..app_client import AppClient
from ..conftest import Clock, sign_in


def _events(now_iso: Callable[[float], str]) -> list[dict[str, Any]]:
    def detained(ref: str, name: str, dob: str, suite: str) -> dict[str, Any]:
        return {"event": "custody_detention", "source": "police", "source_id": ref,
                "detainee": {"given_name": name, "family_name": "Vale", "dob": dob},
                "arrived_at": now_iso(-6), "detention_authorised_at": now_iso(-5.9),
                "custody_suite": suite, "offence": "theft"}

    def step(ref: str, n: int, name: str, hours: float, **extra: Any) -> dict[str, Any]:
        return {"event": "custody_update", "source": "police", "source_id": f"{ref}-{n}",
                "detention": ref, "step": name, "at": now_iso(hours), **extra}

    return [
        detained("CR-P1", "Noah", "2011-01-01", "Northgate custody suite"),
        detained("CR-P2", "Ella", "2010-02-02", "Riverside custody suite"),
        detained("CR-P3", "Grant", "1985-03-03", "Northgate custody suite"),
        step("CR-P1", 1, "charged", -3), step("CR-P1", 2, "bail_refused", -2.9),
        step("CR-P1", 3, "transfer_requested", -2.5, accommodation="non_secure"),
        step("CR-P1", 4, "certificate", -1, reason="impracticable",
             explanation="No driver could reach the placement in the snow."),
    ]


def _load(session: Session, ctx: IntakeContext, police: Principal, clock: Clock) -> None:
    def at(hours: float) -> str:
        return (clock.now + timedelta(hours=hours)).isoformat()
    for event in _events(at):
        accept_event(session, data=EVENT_ADAPTER.validate_python(event), raw=event, via="api",
                     principal=police, ctx=ctx, now=clock.now)
    session.commit()


def _detention(session: Session, ref: str) -> int:
    return session.scalars(select(Detention.id).where(Detention.reference == ref)).one()


def test_the_board_lists_children_in_custody_for_the_council_but_not_for_health(
        client: AppClient, session: Session, ctx: IntakeContext,
        principal: Callable[[str], Principal], clock: Clock) -> None:
    _load(session, ctx, principal("mash.officer"), clock)
    sign_in(client, "health.visitor")
    assert client.get("/custody").status_code == 403
    assert client.get("/api/v1/custody/board").status_code == 403
    assert client.get(f"/custody/{_detention(session, 'CR-P1')}").status_code == 403
    sign_in(client, "csc.worker")  # the council's out-of-hours team
    page = client.get("/custody").text
    assert "Noah Vale" in page and "Ella Vale" in page
    assert "Grant Vale" not in page  # an adult is never on the board
    assert "2 children in custody" in page and "5.9" in page and "3.0" in page
    assert "Transfer requested" in page
    figures = dict(re.findall(r'<dt class="govuk-summary-list__key">\s*(.*?)\s*</dt>\s*'
                              r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', page))
    assert figures["Children detained"] == "2" and figures["Refused bail after charge"] == "1"
    assert figures["Kept in custody on a certificate (PACE s38(6))"] == "1"
    assert figures["Council asked for accommodation within the hour"] == "1 of 1"
    north = client.get("/custody", params={"suite": "Northgate custody suite"}).text
    assert "Noah Vale" in north and "Ella Vale" not in north
    refused = client.get("/custody", params={"stage": "bail_refused"}).text
    assert "Noah Vale" in refused and "Ella Vale" not in refused
    partial = client.get("/custody", headers={"HX-Request": "true"}).text
    assert partial.lstrip().startswith("<div id=\"custody-results\"") and "<html" not in partial
    assert 'hx-trigger="every 60s"' in partial
    # The council never sees an adult's detention.
    assert client.get(f"/custody/{_detention(session, 'CR-P3')}").status_code == 404
    # The child's chronology and the inbox count down the transfer request.
    detention = session.get_one(Detention, _detention(session, "CR-P1"))
    child = client.get(f"/children/{detention.person_id}").text
    assert "Police custody: Northgate custody suite" in child
    assert "Answer overdue by 30 minutes" in child
    inbox = client.get("/inbox").text
    assert "Request for local authority accommodation" in inbox and "overdue by" in inbox


def test_the_detention_page_shows_the_certificate_and_every_step(
        client: AppClient, session: Session, ctx: IntakeContext,
        principal: Callable[[str], Principal], clock: Clock) -> None:
    _load(session, ctx, principal("mash.officer"), clock)
    sign_in(client, "mash.officer")
    page = client.get(f"/custody/{_detention(session, 'CR-P1')}").text
    assert "I certify that it was" in page and "impracticable to move Noah Vale" in page
    assert "No driver could reach the placement in the snow." in page
    for words in ("Charged", "Bail refused", "Local authority accommodation requested",
                  "moj-timeline", "Move the child, or certify why not"):
        assert words in page
    adult = client.get(f"/custody/{_detention(session, 'CR-P3')}").text
    assert "Adult: no child duties" in adult
    listed = client.get("/api/v1/custody/board", params={"suite": "Northgate custody suite"})
    [noah] = listed.json()
    assert (noah["child"], noah["stage"], noah["hours_since_charge"]) == (
        "Noah Vale", "Transfer requested", 3.0)
    # The parent was never told: the oldest clock is what is due next.
    assert noah["due_next_kind"] == "custody_inform_parent" and noah["overdue"]


def test_a_step_recorded_on_the_page_runs_as_by_api_and_one_out_of_order_is_refused(
        client: AppClient, session: Session, ctx: IntakeContext,
        principal: Callable[[str], Principal], clock: Clock) -> None:
    _load(session, ctx, principal("mash.officer"), clock)
    ella = _detention(session, "CR-P2")
    token = sign_in(client, "mash.officer")
    refused = client.post(f"/custody/{ella}/steps", data={
        "csrf_token": token, "step": "transfer_requested", "accommodation": "secure"})
    assert refused.status_code == 422
    assert "Transfer_requested needs bail refused first" in refused.text
    missing = client.post(f"/custody/{ella}/steps", data={"csrf_token": token,
                                                         "step": "review"})
    assert missing.status_code == 422 and "needs inspector" in missing.text
    done = client.post(f"/custody/{ella}/steps", data={
        "csrf_token": token, "step": "review", "inspector": "Insp. Doyle"},
        follow_redirects=False)
    assert done.status_code == 303
    page = client.get(done.headers["location"]).text
    assert "Step recorded: Detention reviewed (PACE s40)" in page and "Insp. Doyle" in page
    stored = session.get_one(Detention, ella)
    session.refresh(stored)
    assert stored.next_review_due_at == clock.now + timedelta(hours=9)
    # The council records only its answer, and only once a transfer is asked for.
    token = sign_in(client, "csc.worker")
    assert client.post(f"/custody/{ella}/steps", data={
        "csrf_token": token, "step": "charged"}).status_code == 422
