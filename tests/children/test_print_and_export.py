"""Printing and exporting a child's records: the print layout (every section, none of the
service's header, navigation or footer) and the chronology's PDF for a conference, each
audited as what it is and shown in information governance's access history; a child the
user may not see is neither."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.audit.models import AuditEntry
from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import sign_in
from ..web.test_pages_support import HILLSIDE, add_user, record_incident


def actions(session: Session, person_id: int, actor: str) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(AuditEntry.action).where(
        AuditEntry.person_id == person_id, AuditEntry.actor == actor).order_by(AuditEntry.id)))


def test_the_print_layout_shows_every_section_without_the_service_around_it(
        client: AppClient, session: Session, ctx: IntakeContext) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "mash.officer")
    page = client.get(f"/children/{ids['mia']}").text
    assert f'href="/children/{ids["mia"]}/print"' in page
    assert f'href="/children/{ids["mia"]}/chronology.pdf"' in page
    assert 'href="/static/css/print.css" media="print"' in page
    printed = client.get(f"/children/{ids['mia']}/print")
    assert printed.status_code == 200
    html = printed.text
    for chrome in ("govuk-service-navigation", "app-header", "app-footer", "govuk-tabs",
                   "govuk-back-link", "Raise a concern"):
        assert chrome not in html, chrome
    headings = re.findall(r'<h2 class="govuk-heading-m">([^<]+)</h2>', html)
    assert headings == ["Duties", "Missing episodes", "Agencies’ records", "Household",
                        "Chronology"]
    assert "Printed by DC Priya Patel, " in html and "Police incident" in html
    assert actions(session, ids["mia"], "user:mash.officer")[-1] == "print"


def test_the_print_layout_holds_only_what_the_user_may_see(
        client: AppClient, session: Session, ctx: IntakeContext) -> None:
    ids = record_incident(session, ctx)
    add_user(session, "hillside.dsl", f"school-{HILLSIDE}")
    sign_in(client, "hillside.dsl")
    html = client.get(f"/children/{ids['mia']}/print").text
    assert f'href="/duties/{ids["encompass_notice"]}"' in html
    assert f'href="/duties/{ids["share_with_csc"]}"' not in html
    # Leo is known only to his own school: not printed, not exported, and the refusal kept.
    for url in (f"/children/{ids['leo']}/print", f"/children/{ids['leo']}/chronology.pdf"):
        assert client.get(url).status_code == 404
    assert actions(session, ids["leo"], "user:hillside.dsl") == ["refused", "refused"]


def test_the_chronology_pdf_is_made_for_a_conference_and_audited_as_an_export(
        client: AppClient, session: Session, ctx: IntakeContext) -> None:
    ids = record_incident(session, ctx)
    sign_in(client, "mash.officer")
    response = client.get(f"/children/{ids['mia']}/chronology.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="chronology-{ids["mia"]}-')
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Chronology: Mia Jones" in text and "OFFICIAL-SENSITIVE" in text
    assert "Made for a child protection conference by DC Priya Patel" in text
    assert "Police incident INC-20261127-2240" in text and "Duty raised" in text
    # Audited as an export, and the household (not in the PDF) is not read for it.
    assert actions(session, ids["mia"], "user:mash.officer")[-1:] == ["export"]
    assert not session.scalar(select(AuditEntry.id).where(
        AuditEntry.why.like("listed in the household%")))
    # Information governance sees who printed and who exported.
    client.get(f"/children/{ids['mia']}/print")
    add_user(session, "police.ig", "police", "information_governance")
    sign_in(client, "police.ig")
    history = client.get(f"/governance/access/{ids['mia']}").text
    assert "Exported as a PDF" in history and "Printed" in history
