"""The child's chronology in the reader's language: its headings and bylines are built by the
children service in English (the API's words) and drawn in Welsh for a Welsh reader."""

from __future__ import annotations

import io

from pypdf import PdfReader
from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.phrases import phrase
from safeguard.web.i18n import drawing, gettext_

from ..app_client import AppClient
from ..conftest import sign_in_in_welsh
from .test_pages_support import record_incident


def test_a_welsh_reader_sees_the_child_s_chronologysign_in_in_welsh(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in_in_welsh(client, "csc.worker")
    page = client.get(f"/children/{ids['mia']}").text
    assert "Dyletswydd wedi’i chodi: Penderfyniad ar atgyfeiriad" in page
    assert "cam-drin domestig, risg safonol" in page
    assert "Perchennog: " in page and "Cofnod E-88 gan addysg" in page
    for english in ("Duty raised:", "Police incident", "Domestic abuse", "owned by", "Owned by",
                    "recorded by the officer", "Record from"):
        assert english not in page, english


def test_the_chronology_pdf_reads_in_welsh_for_a_welsh_reader(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    sign_in_in_welsh(client, "mash.officer")
    response = client.get(f"/children/{ids['mia']}/chronology.pdf")
    assert response.status_code == 200
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = " ".join(" ".join(page.extract_text() for page in pages).split())
    assert "Dyletswydd wedi’i chodi" in text and "Digwyddiad heddlu" in text
    assert "Duty raised" not in text and "Police incident" not in text


def test_a_phrase_is_english_as_text_and_welsh_when_drawnsign_in_in_welsh() -> None:
    raised = phrase("Police incident %(reference)s: %(kind)s, %(risk)s risk",
                    words={"kind": "domestic abuse", "risk": "high"}, reference="INC-1")
    assert str(raised) == "Police incident INC-1: domestic abuse, high risk"
    with drawing("cy", None):
        assert raised.translated(gettext_) == (
            "Digwyddiad heddlu INC-1: cam-drin domestig, risg uchel")
    with drawing("en", None):
        assert raised.translated(gettext_) == str(raised)
