"""Recording a police incident through a web form, and uploading a JSON Lines import.

The form is turned into the same event dict the JSON API accepts and goes through the same
validation (``EVENT_ADAPTER``) and the same ``accept_event``; validation problems come back as
a GOV.UK error summary whose links point at the form's fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from safeguard.access.service import Principal
from safeguard.config import Settings
from safeguard.events.schemas import EVENT_ADAPTER, dash_questions, describe_errors
from safeguard.events.service import CONFLICT
from safeguard.incidents.models import Incident
from safeguard.intake.importer import import_lines
from safeguard.intake.service import IntakeContext, accept_event, may_submit
from safeguard.phrases import Phrase, phrase
from safeguard.web.deps import CsrfDep, NowDep, SessionDep, UserDep
from safeguard.web.i18n import in_language
from safeguard.web.render import page_language, render
from safeguard.workdays import LONDON, local_to_utc

router = APIRouter(include_in_schema=False)

PERSON_ROWS = 6
MAX_PERSON_ROWS = 30
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_REJECTS_SHOWN = 1000
KIND_CHOICES = (("domestic_abuse", "Domestic abuse"),
                ("concern_for_welfare", "Concern for welfare"), ("other", "Other"))
ROLE_CHOICES = (("", "Not used"), ("victim", "Victim"), ("suspect", "Suspect"),
                ("child_present", "Child present at the incident"),
                ("child_normally_resident", "Child who lives there (not present)"),
                ("witness", "Witness"))
JUDGEMENT_CHOICES = (("", "None"), ("standard", "Standard"), ("medium", "Medium"),
                     ("high", "High"))
# Every DASH question needs an explicit answer: nothing is "No" by default.
DASH_CHOICES = (("yes", "Yes"), ("no", "No"), ("not_known", "Not known"))
ADDRESS_PARTS = ("uprn", "line1", "line2", "town", "postcode")
PERSON_PARTS = ("role", "given_name", "family_name", "dob-day", "nhs", "upn", "pnc")
TOP_LABELS = {
    "source_id": "Reference", "kind": "Kind of incident", "occurred-day": "Date it occurred",
    "occurred-time": "Time it occurred", "address-uprn": "UPRN",
    "address-line1": "Address line 1", "address-line2": "Address line 2",
    "address-town": "Town or city", "address-postcode": "Postcode", "officer": "Officer",
    "summary": "Summary", "child_voice": "Child’s voice", "dash-q1": "DASH checklist",
    "professional_judgement": "Professional judgement",
}
PERSON_LABELS = {"role": "role", "given_name": "given name", "family_name": "family name",
                 "dob-day": "date of birth", "nhs": "NHS number", "upn": "UPN",
                 "pnc": "PNC ID"}
_PEOPLE_PATH = re.compile(r"^people\[(\d+)\](?:\.(?:ids\.)?(\w+))?")
_INVALID_ID = re.compile(r"^invalid (?:nhs number|upn|pnc id) '.*?': ")
REQUIRED = {"source_id": "Enter the incident reference", "kind": "Select the kind of incident",
            "occurred-day": "Enter the date the incident occurred",
            "address-line1": "Enter the first line of the address"}
_TIME = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")
# What is wrong with the form, in words a page translates (safeguard/words.py: MESSAGES).
REFERENCE_USED = ("Reference %(reference)s already used for a different incident. Enter the "
                  "reference of this incident")
ANSWER_DASH = "Answer DASH question %(number)s, “%(question)s”: yes, no or not known"
PERSON_DOB = "Person %(row)s date of birth %(problem)s"
OCCURRED_DATE = "The date the incident occurred %(problem)s"
OCCURRED_TIME = "Enter the time the incident occurred as hours and minutes, for example 22:40"
PERSON_NAME = "Enter a given name or family name for person %(row)s"
ADD_PERSON = "Add at least one person: choose their role and enter their name"
PERSON_ROLE = "Select the role of person %(row)s"
PERSON_PROBLEM = "Person %(row)s %(part)s: %(reason)s"
IN_THE_PAST = "The date and time the incident occurred must be in the past"
FIELD_PROBLEM = "%(label)s: %(reason)s"
#: What parse_date finds wrong with a date, filling "... date of birth %(problem)s".
DATE_PROBLEMS = ("is missing", *(f"must include a {' and '.join(parts)}" for parts in (
    ("day",), ("month",), ("year",), ("day", "month"), ("day", "year"), ("month", "year"))),
    "must be a real date, in numbers", "must include a year with 4 numbers",
    "must be a real date")
MESSAGES = (REFERENCE_USED, ANSWER_DASH, PERSON_DOB, OCCURRED_DATE, OCCURRED_TIME, PERSON_NAME,
            ADD_PERSON, PERSON_ROLE, PERSON_PROBLEM, IN_THE_PAST, FIELD_PROBLEM,
            *REQUIRED.values(), *TOP_LABELS.values(), *PERSON_LABELS.values(), *DATE_PROBLEMS)


async def form_fields(request: Request) -> dict[str, str]:
    """The posted form's text fields (verify_csrf has already parsed it; Starlette caches it)."""
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


