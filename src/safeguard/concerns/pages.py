"""Raising a concern about a child through a web form, open to every agency.

The form is turned into the same `concern` event the JSON API and imports accept, validated by
the same model and submitted through intake, like every event.
The source is the user's agency; a school records its concerns as itself ("school-<urn>").
"""

from __future__ import annotations

import re
import secrets
from datetime import date, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.children.known import KnownChild, known_child
from safeguard.concerns.models import CONCERN_KINDS
from safeguard.concerns.service import concern_for_agency, concern_of_event
from safeguard.events.fields import CORE_SOURCES
from safeguard.events.models import Event
from safeguard.events.schemas import ConcernEvent, describe_errors
from safeguard.intake.service import accept_event
from safeguard.people.models import PersonRecord
from safeguard.people.names import full_name
from safeguard.people.service import address_fields
from safeguard.phrases import Phrase, phrase
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.i18n import in_language
from safeguard.web.render import page_language, render
from safeguard.workdays import LONDON, local_to_utc

router = APIRouter(include_in_schema=False)

KIND_WORDS = {
    "physical_injury": "Physical injury (for example unexplained bruising)",
    "neglect": "Neglect", "emotional": "Emotional abuse or harm",
    "sexual": "Sexual abuse or harm", "missing_episode": "Missing episode",
    "exploitation": "Exploitation (criminal, sexual, county lines)",
    "domestic_abuse_disclosure": "Disclosure of domestic abuse", "other": "Other",
}
# The error summary lists problems in the order of the form.
FIELD_ORDER = ("kind", "occurred-day", "occurred-time", "summary", "raised_by",
               "child-given_name", "child-dob-day", "child-nhs", "child-upn", "address-choice",
               "address-line1", "address-postcode")
OTHER_ADDRESS = "other"
_TIME = re.compile(r"^(\d{1,2})[:.]?(\d{2})$")


def source_for(principal: Principal) -> str | None:
    """The event source the user's agency records as, or None if it cannot raise concerns."""
    if principal.agency_kind == "school" or principal.agency_id in CORE_SOURCES:
        return principal.agency_id
    return None


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: v.strip() for k, v in form.items() if isinstance(v, str)}


FormDep = Annotated[dict[str, str], Depends(_form)]


@router.get("/concerns/new", response_class=HTMLResponse)
def new_concern(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                person: int | None = None) -> HTMLResponse:
    """The form; opened for a child (``?person=``), it is filled in with who they are and
    offers the addresses agencies record them at."""
    local = now.astimezone(LONDON)
    values = {"reference": f"CON-{local:%Y%m%d-%H%M%S}-{secrets.token_hex(2).upper()}",
              "raised_by": principal.display_name, "occurred-day": str(local.day),
              "occurred-month": str(local.month), "occurred-year": str(local.year),
              "occurred-time": f"{local:%H:%M}"}
    child = None
    if person is not None:
        child = known_child(session, principal=principal, person_id=person,
                            why="opened the concern form for the child")
        values |= _child_values(child)
    return _page(request, principal, values, {}, child=child)


def _child_values(child: KnownChild) -> dict[str, str]:
    person = child.person
    values = {"person": str(person.id), "child-given_name": person.given_name or "",
              "child-family_name": person.family_name or ""}
    if person.dob is not None:
        values |= {"child-dob-day": str(person.dob.day), "child-dob-month": str(person.dob.month),
                   "child-dob-year": str(person.dob.year)}
    values |= {f"child-{scheme}": value for scheme, value in child.ids.items()
               if scheme in ("nhs", "upn")}
    return values


def _page(request: Request, principal: Principal, values: dict[str, str],
          problems: dict[str, Phrase], status_code: int = 200, *,
          child: KnownChild | None = None) -> HTMLResponse:
    errors = in_language(page_language(request, principal), problems)
    listed = sorted(errors.items(), key=lambda item: FIELD_ORDER.index(item[0])
                    if item[0] in FIELD_ORDER else len(FIELD_ORDER))
    return render(request, "concerns/new.html", {
        "values": values, "field_errors": errors, "kind_words": KIND_WORDS,
        "kinds": CONCERN_KINDS, "source": source_for(principal), "nav": "inbox",
        "errors": [{"text": text, "href": f"#{field}"} for field, text in listed],
        "child": child, "other_address": OTHER_ADDRESS,
    }, principal=principal, status_code=status_code)


def _date(form: dict[str, str], prefix: str) -> date | str | None:
    parts = [form.get(f"{prefix}-{p}", "") for p in ("day", "month", "year")]
    if not any(parts):
        return None
    if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return "must be a real date, in numbers, with a 4-digit year"
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        return "must be a real date"


