"""The inbox, share records, concern form and measures pages, through the real app."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.concerns.models import Concern
from safeguard.intake.service import IntakeContext
from safeguard.sharing.models import Share

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..web.test_pages_support import RECORDED, record_incident


def share_id(session: Session, duty_id: int) -> int:
    found = session.scalar(select(Share.id).where(Share.duty_id == duty_id))
    assert found is not None
    return found


def test_the_inbox_lists_the_agencys_shares_with_a_countdown(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "csc.worker")
    html = client.get("/inbox").text
    assert '<a href="/inbox" class="govuk-service-navigation__link"' in html or \
        'href="/inbox"' in html
    sid = share_id(session, ids["share_with_csc"])
    assert f'href="/inbox/{sid}"' in html and "Mia Jones" in html
    assert "due in 24 hours" in html and ">New</strong>" in html
    assert "Northamptonshire Police" in html
    clock.now = RECORDED.replace(day=30)
    assert "overdue by 2 days" in client.get("/inbox").text
    partial = client.get("/inbox", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and 'hx-swap-oob="innerHTML"' in partial.text


def test_opening_acknowledging_and_replying_from_the_inbox(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sid = share_id(session, ids["share_with_csc"])
    token = sign_in(client, "csc.worker")
    html = client.get(f"/inbox/{sid}").text
    assert "What was shared" in html and "Lawful basis" in html and "DPA 2018" in html
    assert "DC Priya Patel, Northamptonshire Police" in html  # shared by
    assert f'href="/duties/{ids["referral_decision"]}">Decision on referral' in html
    done = client.post(f"/inbox/{sid}/acknowledge", data={"csrf_token": token, "note": "Seen"},
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == \
        f"/inbox/{sid}?done=acknowledged"
    page = client.get(done.headers["location"]).text
    assert "Share acknowledged" in page and "/acknowledge" not in page
    empty = client.post(f"/inbox/{sid}/reply", data={"csrf_token": token, "text": " "})
    assert empty.status_code == 422 and 'href="#reply"' in empty.text
    replied = client.post(f"/inbox/{sid}/reply",
                          data={"csrf_token": token, "text": "Strategy discussion booked."})
    assert replied.status_code == 200 and "Reply recorded" in replied.text
    assert "Strategy discussion booked." in replied.text and "/reply" not in replied.text
    # Without the form's token nothing happens.
    assert client.post(f"/inbox/{sid}/reply", data={"text": "x"}).status_code == 403


def test_another_agency_gets_not_found_for_a_share_it_did_not_receive(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "health.visitor")
    assert client.get(f"/inbox/{share_id(session, ids['share_with_csc'])}").status_code == 404


def test_share_records_search_and_export_as_csv(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    record_incident(session, ctx)
    sign_in(client, "mash.officer")
    html = client.get("/sharing/records?child=mia").text
    assert "2 shares" in html and "police_reference" in html
    assert "DC Priya Patel, Northamptonshire" in html
    assert "1 share<" in client.get("/sharing/records?kind=encompass_notice").text
    assert "0 shares" in client.get("/sharing/records?reference=NOPE").text
    assert "Enter a date like" in client.get("/sharing/records?date_from=27/11").text
    exported = client.get("/sharing/records.csv?kind=share_with_csc")
    assert exported.headers["content-type"].startswith("text/csv")
    assert "attachment" in exported.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [r["kind"] for r in rows] == ["share_with_csc"]
    assert rows[0]["to_agency"] == "Children's Social Care (MASH)"


def test_every_agency_raises_a_concern_through_the_form(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    record_incident(session, ctx)
    token = sign_in(client, "health.visitor")
    form = client.get("/concerns/new").text
    reference = re.search(r'name="reference" value="([^"]+)"', form)
    assert reference
    missing = client.post("/concerns", data={"csrf_token": token,
                                             "reference": reference.group(1)})
    assert missing.status_code == 422
    assert "Select what the concern is about" in missing.text
    assert "Enter the child’s given name or family name" in missing.text
    data = {"csrf_token": token, "reference": reference.group(1), "kind": "neglect",
            "occurred-day": "27", "occurred-month": "11", "occurred-year": "2026",
            "occurred-time": "10:15", "summary": "Mia missed three appointments.",
            "raised_by": "Grace Mensah", "child-given_name": "Mia",
            "child-family_name": "Jones", "child-dob-day": "14", "child-dob-month": "3",
            "child-dob-year": "2018"}
    done = client.post("/concerns", data=data, follow_redirects=False)
    assert done.status_code == 303
    # Mia has an open referral: the concern asks for a strategy discussion.
    assert done.headers["location"].endswith("?recorded=1&joint=1")
    page = client.get(done.headers["location"]).text
    assert "Concern recorded" in page and "strategy discussion" in page
    concern = session.scalars(select(Concern)).one()
    assert concern.agency_id == "health" and concern.summary == "Mia missed three appointments."
    # Posting the same form again is the same concern, not a second one.
    again = client.post("/concerns", data=data, follow_redirects=False)
    assert again.status_code == 303 and len(session.scalars(select(Concern)).all()) == 1


def test_the_measures_page_shows_time_to_acknowledge_in_a_table(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    token = sign_in(client, "csc.worker")
    client.post(f"/inbox/{share_id(session, ids['share_with_csc'])}/acknowledge",
                data={"csrf_token": token})
    html = client.get("/measures/sharing").text
    assert '<table class="govuk-table" id="ack-table">' in html
    assert "Children&#39;s Social Care (MASH)" in html and "Hillside Primary School" in html
    assert "100%" in html
