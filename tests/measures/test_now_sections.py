"""The "Now" sections of measures 5 and 6: the backlog by priority with its clearance, and
caseloads per offender manager against the target, read from the units' own figures through
the real app; the managers' names reach police users only."""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import FastAPI
from sqlalchemy.orm import Session

from safeguard.config import OffenderSettings, Settings
from safeguard.forensics.forecast import clearance_weeks
from safeguard.intake.service import IntakeContext
from safeguard.measures.declarations import MEASURES
from safeguard.measures.now import DevicesNow
from safeguard.web.templating import make_environment

from ..app_client import AppClient
from ..conftest import Clock, sign_in
from ..factories import seed_users
from ..forensics.scenario import accept as accept_device
from ..forensics.scenario import step, submission
from ..offenders.scenario import REGISTERED, registration, send


def _section(html: str) -> str:
    """The "Now" section alone, so a figure elsewhere on the page cannot pass for it."""
    return html.split('id="h-now"', 1)[1].split("</section>", 1)[0]


def _cells(row: str) -> list[str]:
    return [cell.split(">", 1)[1].split("<", 1)[0].strip()
            for cell in row.split("<t")[1:] if cell.startswith(("d ", "h "))]


def _rows(html: str, table: str) -> dict[str, list[str]]:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0].split("<tbody", 1)[1]
    rows = {}
    for row in body.split("<tr")[1:]:
        # A tagged figure (a breach, an over-target caseload) keeps its number.
        flat = row.replace('<strong class="govuk-tag govuk-tag--red">', "").replace(
            "</strong>", "")
        label, *cells = _cells(flat)
        rows[label] = cells
    return rows


def test_measure_5_shows_the_backlog_by_priority_and_that_it_does_not_clear(
        session: Session, ctx: IntakeContext, client: AppClient, clock: Clock) -> None:
    # The queue worked by hand in tests/forensics/test_backlog_figures.py: EX-C (indecent
    # images, priority 2) and EX-A, EX-D (priority 3) wait; EX-B was completed in October.
    for exhibit, offence, submitted in (("EX-A", "other", "2026-06-01T09:00:00+00:00"),
                                        ("EX-B", "other", "2026-09-01T09:00:00+00:00"),
                                        ("EX-C", "iioc", "2026-11-02T09:00:00+00:00"),
                                        ("EX-D", "other", "2026-11-10T09:00:00+00:00")):
        accept_device(session, ctx, submission(exhibit, offence=offence, suspect=None,
                                               submitted_at=submitted,
                                               seized_at="2026-05-30T09:00:00+00:00"),
                      submitted)
    accept_device(session, ctx, step("EX-B/S", "started", "2026-10-10T09:00:00+00:00",
                                     submission_id="EX-B"), "2026-10-10T09:00:00+00:00")
    accept_device(session, ctx, step("EX-B/C", "completed", "2026-10-15T09:00:00+00:00",
                                     submission_id="EX-B"), "2026-10-15T09:00:00+00:00")
    seed_users(session)
    session.commit()
    clock.now = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    sign_in(client, "csc.worker")
    page = client.get("/measures/devices-awaiting-examination")
    assert page.status_code == 200
    now = _section(page.text)
    # EX-C has waited 25 days 3 hours; EX-A 179 days 3 hours and EX-D 17 days 3 hours, so
    # priority 3's median is their mean, 98.1.
    # EX-C's 14-day triage clock ran out on 16 November; EX-A's 180 days run to the 28th.
    assert _rows(now, "now-backlog") == {
        "Priority 1": ["0", "–", "–", "0", "triage 2 days, complete 30 days"],
        "Priority 2": ["1", "25", "25.1", "1", "triage 14 days, complete 90 days"],
        "Priority 3": ["2", "179", "98.1", "0", "complete 180 days"],
        "All priorities": ["3", "", "", "1", ""]}
    # Three arrived in the last 90 days and one was completed: the queue only grows.
    assert "The backlog does not clear at current rates" in now
    assert "0.2 devices arrive and 0.1 are completed a week" in now
    # Nothing in it names a suspect.
    assert "Whitlock" not in page.text


def test_measure_6_shows_caseloads_against_the_target_and_names_managers_to_police_only(
        session: Session, ctx: IntakeContext, app: FastAPI, clock: Clock) -> None:
    settings: Settings = app.state.settings
    app.state.settings = settings.model_copy(update={
        "offenders": OffenderSettings(caseload_target=1.5)})
    send(session, ctx, registration(risk="high"))  # DC 1234 Shah, a visit every 28 days
    send(session, ctx, registration("RSO-3", risk="medium", every=None, offender={
        "given_name": "Lee", "family_name": "Hart", "dob": "1981-02-11"},
        address={"line1": "4 Oak Row", "town": "Kettering", "postcode": "NN15 5AA"}))
    send(session, ctx, registration("RSO-2", risk="low", every=None, offender={
        "given_name": "Neil", "family_name": "Cross", "dob": "1970-01-09"},
        address={"line1": "1 Far Row", "town": "Corby", "postcode": "NN17 2AA"},
        offender_manager="DC 77 Ross"))
    seed_users(session)
    session.commit()
    clock.now = REGISTERED + timedelta(days=40)  # Gary Pike's first home visit is overdue
    with AppClient(app) as police:
        sign_in(police, "mash.officer")
        page = police.get("/measures/offender-management")
        assert page.status_code == 200
        now = _section(page.text)
        # Offenders, by risk (very high, high, medium, low), weighted, visits overdue, due
        # in 30 and 90 days (Neil Cross and Lee Hart have no visit plan).
        assert _rows(now, "manager-table") == {
            "DC 1234 Shah": ["2", "0", "1", "1", "0", "2 Over target", "1 overdue", "0", "0"],
            "DC 77 Ross": ["1", "0", "0", "0", "1", "1", "0", "0", "0"]}
        assert 'href="/offenders?manager=' not in now  # the board is the unit's alone
        assert "Gary Pike" not in page.text and "Neil Cross" not in page.text
    with AppClient(app) as social_care:
        sign_in(social_care, "csc.worker")
        page = social_care.get("/measures/offender-management")
        assert page.status_code == 200
        now = _section(page.text)
        assert 'id="manager-table"' not in now
        assert "Shah" not in page.text and "Ross" not in page.text
        totals = now.replace('<strong class="govuk-tag govuk-tag--red">', "").replace(
            "</strong>", "")
        assert "2, managing 3 registered offenders" in totals
        assert "1 of 2</dd>" in totals
        assert "Home visits overdue</dt><dd class=\"govuk-summary-list__value\">1</dd>" in totals


def test_a_backlog_that_clears_says_in_how_many_weeks_and_by_when() -> None:
    # Pure rendering: 12 waiting, 3 arriving and 5 completed a week clear in 6 weeks.
    at = datetime.fromisoformat("2026-11-27T12:00:00+00:00")
    weeks = clearance_weeks(12, 3.0, 5.0)
    assert weeks == 6.0
    figures = DevicesNow(at=at, priorities=(), waiting=12, breached=0, clears_in_weeks=weeks,
                         clears_on=(at + timedelta(weeks=weeks)).date(), rate_window_days=90,
                         arrivals_per_week=3.0, completions_per_week=5.0)
    html = make_environment().get_template("measures/_now.html").render(
        measure=next(m for m in MEASURES if m.number == 5), now_figures=figures)
    words = " ".join(html.split("now-clearance", 1)[1].split())
    assert "The backlog clears in 6 weeks, by 8 Jan 2027: 3.0 devices arrive and 5.0 are " \
        "completed a week (the last 90 days)." in words
