"""The duties pages: the agency's list with filters, one duty, and discharging it."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.models import User
from safeguard.access.service import SYSTEM, principal_for_user
from safeguard.accounts.teams import add_member, create_team
from safeguard.duties.assignment import assign_duty
from safeguard.duties.service import mark_breaches
from safeguard.intake.service import IntakeContext
from safeguard.sharing.models import SAFEGUARDING_BASIS

from ..app_client import AppClient
from ..conftest import Clock, csrf_from, sign_in
from .test_pages_support import record_incident

# Monday 30 Nov 2026, noon: the share (due Sat 23:55) and the Encompass notice (due Mon 08:30)
# are overdue; the referral decision (due Mon 23:55) is not.
MONDAY_NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def titles(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/duties/\d+">([^<]+)</a>', html)


def test_it_lists_the_agencys_duties_by_due_time_with_counts(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "mash.officer")
    html = client.get("/duties").text
    assert "3 duties, 0 overdue" in html
    assert titles(html) == ["Child-at-risk notification to children&#39;s social care",
                            "Operation Encompass notice to school", "Decision on referral"]
    assert f'href="/children/{ids["mia"]}">Mia Jones</a>' in html
    assert "due in 24 hours" in html and "child-at-risk-notification v1" in html
    assert "Children’s social care" in html and "Hillside Primary School" in html
    # The filter form works without JavaScript, and with htmx swaps only the results.
    assert 'hx-get="/duties" hx-target="#duty-results" hx-push-url="true"' in html
    assert '<button type="submit"' in html


def test_it_narrows_the_list_with_bookmarkable_filters(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    record_incident(session, ctx)
    sign_in(client, "mash.officer")
    assert titles(client.get("/duties?kind=encompass_notice").text) == [
        "Operation Encompass notice to school"]
    assert "No duties match these filters." in client.get("/duties?status=discharged").text
    assert "0 duties, 0 overdue" in client.get("/duties?overdue=1").text

    clock.now = MONDAY_NOON
    overdue = client.get("/duties?status=undischarged&kind=&overdue=1").text
    assert "2 duties, 2 overdue" in overdue
    assert "overdue by 36 hours" in overdue and "overdue by 3 hours" in overdue
    # Flagged in words, not colour alone.
    assert overdue.count('data-overdue="true"') == 4  # two rows, two status tags
    assert overdue.count(">Overdue</strong>") == 2
    assert 'value="1" checked' in overdue  # the form shows the filters in force


def test_it_serves_htmx_only_the_results_fragment(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    record_incident(session, ctx)
    sign_in(client, "mash.officer")
    response = client.get("/duties?kind=share_with_csc", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text and "<h1" not in response.text
    assert '<table class="govuk-table' in response.text
    assert '<div id="duty-status" hx-swap-oob="innerHTML">1 duty, 0 overdue</div>' \
        in response.text
    # A history restore gets the whole page.
    restore = client.get("/duties", headers={"HX-Request": "true",
                                             "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_it_shows_a_duty_with_its_reason_share_and_history(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "mash.officer")
    html = client.get(f"/duties/{ids['share_with_csc']}").text
    assert "Rule child-at-risk-notification v1" in html
    assert "not listed by the officer" in html
    assert "What was shared" in html and "Police reference" in html
    assert SAFEGUARDING_BASIS.replace("&", "&amp;") in html
    assert "Not yet acknowledged" in html
    assert 'class="moj-timeline"' in html and "Duty raised" in html
    assert f'href="/incidents/{ids["incident"]}">INC-20261127-2240</a>' in html
    # Only children's social care acknowledge a share with them: no form for the police.
    assert "/discharge" not in html


def test_it_lets_childrens_social_care_acknowledge_a_share_and_decide_a_referral(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    token = sign_in(client, "csc.worker")
    share = client.get(f"/duties/{ids['share_with_csc']}").text
    # The police own the notification; the page says social care's acknowledgement ends it.
    assert ("Northamptonshire Police (synthetic) owns this duty; Children&#39;s Social Care "
            "(MASH) discharges it by acknowledging it (“Acknowledge notification”).") in share
    assert ">\n  Acknowledge notification\n</button>" in share or \
        "Acknowledge notification</button>" in share.replace("\n", "").replace("  ", "")
    done = client.post(f"/duties/{ids['share_with_csc']}/discharge",
                       data={"csrf_token": token, "note": "Read by the MASH."},
                       follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"/duties/{ids['share_with_csc']}?done=1"
    page = client.get(done.headers["location"]).text
    assert "govuk-notification-banner--success" in page
    assert "by Sam Okafor, Children" in page and "Read by the MASH." in page
    assert "user:csc.worker" not in page
    assert "Not yet acknowledged" not in page and "/discharge" not in page

    decision = f"/duties/{ids['referral_decision']}/discharge"
    missing = client.post(decision, data={"csrf_token": token, "note": "Spoke to school."})
    assert missing.status_code == 422
    assert 'href="#outcome"' in missing.text and "Select the decision" in missing.text
    assert 'id="outcome-error"' in missing.text and "Spoke to school." in missing.text
    assert client.post(decision, data={"csrf_token": token,
                                       "outcome": "social_work_assessment"},
                       follow_redirects=False).status_code == 303
    html = client.get(f"/duties/{ids['referral_decision']}").text
    assert "Social work assessment" in html and 'data-duty-status="discharged"' in html
    assert "2 duties, 0 overdue" in client.get("/duties?status=discharged").text


def test_it_refuses_a_discharge_without_its_csrf_token_or_by_the_wrong_agency(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    token = sign_in(client, "mash.officer")
    path = f"/duties/{ids['share_with_csc']}/discharge"
    assert client.post(path, data={"note": "x"}).status_code == 403
    assert client.post(path, data={"csrf_token": token}).status_code == 403
    sign_in(client, "health.visitor")
    assert client.get(f"/duties/{ids['share_with_csc']}").status_code == 404


def test_it_shows_supervisors_the_escalations_of_breached_duties(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    record_incident(session, ctx)
    clock.now = MONDAY_NOON
    mark_breaches(session, now=MONDAY_NOON)
    session.commit()
    sign_in(client, "police.supervisor")
    html = client.get("/duties").text
    assert "2 escalations for Northamptonshire Police (synthetic) supervisors" in html
    assert 'data-duty-status="breached"' in html
    sign_in(client, "mash.officer")
    assert "escalation" not in client.get("/duties").text


def test_a_supervisor_marks_escalations_seen_and_the_banner_clears(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    record_incident(session, ctx)
    clock.now = MONDAY_NOON
    mark_breaches(session, now=MONDAY_NOON)
    session.commit()
    token = sign_in(client, "police.supervisor")
    html = client.get("/duties").text
    ids = re.findall(r'name="notification_id" value="(\d+)"', html)
    assert len(ids) == 2
    response = client.post("/duties/escalations/seen", follow_redirects=False,
                           data={"csrf_token": token, "notification_id": ids})
    assert response.status_code == 303
    assert "escalations for" not in client.get("/duties").text
    # Still breached: seeing an escalation does not discharge the duty.
    assert 'data-duty-status="breached"' in client.get("/duties").text


def test_it_names_each_duty_s_holder_and_filters_by_me_my_teams_or_nobody(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    supervisor = principal_for_user(session, user=session.scalars(
        select(User).where(User.username == "csc.supervisor")).one())
    team = create_team(session, principal=SYSTEM, agency_id="childrens_social_care",
                       name="Front door", now=MONDAY_NOON)
    worker = session.scalars(select(User).where(User.username == "csc.worker")).one()
    add_member(session, principal=SYSTEM, team_id=team.id, user_id=worker.id, now=MONDAY_NOON)
    assign_duty(session, duty_id=ids["referral_decision"], by=supervisor, now=MONDAY_NOON,
                to_team_id=team.id)
    session.commit()
    sign_in(client, "csc.worker")

    def held(path: str) -> list[tuple[str, str]]:
        html = client.get(path).text
        return re.findall(r'href="/duties/\d+">([^<]+)</a>.*?data-holder>\s*(?:<span[^>]*>)?'
                          r'([^<]+?)\s*<', html, re.S)

    assert held("/duties") == [
        ("Child-at-risk notification to children&#39;s social care", "Not held"),
        ("Decision on referral", "Team: Front door")]
    assert held("/duties?held=teams") == [("Decision on referral", "Team: Front door")]
    assert held("/duties?held=nobody") == [
        ("Child-at-risk notification to children&#39;s social care", "Not held")]
    assert held("/duties?held=me") == []
    page = client.get(f"/duties/{ids['referral_decision']}").text
    client.post(f"/duties/{ids['referral_decision']}/claim",
                data={"csrf_token": csrf_from(page)})
    assert held("/duties?held=me") == [("Decision on referral", "Sam Okafor")]
    # A word the filter does not know is ignored, as the other filters' are.
    assert len(held("/duties?held=everyone")) == 2
