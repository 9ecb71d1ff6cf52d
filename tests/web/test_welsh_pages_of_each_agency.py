"""Welsh beyond the main pages: for a user who reads Cymraeg, the children, custody, forensics,
governance, import, administration, concern, duty and error pages come in Welsh, their English
headings gone."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta

from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal, ensure_user
from safeguard.custody.models import Detention
from safeguard.dates import MONTHS
from safeguard.events.schemas import EVENT_ADAPTER
from safeguard.intake.service import IntakeContext, accept_event

from ..app_client import AppClient
from ..conftest import PASSWORD, Clock, sign_in_in_welsh
from .test_pages_support import record_incident


def _page(client: AppClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, path
    assert '<html lang="cy"' in response.text, path
    return response.text


def _heading(page: str, welsh: str, english: str) -> None:
    assert f">{welsh}</h1>" in page, welsh
    assert english not in page, english


def test_a_welsh_practitioner_reads_children_custody_concerns_and_dutiessign_in_in_welsh(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    token = sign_in_in_welsh(client, "csc.worker")

    children = _page(client, "/children")
    _heading(children, "Plant", ">Children</h1>")
    assert "Chwilio yn ôl enw" in children and "Search by name" not in children

    child = _page(client, f"/children/{ids['mia']}")
    assert "Ychwanegu nodyn achos" in child and "Add a case note" not in child
    assert "Argraffu tudalen" in child and "Download the chronology" not in child

    custody = _page(client, "/custody")
    _heading(custody, "Plant yn nalfa’r heddlu", "Children in police custody")
    assert "Nid oes unrhyw blentyn yn nalfa’r heddlu nawr." in custody

    concern = _page(client, "/concerns/new")
    _heading(concern, "Codi pryder am blentyn", "Raise a concern about a child")
    assert "Am beth mae’r pryder?" in concern and "Esgeulustod" in concern
    assert "What is the concern about?" not in concern

    duty = _page(client, f"/duties/{ids['share_with_csc']}")
    assert "Yn nwylo" in duty and "Held by" not in duty
    # How far off the deadline is, in Welsh too ("Yn ddyledus ymhen 3 awr").
    assert "Yn ddyledus ymhen" in duty or "Yn hwyr o" in duty
    assert "Due in" not in duty and "Overdue by" not in duty
    # A mistake on the discharge form is told in Welsh too.
    refused = client.post(f"/duties/{ids['share_with_csc']}/discharge",
                          data={"csrf_token": token, "note": "x" * 4001})
    assert refused.status_code == 422
    assert "Rhaid i’r nodyn fod yn 4000 nod neu lai" in refused.text
    assert "The note must be" not in refused.text
    # The duty's history, told in the words of the page's language.
    assert "Codwyd y ddyletswydd" in duty and "Duty raised" not in duty

    glass = client.post("/children/999999/break-glass", data={"csrf_token": token, "reason": ""})
    assert glass.status_code == 422
    assert "Rhowch y rheswm y mae angen i chi weld cofnodion y plentyn hwn" in glass.text
    assert "Ni allwch weld cofnodion y plentyn hwn" in glass.text

    imports = _page(client, "/imports")
    _heading(imports, "Mewnforio cofnodion", ">Import records</h1>")

    for path, welsh, english in (("/accessibility", "Datganiad hygyrchedd",
                                  "Accessibility statement"),
                                 ("/privacy", "Preifatrwydd", ">Privacy</h1>")):
        _heading(_page(client, path), welsh, english)
    missing = _page(client, "/duties/999999", status=404)
    _heading(missing, "Heb ddod o hyd i’r dudalen", "Page not found")
    assert "Os gwnaethoch deipio’r cyfeiriad gwe" in missing


def test_the_police_read_forensics_and_a_detentionsign_in_in_welsh(
    client: AppClient, session: Session, ctx: IntakeContext,
    principal: Callable[[str], Principal], clock: Clock,
) -> None:
    def at(hours: float) -> str:
        return (clock.now + timedelta(hours=hours)).isoformat()
    for event in (
        {"event": "custody_detention", "source": "police", "source_id": "CR-CY",
         "detainee": {"given_name": "Noah", "family_name": "Vale", "dob": "2011-01-01"},
         "arrived_at": at(-6), "detention_authorised_at": at(-5.9),
         "custody_suite": "Northgate custody suite", "offence": "theft"},
        {"event": "custody_update", "source": "police", "source_id": "CR-CY-1",
         "detention": "CR-CY", "step": "charged", "at": at(-3)},
    ):
        accept_event(session, data=EVENT_ADAPTER.validate_python(event), raw=event, via="api",
                     principal=principal("mash.officer"), ctx=ctx, now=clock.now)
    session.commit()
    detention = session.scalars(select(Detention.id).where(Detention.reference == "CR-CY")).one()
    sign_in_in_welsh(client, "mash.officer")
    record = _page(client, f"/custody/{detention}")
    assert "Cofnod y ddalfa CR-CY" in record and "Custody record" not in record
    assert "Cyhuddwyd" in record and "Cofnodi cam nawr" in record
    assert "Record a step now" not in record
    board = _page(client, "/custody")
    assert "1 plentyn yn y ddalfa" in board and "Cyhuddwyd" in board

    queue = _page(client, "/forensics")
    _heading(queue, "Ciw fforensig digidol", "Digital forensics queue")
    assert "Pob blaenoriaeth" in queue and "Every priority" not in queue
    forecast = _page(client, "/forensics/forecast")
    _heading(forecast, "Rhagolwg yr ôl-groniad", "Backlog forecast")
    # The chart's months too ("Rhag 2025", never "Dec 2025").
    assert [m for m in MONTHS if f">{m} 20" in forecast] == []
    welsh = ("Ion", "Chwef", "Maw", "Ebr", "Mai", "Meh", "Gorff", "Awst", "Medi", "Hyd", "Tach",
             "Rhag")
    assert any(f">{m} 20" in forecast for m in welsh)


def test_an_administrator_and_information_governance_worksign_in_in_welsh(
    client: AppClient, session: Session,
) -> None:
    ensure_user(session, username="police.admin", display_name="Pat Morgan",
                agency_id="police", roles="admin", password=PASSWORD)
    ensure_user(session, username="police.ig", display_name="Anna Novak",
                agency_id="police", roles="information_governance", password=PASSWORD)
    session.commit()
    sign_in_in_welsh(client, "police.admin")
    users = _page(client, "/admin/users")
    _heading(users, "Defnyddwyr", ">Users</h1>")
    assert "Ychwanegu defnyddiwr" in users and "Ymarferydd" in users
    assert "Add a user" not in users and ">Practitioner<" not in users
    _heading(_page(client, "/admin/api-keys"), "Allweddi API", ">API keys</h1>")
    _heading(_page(client, "/admin/teams"), "Timau", ">Teams</h1>")
    _heading(_page(client, "/admin/deliveries"), "Danfoniadau webhook", "Webhook deliveries")

    client.cookies.clear()
    sign_in_in_welsh(client, "police.ig")
    unusual = _page(client, "/governance/unusual")
    _heading(unusual, "Mynediad anarferol", ">Unusual access</h1>")
    assert "Ni ddefnyddiodd neb fynediad brys." in unusual
    review = _page(client, "/break-glass")
    _heading(review, "Mynediad brys i’w adolygu", "Break-glass access to review")


def test_the_chronology_pdf_is_made_in_the_readers_language(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in_in_welsh(client, "mash.officer")
    response = client.get(f"/children/{ids['mia']}/chronology.pdf")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Cronoleg: Mia Jones" in text and "SWYDDOGOL-SENSITIF" in text
    assert "Paratowyd ar gyfer cynhadledd amddiffyn plant gan DC Priya Patel" in text
    assert "Tudalen 1 o 2" in text
    assert "Chronology: Mia Jones" not in text and "Date of birth" not in text