def build_concern(form: dict[str, str], source: str, child: KnownChild | None = None
                  ) -> tuple[dict[str, Any], dict[str, Phrase]]:
    """The concern event the form describes, and form problems found before validation.

    For a known child, a chosen address of theirs is sent as it is stored (its UPRN too),
    so the concern is filed at that very address."""
    errors: dict[str, Phrase] = {}
    payload: dict[str, Any] = {"event": "concern", "source": source,
                               "source_id": form.get("reference", "")}
    for name in ("kind", "summary", "raised_by"):
        if form.get(name):
            payload[name] = form[name]
    day = _date(form, "occurred")
    clock = _TIME.match(form.get("occurred-time", "").replace(" ", ""))
    if not isinstance(day, date):
        errors["occurred-day"] = phrase(CONCERN_DATE, words={"problem": day}) if day else \
            Phrase(ENTER_DATE)
    elif not clock or int(clock.group(1)) > 23 or int(clock.group(2)) > 59:
        errors["occurred-time"] = Phrase(ENTER_TIME)
    else:
        wall = time(int(clock.group(1)), int(clock.group(2)))
        payload["occurred_at"] = local_to_utc(day, wall).isoformat()
    child_fields: dict[str, Any] = {k: form[f"child-{k}"] for k in ("given_name", "family_name")
                                    if form.get(f"child-{k}")}
    dob = _date(form, "child-dob")
    if isinstance(dob, str):
        errors["child-dob-day"] = phrase(CHILD_DOB, words={"problem": dob})
    elif dob is not None:
        child_fields["dob"] = dob.isoformat()
    ids = {k: form[f"child-{k}"] for k in ("nhs", "upn") if form.get(f"child-{k}")}
    if ids:
        child_fields["ids"] = ids
    payload["child"] = child_fields
    choice = form.get("address-choice", "")
    if child is not None and choice and choice != OTHER_ADDRESS:
        known = child.address(int(choice)) if choice.isdigit() else None
        if known is None:
            errors["address-choice"] = Phrase(CHOOSE_ADDRESS)
        else:
            payload["address"] = address_fields(known.address)
        return payload, errors
    address = {k: form[f"address-{k}"] for k in ("line1", "town", "postcode")
               if form.get(f"address-{k}")}
    if address:
        payload["address"] = address
    return payload, errors


def _field(path: str) -> str:
    if path.startswith("child.ids."):
        return "child-" + path.removeprefix("child.ids.")
    if path in ("child", "child.given_name", "child.family_name"):
        return "child-given_name"
    if path.startswith("child.dob"):
        return "child-dob-day"
    if path.startswith("address."):
        return "address-" + ("postcode" if "postcode" in path else "line1")
    if path in ("occurred_at", "(line)"):
        return "occurred-day"
    return path


MESSAGES = {"kind": "Select what the concern is about", "summary": "Describe the concern",
            "child-given_name": "Enter the child’s given name or family name"}
# What else is wrong with the form, in words a page translates (safeguard/words.py).
CONCERN_DATE, ENTER_DATE = "The date of the concern %(problem)s", "Enter the date of the concern"
ENTER_TIME = "Enter the time as hours and minutes, for example 14:30"
CHILD_DOB = "The child’s date of birth %(problem)s"
CHOOSE_ADDRESS = "Select one of the child’s addresses, or a different address"
CANNOT_RAISE = "Your agency cannot raise concerns here"
RECORDED_OTHERWISE = "This concern was already recorded differently: reload the form"
#: What _date finds wrong with a date, filling "... date of birth %(problem)s".
DATE_PROBLEMS = ("must be a real date, in numbers, with a 4-digit year", "must be a real date")
FORM_WORDS = (*MESSAGES.values(), CONCERN_DATE, ENTER_DATE, ENTER_TIME, CHILD_DOB,
              CHOOSE_ADDRESS, CANNOT_RAISE, RECORDED_OTHERWISE, *DATE_PROBLEMS)


@router.post("/concerns", dependencies=[CsrfDep], response_model=None)
def raise_concern(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                  ctx: RulesDep, form: FormDep) -> Response:
    source = source_for(principal)
    if source is None:
        return _page(request, principal, form, {"kind": Phrase(CANNOT_RAISE)}, status_code=403)
    child = None
    if form.get("person", "").isdigit():
        child = known_child(session, principal=principal, person_id=int(form["person"]),
                            why="raised a concern from the form opened for the child")
    payload, errors = build_concern(form, source, child)
    data: ConcernEvent | None = None
    try:
        data = ConcernEvent.model_validate(payload)
    except ValidationError as error:
        for path, reason in describe_errors(error):
            field = _field(path)
            errors.setdefault(field, Phrase(MESSAGES.get(field, reason[:1].upper() + reason[1:])))
    if errors or data is None:
        return _page(request, principal, form, errors, status_code=422, child=child)
    done = accept_event(session, data=data, raw=payload, via="form", principal=principal,
                        now=now, ctx=ctx)
    concern_id = done.concern_id or concern_of_event(session, event_id=done.event_id)
    if concern_id is None:
        return _page(request, principal, form, {"kind": Phrase(RECORDED_OTHERWISE)}, 409,
                     child=child)
    joint = "&joint=1" if done.duty_ids else ""
    return RedirectResponse(f"/concerns/{concern_id}?recorded=1{joint}", status_code=303)


@router.get("/concerns/{concern_id}", response_class=HTMLResponse)
def concern_page(request: Request, concern_id: int, session: SessionDep, principal: UserDep,
                 recorded: str = "", joint: str = "") -> HTMLResponse:
    concern = concern_for_agency(session, concern_id=concern_id, principal=principal)
    audit(session, principal=principal, action="read", entity="concern", entity_id=concern.id,
          person_id=concern.person_id, why="viewed the concern")
    event = session.get_one(Event, concern.event_id)
    # The child as the concern named them: the person it was matched to may be known to
    # other agencies by more than the raiser gave, which the raiser has no relationship to see.
    named = session.scalar(select(PersonRecord).where(PersonRecord.event_id == event.id))
    return render(request, "concerns/detail.html", {
        "concern": concern, "reference": event.source_id, "kind_words": KIND_WORDS,
        "child": full_name(named.given_name, named.family_name) if named else "the child",
        "recorded": bool(recorded), "joint": bool(joint), "nav": "inbox",
    }, principal=principal)