FormDep = Annotated[dict[str, str], Depends(form_fields)]
Getter = Callable[[str], str]


@dataclass
class Built:
    payload: dict[str, Any]
    rows: list[int]  # form row number of each person in payload["people"]
    errors: dict[str, Phrase] = field(default_factory=dict)


@router.get("/incidents/new", response_class=HTMLResponse)
def new_incident(request: Request, principal: UserDep, now: NowDep) -> HTMLResponse:
    if not may_submit(principal, "police"):
        return _not_police(request, principal)
    values = {"source_id": f"INC-{now.astimezone(LONDON):%Y%m%d-%H%M%S}",
              "kind": "domestic_abuse"}
    return _form(request, principal, values, {})


@router.post("/incidents", dependencies=[CsrfDep], response_model=None)
def record_incident(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                    form: FormDep) -> Response:
    if not may_submit(principal, "police"):
        return _not_police(request, principal)
    built = build_event(form)
    errors = built.errors
    data = None
    try:
        data = EVENT_ADAPTER.validate_python(built.payload)
    except ValidationError as error:
        for path, reason in describe_errors(error):
            field_id = field_for(path, reason, built.rows)
            errors.setdefault(field_id, message_for(field_id, reason))
    if errors or data is None:
        return _form(request, principal, form, errors, status_code=422)
    ctx: IntakeContext = request.app.state.rules
    accepted = accept_event(session, data=data, raw=built.payload, via="form",
                            principal=principal, ctx=ctx, now=now)
    if accepted.outcome == CONFLICT:
        errors["source_id"] = phrase(REFERENCE_USED, reference=data.source_id)
        return _form(request, principal, form, errors, status_code=422)
    incident_id = accepted.incident_id or _incident_for_event(session, accepted.event_id)
    return RedirectResponse(f"/incidents/{incident_id}?recorded=1", status_code=303)


def _incident_for_event(session: Session, event_id: int) -> int | None:
    return session.scalar(select(Incident.id).where(Incident.event_id == event_id))


def _not_police(request: Request, principal: Principal) -> HTMLResponse:
    return render(request, "error.html", {
        "title": "Only the police record incidents here", "status": 403,
        "message": (f"{principal.agency_name} cannot record police incidents. You see an "
                    "incident when it raises a duty for your agency: find it from your "
                    "duties or from the child’s page."),
    }, principal=principal, status_code=403)


def _form(request: Request, principal: Principal, values: dict[str, str],
          problems: dict[str, Phrase], *, status_code: int = 200) -> HTMLResponse:
    rows = _row_count(values)
    errors = in_language(page_language(request, principal), problems)
    order = _field_order(rows)
    listed = sorted(errors.items(), key=lambda item: order.index(item[0])
                    if item[0] in order else len(order))
    answers = [values.get(f"dash-{key}", "") for key, _ in dash_questions()]
    return render(request, "incidents/new.html", {
        "values": values, "field_errors": errors,
        "errors": [{"text": text, "href": f"#{field_id}"} for field_id, text in listed],
        "person_rows": list(range(1, rows + 1)), "kind_choices": KIND_CHOICES,
        "role_choices": ROLE_CHOICES, "judgement_choices": JUDGEMENT_CHOICES,
        "dash_choices": DASH_CHOICES, "questions": dash_questions(), "nav": "incidents",
        "unanswered": sum(1 for key, _ in dash_questions() if f"dash-{key}" in errors),
        "not_known": answers.count("not_known"),
    }, principal=principal, status_code=status_code)


def _row_count(values: dict[str, str]) -> int:
    numbers = [int(m.group(1)) for key in values if (m := re.match(r"^people-(\d+)-", key))]
    return min(max([PERSON_ROWS, *numbers]), MAX_PERSON_ROWS)


