"""The DASH checklist on the incident form: no answer is chosen for the officer, a question left
unanswered is an error that names it, and "not known" is not counted as yes but is counted,
shown, and prompts the officer's own judgement of the risk."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from safeguard.events.schemas import dash_questions
from safeguard.incidents.models import Incident
from safeguard.intake.service import IntakeContext

from ..app_client import AppClient
from ..conftest import sign_in
from .test_pages_support import incident_form, seed_household

KEYS = [key for key, _ in dash_questions()]
TEXTS = dict(dash_questions())


def test_a_question_left_unanswered_is_an_error_that_names_it_and_nothing_is_recorded(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    token = sign_in(client, "mash.officer")
    form = incident_form(token)
    del form["dash-q5"], form["dash-q17"]
    response = client.post("/incidents", data=form)
    assert response.status_code == 422
    summary = response.text.split('govuk-error-summary__list"')[1].split("</ul>")[0]
    links = re.findall(r'href="#(dash-q\d+)"', summary)
    assert links == ["dash-q5", "dash-q17"]
    assert f"Answer DASH question 5, “{TEXTS['q5']}”: yes, no or not known" in summary
    assert "2 of 24 questions not answered." in response.text
    # The answers given come back as they were; the unanswered ones stay unanswered.
    assert re.search(r'name="dash-q1" type="radio" value="yes" checked', response.text)
    assert not re.search(r'name="dash-q5" type="radio" value="\w+" checked', response.text)
    assert session.scalar(select(func.count(Incident.id))) == 0


def test_not_known_answers_prompt_the_officers_judgement_when_the_form_comes_back(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    token = sign_in(client, "mash.officer")
    form = incident_form(token, **{f"dash-{key}": "not_known" for key in KEYS[20:]})
    del form["dash-q1"]
    response = client.post("/incidents", data=form)
    assert response.status_code == 422
    assert "1 of 24 question not answered; 4 not known." in response.text
    prompt = re.search(r"<strong data-judgement-prompt>([^<]+)</strong>", response.text)
    assert prompt and prompt.group(1).startswith("4 questions are answered “Not known”")


def test_not_known_is_not_counted_as_yes_and_the_incident_says_how_many_there_were(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    token = sign_in(client, "mash.officer")
    # 4 yes (q1-q4), 3 not known, the rest no.
    form = incident_form(token, **{f"dash-{key}": "not_known" for key in KEYS[4:7]})
    response = client.post("/incidents", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    incident = session.scalars(select(Incident)).one()
    assert (incident.dash_yes_count, incident.dash_not_known, incident.actuarial_risk) == \
        (4, 3, "standard")
    assert incident.dash_answers is not None and incident.dash_answers["q5"] == "not_known"
    page = client.get(str(response.headers["location"])).text
    assert "4 of 24" in page and "3 of 24" in page
    assert "3 questions were answered “not known” and the officer gave no professional " \
        "judgement" in page


def test_a_judgement_given_with_not_known_answers_is_not_warned_about(
    client: AppClient, session: Session, ctx: IntakeContext,
) -> None:
    seed_household(session, ctx)
    token = sign_in(client, "mash.officer")
    form = incident_form(token, professional_judgement="medium",
                         **{f"dash-{key}": "not_known" for key in KEYS[4:7]})
    response = client.post("/incidents", data=form, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = client.get(str(response.headers["location"])).text
    assert "3 of 24" in page and "gave no professional judgement" not in page
    assert "Raised from standard to medium" in page
