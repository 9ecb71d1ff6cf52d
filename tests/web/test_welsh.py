"""Welsh for forces and councils in Wales: every word the pages translate has its Welsh, and a
user who chooses Cymraeg reads the layout, navigation and main pages in Welsh from then on."""

from __future__ import annotations

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.sharing.models import Share
from safeguard.web.i18n import catalogue
from safeguard.words import messages

from ..app_client import AppClient
from ..conftest import sign_in
from .test_pages_support import record_incident


def test_every_word_the_pages_translate_has_its_welsh() -> None:
    welsh = catalogue("cy")
    untranslated = [m.id for m in welsh if m.id and not (
        all(m.string) if isinstance(m.id, tuple) else m.string)]
    assert untranslated == []
    assert [m.id for m in welsh if m.id and m.fuzzy] == []
    # The same placeholders in both languages (Babel's own checks of python-format).
    assert [(m.id, errors) for m, errors in welsh.check()] == []
    missing = [text for text in messages() if welsh.get(text) is None]
    assert missing == [], "run scripts/translations and translate what it adds"


def _html(client: AppClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.text


def test_a_welsh_user_reads_the_main_pages_in_welsh(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    share_id = session.query(Share.id).filter(Share.duty_id == ids["share_with_csc"]).scalar()

    # Before sign-in, the switch is a link: the sign-in page in Welsh.
    sign_in_page = _html(client, "/sign-in?lang=cy")
    assert '<html lang="cy"' in sign_in_page and "Mewngofnodi i safeguard" in sign_in_page
    assert "Enw defnyddiwr" in sign_in_page and 'lang="en"' in sign_in_page  # "English"

    token = sign_in(client, "csc.worker")
    english = _html(client, "/duties")
    assert '<html lang="en"' in english and ">Cymraeg</button>" in english
    chosen = client.post("/account/language", data={"csrf_token": token, "language": "cy",
                                                     "next": "/duties"}, follow_redirects=False)
    assert chosen.status_code == 303 and chosen.headers["location"] == "/duties"

    duties = _html(client, "/duties")
    assert '<html lang="cy"' in duties
    for word in ("Dyletswyddau", "Mewnflwch", "Allgofnodi", "Neidio i’r prif gynnwys",
                 "Hidlo", "Terfyn amser", ">English</button>"):
        assert word in duties, word
    duty = _html(client, f"/duties/{ids['share_with_csc']}")
    assert "Pam mae’r ddyletswydd hon yn bodoli" in duty and "Pwy sy’n ei chyflawni" in duty
    assert "Tach 2026" in duty  # dates in Welsh: "Gwe 27 Tach 2026, 22:40"
    inbox = _html(client, "/inbox")
    assert "Gwybodaeth y mae asiantaethau eraill wedi’i rhannu" in inbox
    share = _html(client, f"/inbox/{share_id}")
    assert "Pam y’i rhannwyd" in share and "Yn ôl i’r mewnflwch" in share
    child = _html(client, f"/children/{ids['mia']}")
    assert "Cronoleg" in child and "Aelwyd" in child and "Dyddiad geni" in child

    # The choice is kept on the user: it holds at the next sign-in.
    client.cookies.clear()
    sign_in(client, "mash.officer")
    assert '<html lang="en"' in _html(client, "/duties")
    client.cookies.clear()
    sign_in(client, "csc.worker")
    assert '<html lang="cy"' in _html(client, "/duties")


def test_a_welsh_officer_records_an_incident_in_welsh(client: AppClient) -> None:
    token = sign_in(client, "mash.officer")
    client.post("/account/language", data={"csrf_token": token, "language": "cy"})
    form = _html(client, "/incidents/new")
    for word in ("Cofnodi digwyddiad heddlu", "Rhestr wirio risg DASH", "Cam-drin domestig",
                 "Ydy’r digwyddiad presennol wedi arwain at anaf?", "Ddim yn hysbys",
                 "Barn broffesiynol"):
        assert word in form, word