def _field_order(rows: int) -> list[str]:
    top = list(TOP_LABELS)
    people = [f"people-{i}-{part}" for i in range(1, rows + 1) for part in PERSON_PARTS]
    dash = [f"dash-{key}" for key, _ in dash_questions()]
    return top[:-2] + people + dash + top[-1:]


# ------------------------------------------------------------------------ form -> event


def build_event(form: dict[str, str]) -> Built:
    """The incident event dict the form describes; blank optional fields are left out."""
    def get(name: str) -> str:
        return form.get(name, "").strip()

    errors: dict[str, Phrase] = {}
    payload: dict[str, Any] = {"event": "incident", "source": "police"}
    for name in ("source_id", "kind"):
        if get(name):
            payload[name] = get(name)
    occurred = _occurred(get, errors)
    if occurred is not None:
        payload["occurred_at"] = occurred.isoformat()
    payload["address"] = {part: get(f"address-{part}") for part in ADDRESS_PARTS
                          if get(f"address-{part}")}
    for name in ("officer", "summary", "child_voice"):
        if get(name):
            payload[name] = get(name)
    people: list[dict[str, Any]] = []
    rows: list[int] = []
    for row in range(1, _row_count(form) + 1):
        person = _person(row, get, errors)
        if person is not None:
            people.append(person)
            rows.append(row)
    payload["people"] = people
    _dash(payload, get, errors)
    return Built(payload, rows, errors)


def _dash(payload: dict[str, Any], get: Getter, errors: dict[str, Phrase]) -> None:
    """The DASH checklist, needed for domestic abuse (and whenever any of it is filled in):
    each question answered yes, no or not known. An unanswered question is an error that
    names it, never a silent "no", which would lower the risk."""
    answers = {key: get(f"dash-{key}") for key, _ in dash_questions()}
    judgement = get("professional_judgement")
    if payload.get("kind") != "domestic_abuse" and not any(answers.values()) and not judgement:
        return
    choices = {value for value, _ in DASH_CHOICES}
    for number, (key, text) in enumerate(dash_questions(), start=1):
        if answers[key] not in choices:
            errors[f"dash-{key}"] = phrase(ANSWER_DASH, words={"question": text},
                                           number=str(number))
            answers[key] = "not_known"  # the form comes back; this is never stored
    payload["dash"] = {"answers": answers,
                       **({"professional_judgement": judgement} if judgement else {})}


def _person(row: int, get: Getter, errors: dict[str, Phrase]) -> dict[str, Any] | None:
    prefix = f"people-{row}-"
    texts = {part: get(prefix + part) for part in ("role", "given_name", "family_name")}
    ids = {part: get(prefix + part) for part in ("nhs", "upn", "pnc") if get(prefix + part)}
    dob_parts = [get(f"{prefix}dob-{p}") for p in ("day", "month", "year")]
    if not any(texts.values()) and not ids and not any(dob_parts):
        return None  # an unused row
    person: dict[str, Any] = {k: v for k, v in texts.items() if v}
    if any(dob_parts):
        dob = parse_date(*dob_parts)
        if isinstance(dob, str):
            errors[f"{prefix}dob-day"] = phrase(PERSON_DOB, words={"problem": dob}, row=str(row))
        else:
            person["dob"] = dob.isoformat()
    if ids:
        person["ids"] = ids
    return person


def _occurred(get: Getter, errors: dict[str, Phrase]) -> datetime | None:
    day = parse_date(get("occurred-day"), get("occurred-month"), get("occurred-year"))
    if isinstance(day, str):
        errors["occurred-day"] = phrase(OCCURRED_DATE, words={"problem": day}) \
            if day.startswith("must") else Phrase(REQUIRED["occurred-day"])
    clock = _TIME.match(get("occurred-time").replace(" ", ""))
    wall: time | None = None
    if clock and int(clock.group(1)) < 24 and int(clock.group(2)) < 60:
        wall = time(int(clock.group(1)), int(clock.group(2)))
    else:
        errors["occurred-time"] = Phrase(OCCURRED_TIME)
    if isinstance(day, date) and wall is not None:
        return local_to_utc(day, wall)
    return None


def parse_date(day: str, month: str, year: str) -> date | str:
    """A date from GOV.UK date input parts, or what is wrong with them (for the message)."""
    if not (day or month or year):
        return "is missing"
    missing = [name for name, part in (("day", day), ("month", month), ("year", year))
               if not part]
    if missing:
        return f"must include a {' and '.join(missing)}"
    if not (day.isdigit() and month.isdigit() and year.isdigit()):
        return "must be a real date, in numbers"
    if len(year) != 4:
        return "must include a year with 4 numbers"
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return "must be a real date"


