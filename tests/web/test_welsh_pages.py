"""Welsh beyond the main pages: a user who chooses Cymraeg reads the work queues, search,
records, strategy discussions, missing children, review, notes, notifications, two-factor,
incidents, offenders, measures and inspections in Welsh, and every duty by its Welsh title."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.duties.models import Duty
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext
from safeguard.missing.models import MissingEpisode
from safeguard.rules.catalogue import KINDS
from safeguard.web.i18n import catalogue

from ..app_client import AppClient
from ..conftest import Clock, sign_in_in_welsh
from ..factories import add_user
from ..missing.scenario import KNOWN, report, update
from ..offenders.scenario import RUBY, reg, registration, send
from ..strategy.support import HELD, discussion, open_discussion
from .test_api import key_for
from .test_pages_support import record_incident


def _html(client: AppClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    assert '<html lang="cy"' in response.text, path
    return response.text


def _heading(html: str) -> str:
    return html.split('<h1 class="govuk-heading-l">', 1)[1].split("</h1>", 1)[0].strip()


# path: (Welsh heading, English heading), for a children's social care worker.
CSC_PAGES = {
    "/work": ("Fy ngwaith", "My work"),
    "/work/team": ("Gwaith fy nhîm", "My team's work"),
    "/search?q=Mia": ("Dod o hyd i berson", "Find a person"),
    "/incidents": ("Digwyddiadau", "Incidents"),
    "/sharing/records": ("Cofnodion rhannu", "Share records"),
    "/missing": ("Ar goll nawr", "Missing now"),
    "/review": ("Cyfatebiaethau posibl i’w hadolygu", "Possible matches to review"),
    "/account/notifications": ("Hysbysiadau e-bost", "Email notifications"),
    "/account/two-factor": ("Mewngofnodi dau gam", "Two-factor sign-in"),
    "/measures": ("Y saith methiant, wedi’u mesur", "The seven failings, measured"),
    "/measures/sharing": ("Amser i gydnabod rhanniadau", "Time to acknowledge shares"),
    "/inspections": ("Arolygiadau a chynlluniau gweithredu", "Inspections and action plans"),
}


@pytest.mark.parametrize("path", list(CSC_PAGES))
def test_a_welsh_worker_reads_each_page_s_headingsign_in_in_welsh(
    client: AppClient, path: str,
) -> None:
    sign_in_in_welsh(client, "csc.worker")
    welsh, english = CSC_PAGES[path]
    html = _html(client, path)
    assert _heading(html) == welsh
    assert f">{english}<" not in html


def test_a_welsh_worker_records_a_strategy_discussion_and_a_notesign_in_in_welsh(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    mia = record_incident(session, ctx)["mia"]
    sign_in_in_welsh(client, "csc.worker")
    strategy = _html(client, f"/children/{mia}/strategy-discussions/new")
    assert _heading(strategy) == "Cofnodi trafodaeth strategaeth"
    for word in ("Pwy a gymerodd ran", "Camau gweithredu a gytunwyd", "Dim camau pellach",
                 "Cofnodi’r drafodaeth strategaeth"):
        assert word in strategy, word
    assert "Record a strategy discussion" not in strategy
    note = _html(client, f"/children/{mia}/notes/new")
    assert _heading(note) == "Ychwanegu nodyn achos"
    assert "Ein hasiantaeth ni yn unig" in note and "Our agency only" not in note


def test_a_welsh_worker_reads_a_held_strategy_discussion_with_its_links(
    client: AppClient, session: Session, ctx: IntakeContext, clock: Clock,
) -> None:
    mia, duty_id = open_discussion(session, ctx)
    clock.now = HELD + timedelta(hours=2)
    held = client.post("/api/v1/strategy-discussions", json=discussion(mia),
                       headers=key_for(session, "childrens_social_care"))
    assert held.status_code == 201, held.text
    sign_in_in_welsh(client, "csc.worker")
    page = _html(client, f"/strategy-discussions/{held.json()['discussion_id']}")
    assert _heading(page) == "Mia Jones: ymholiad adran 47"
    assert "Pwy a gymerodd ran" in page and "Who took part" not in page
    # The child and the duty discharged are links, not escaped markup.
    assert f'<a class="govuk-link" href="/children/{mia}">Mia Jones</a>' in page
    assert f'<a class="govuk-link" href="/duties/{duty_id}">Dyletswydd trafodaeth strategaeth</a>' \
        in page and "&lt;a" not in page


def test_a_welsh_officer_reads_the_incident_and_reports_a_missing_childsign_in_in_welsh(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    incident_id = record_incident(session, ctx)["incident"]
    sign_in_in_welsh(client, "mash.officer")
    incident = _html(client, f"/incidents/{incident_id}")
    assert _heading(incident).startswith("Digwyddiad ")
    assert "Dyletswyddau a godwyd" in incident and "Duties raised" not in incident
    report = _html(client, "/missing/new")
    assert _heading(report) == "Rhoi gwybod am blentyn ar goll"
    for word in ("Cyfeirnod person ar goll", "Dangosyddion camfanteisio", "Llinellau cyffuriau",
                 "Amser Llundain", "Amgylchiadau (dewisol)"):
        assert word in report, word
    assert "Report a missing child" not in report


def test_a_welsh_officer_reads_a_missing_episode_and_its_timelinesign_in_in_welsh(
    client: AppClient, session: Session,
) -> None:
    ctx = client.app.state.rules  # type: ignore[attr-defined]
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    events = [*KNOWN, report(risk="high", exploitation_indicators=["county_lines"]),
              update("MP-U-1", at="2026-11-20T21:00:00+00:00", risk="medium")]
    assert import_lines(factory, [json.dumps(e) for e in events], principal=SYSTEM,
                        ctx=ctx).rejects == []
    episode = session.scalars(select(MissingEpisode)).one()
    sign_in_in_welsh(client, "mash.officer")
    page = _html(client, f"/missing/{episode.id}")
    for word in ("Cyfnod ar goll MP-2026-0001", "Llinell amser", "Risg nawr",
                 "Adroddwyd bod y plentyn ar goll — risg uchel", "Diweddariad — risg canolig",
                 "Dangosyddion camfanteisio: llinellau cyffuriau.", "Cofnodi diweddariad"):
        assert word in page, word
    # (A duty's reason stays as the rule wrote it: a record, in English.)
    for word in ("Timeline", "Reported missing", "Exploitation indicators:", "Record an update"):
        assert word not in page, word
    form = _html(client, f"/missing/{episode.id}/update")
    assert "cyfnod ar goll MP-2026-0001" in form and "Risg wedi’i hailraddio i" in form


def test_the_public_protection_unit_reads_its_board_and_an_offendersign_in_in_welsh(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    add_user(session, "ppu.supervisor", "police", "practitioner supervisor public_protection")
    send(session, ctx, RUBY)
    send(session, ctx, registration(risk="high"))
    session.commit()
    sign_in_in_welsh(client, "ppu.supervisor")
    board = _html(client, "/offenders")
    assert _heading(board) == "Bwrdd llwyth achosion"
    assert "Rheolwr troseddwyr" in board and "Caseload board" not in board
    capacity = _html(client, "/offenders/capacity")
    assert _heading(capacity) == "Capasiti"
    assert "Ymweliadau cartref a swyddogion fesul mis" in capacity
    offender = _html(client, f"/offenders/{reg(session).id}")
    assert "Cofrestriad a chynllun" in offender and "Registration and plan" not in offender
    assert "Ymweliad cartref â throseddwr rhyw cofrestredig" in offender  # a duty's title


def test_every_duty_kind_s_title_has_its_welsh() -> None:
    welsh = catalogue("cy")
    untranslated = [kind.title for kind in KINDS.values()
                    if not (welsh.get(kind.title) and welsh.get(kind.title).string)]
    assert untranslated == []


def test_a_welsh_worker_reads_a_duty_s_title_in_welsh_in_the_queues_and_on_its_page(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    ids = record_incident(session, ctx)
    duty = session.get_one(Duty, ids["share_with_csc"])
    english = KINDS[duty.kind].title
    welsh = catalogue("cy").get(english).string
    assert welsh and welsh != english

    sign_in_in_welsh(client, "csc.worker")
    page = _html(client, f"/duties/{duty.id}")
    assert _heading(page) == welsh
    queue = _html(client, "/duties")
    assert f'href="/duties/{duty.id}">{welsh}</a>' in queue
    assert f">{english}</a>" not in queue
    child = _html(client, f"/children/{duty.subject_person_id}")
    assert f'href="/duties/{duty.id}">{welsh}</a>' in child
    assert f">{english}</a>" not in child


def test_a_welsh_senior_manager_records_an_inspection_and_its_plansign_in_in_welsh(
    client: AppClient, session: Session,
) -> None:
    add_user(session, "chief", "police", "practitioner senior_manager")
    session.commit()
    token = sign_in_in_welsh(client, "chief")
    assert _heading(_html(client, "/inspections/record/new")) == "Cofnodi arolygiad"
    done = client.post("/inspections/record", follow_redirects=False, data={
        "csrf_token": token, "inspectorate": "HMICFRS", "title": "Child protection inspection",
        "started_on": "2026-03-02", "ended_on": "2026-03-13", "published_on": "2026-06-30"})
    assert done.status_code == 303
    path = done.headers["location"]
    inspection = path.rsplit("/", 1)[1]
    for what, form in (("findings", {"kind": "recommendation", "text": "Share sooner.",
                                     "measures": "sharing-with-partners"}),
                       ("actions", {"text": "Train the MASH.", "owner_agency_id": "police",
                                    "owner_name": "DI Shaw", "due_on": "2026-09-30"}),
                       ("revisits", {"kind": "full", "on": "2027-03-01"})):
        added = client.post(f"/inspections/record/{inspection}/{what}",
                            data={"csrf_token": token, **form}, follow_redirects=False)
        assert added.status_code == 303, (what, added.text)
    page = _html(client, path)
    for word in ("Canfyddiadau ac argymhellion", "Argymhelliad", "Cynllun gweithredu",
                 "Heb ddechrau", "Ailymweliad llawn ar", "Ychwanegu canfyddiad"):
        assert word in page, word
    assert "Findings and recommendations" not in page and "Not started" not in page
    finding = page.split('href="/inspections/record/findings/', 1)[1].split('"', 1)[0]
    action = page.split('href="/inspections/record/actions/', 1)[1].split('"', 1)[0]
    assert _heading(_html(client, f"/inspections/record/findings/{finding}")) == \
        "Golygu canfyddiad"
    assert _heading(_html(client, f"/inspections/record/actions/{action}")) == \
        "Golygu cam gweithredu"
    assert _heading(_html(client, f"/inspections/actions/{action}")) == \
        "Diweddaru cynnydd cam gweithredu"
    measure = _html(client, "/measures/sharing-with-partners")
    assert _heading(measure) == "Rhannu â phartneriaid" and "Fesul mis" in measure