def field_for(path: str, reason: str, rows: list[int]) -> str:
    """The form field id for a ``describe_errors`` path such as ``people[1].ids.nhs``."""
    match = _PEOPLE_PATH.match(path)
    if match:
        index = int(match.group(1))
        row = rows[index] if index < len(rows) else 1
        part = match.group(2) or "given_name"
        part = "dob-day" if part == "dob" else part
        return f"people-{row}-{part if part in PERSON_PARTS else 'role'}"
    head, _, rest = path.partition(".")
    if head == "people":
        return "people-1-role"
    if head == "address":
        return f"address-{rest}" if rest in ADDRESS_PARTS else "address-line1"
    if head == "dash":
        if "professional_judgement" in rest:
            return "professional_judgement"
        key = rest.removeprefix("answers.")
        return f"dash-{key}" if key in dict(dash_questions()) else "dash-q1"
    if head == "occurred_at" or "occurred_at" in reason:
        return "occurred-day"
    return head if head in TOP_LABELS else "source_id"


def message_for(field_id: str, reason: str) -> Phrase:
    """Words a person can act on, naming the field."""
    reason = _INVALID_ID.sub("", reason)
    person = re.match(r"^people-(\d+)-(.+)$", field_id)
    if person:
        row, part = person.groups()
        if reason.startswith("a person needs"):
            return phrase(PERSON_NAME, row=row)
        if part == "role" and "at least 1" in reason:
            return Phrase(ADD_PERSON)
        if part == "role" and (reason == "Field required" or reason.startswith("Input should")):
            return phrase(PERSON_ROLE, row=row)
        return phrase(PERSON_PROBLEM, words={"part": PERSON_LABELS.get(part, part)}, row=row,
                      reason=reason)
    if field_id == "occurred-day" and "future" in reason:
        return Phrase(IN_THE_PAST)
    if field_id in REQUIRED and (reason == "Field required" or reason.startswith("Input should")):
        return Phrase(REQUIRED[field_id])
    return phrase(FIELD_PROBLEM, words={"label": TOP_LABELS.get(field_id, field_id)},
                  reason=reason)


# ------------------------------------------------------------------------------ imports


@router.get("/imports", response_class=HTMLResponse)
def imports_page(request: Request, principal: UserDep) -> HTMLResponse:
    return render(request, "imports/new.html", {"nav": "imports"}, principal=principal)


@router.post("/imports", dependencies=[CsrfDep], response_model=None)
async def upload_import(request: Request, principal: UserDep, session: SessionDep) -> Response:
    form = await request.form()
    upload = form.get("file")
    lines, problem = None, "Select a JSON Lines file to import"
    settings: Settings = request.app.state.settings
    if isinstance(upload, UploadFile) and upload.filename:
        content = await upload.read(MAX_UPLOAD_BYTES + 1)
        if len(content) > MAX_UPLOAD_BYTES:
            problem = f"The file must be smaller than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB"
        elif not content.strip():
            problem = "The selected file is empty"
        elif len(split := content.splitlines()) > settings.max_import_lines:
            problem = (f"The file has {len(split)} lines: it must have no more than "
                       f"{settings.max_import_lines}. Split it and upload each part")
        else:
            # Each line is decoded on its own: one that is not UTF-8 is a reject with its
            # number, like any other bad line, and the rest still land.
            lines = split
    if lines is None:
        return render(request, "imports/new.html", {
            "nav": "imports", "field_errors": {"file": problem},
            "errors": [{"text": problem, "href": "#file"}],
        }, principal=principal, status_code=422)
    factory: sessionmaker[Session] = request.app.state.session_factory
    ctx: IntakeContext = request.app.state.rules
    # The import is a job with transactions of its own (a batch each): end the request's
    # transaction first, or on SQLite its write lock would block the import's batches.
    session.commit()
    summary = await run_in_threadpool(import_lines, factory, lines,
                                      principal=principal, ctx=ctx, via="import")
    return render(request, "imports/result.html", {
        "nav": "imports", "summary": summary,
        "filename": upload.filename if isinstance(upload, UploadFile) else "",
        "rejects": summary.rejects[:MAX_REJECTS_SHOWN], "max_rejects": MAX_REJECTS_SHOWN,
    }, principal=principal)
