"""The digital forensics unit's pages: the queue board (filters in the URL, works without
JavaScript, htmx swaps the results), the backlog's forecast with its chart and table, and
one device's page with the timeline of every step, its findings and its duties.

The queue is the police's: any other agency is refused (and the refusal audited). What a
device's findings tell children's social care reaches it as a share, in its inbox.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.audit.service import record_many
from safeguard.duties.models import Duty
from safeguard.duties.presenters import duty_rows, person_names, span_words
from safeguard.errors import InvalidField, NotFound
from safeguard.events.forensics import DeviceKind
from safeguard.events.schemas import EVENT_ADAPTER, describe_errors
from safeguard.forensics.chart import chart
from safeguard.forensics.models import Device, DeviceStep
from safeguard.forensics.queue import (
    MAX_EXTRA_EXAMINERS,
    STAGE_CHOICES,
    QueueFilter,
    backlog,
    clock_of,
    priority_figures,
    queue,
    require_police,
)
from safeguard.forensics.service import NEXT_STEPS, suspect_children
from safeguard.intake.service import accept_event
from safeguard.rules.forensics import OFFENCE_WORDS, FindingsFacts, findings_words
from safeguard.web.deps import CsrfDep, NowDep, RulesDep, SessionDep, UserDep
from safeguard.web.query import page_number as parse_page
from safeguard.web.render import is_htmx, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
DEVICE_CHOICES: tuple[str, ...] = get_args(DeviceKind)
NEXT_STEPS_WORDS = {"triage": "Triaged", "started": "Examination started",
                    "completed": "Examination completed",
                    "returned_unexamined": "Returned unexamined"}
FINDING_FIELDS = ("category_a", "category_b", "category_c", "new_images")
FIELD_WORDS = {"step": "Step", "category_a": "Category A", "category_b": "Category B",
               "category_c": "Category C", "new_images": "New images", "at": "Time",
               "findings": "Findings"}
STEP_WORDS = {"submitted": "Submitted to the unit", "triage": "Triaged",
              "started": "Examination started", "completed": "Examination completed",
              "returned_unexamined": "Returned unexamined",
              "priority_raised": "Priority raised"}


def _choice(value: str, choices: tuple[str, ...]) -> str:
    return value if value in choices else ""


@router.get("/forensics", response_class=HTMLResponse)
def queue_page(
    request: Request, session: SessionDep, principal: UserDep, now: NowDep, rules: RulesDep,
    priority: str = "", stage: str = "", device: str = "", breached: str = "",
    page: str = "1",
) -> HTMLResponse:
    require_police(principal)
    priority = _choice(priority, ("1", "2", "3"))
    stage = _choice(stage, STAGE_CHOICES)
    device = _choice(device, DEVICE_CHOICES)
    number = parse_page(page)
    filters = QueueFilter(priority=int(priority) if priority else None, stage=stage or None,
                          device=device or None, breached_only=bool(breached))
    rows, total = queue(session, principal=principal, now=now, filters=filters,
                        limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE,
                        why="listed on the forensics queue")
    query = {"priority": priority, "stage": stage, "device": device,
             "breached": "1" if breached else ""}
    ctx: dict[str, Any] = {
        "rows": rows, "total": total, "query": query, "nav": "forensics",
        "figures": priority_figures(session, now=now, settings=rules.forensics),
        "stage_choices": STAGE_CHOICES, "device_choices": DEVICE_CHOICES,
        "first_index": (number - 1) * PAGE_SIZE + 1,
        "previous_url": _page_url(query, number - 1) if number > 1 else None,
        "next_url": _page_url(query, number + 1) if number * PAGE_SIZE < total else None,
        "now": now,
    }
    if is_htmx(request):
        return render(request, "forensics/_results.html", {**ctx, "htmx": True},
                      principal=principal)
    return render(request, "forensics/queue.html", ctx, principal=principal)


def _page_url(query: dict[str, str], page: int) -> str:
    params = {k: v for k, v in query.items() if v}
    if page > 1:
        params["page"] = str(page)
    return "/forensics" + (f"?{urlencode(params)}" if params else "")


@router.get("/forensics/forecast", response_class=HTMLResponse)
def forecast_page(request: Request, session: SessionDep, principal: UserDep, now: NowDep,
                  rules: RulesDep, extra_examiners: str = "0") -> HTMLResponse:
    require_police(principal)
    extra = int(extra_examiners) if extra_examiners.isascii() and extra_examiners.isdigit() \
        else 0
    extra = min(extra, MAX_EXTRA_EXAMINERS)
    report = backlog(session, now=now, settings=rules.forensics, extra_examiners=extra)
    return render(request, "forensics/forecast.html", {
        "report": report, "forecast": report.forecast, "chart": chart(report.series),
        "extra": extra, "nav": "forensics",
        "outlooks": dict(zip((p.priority for p in report.priorities),
                             report.forecast.outlooks, strict=True)),
    }, principal=principal)


@router.get("/forensics/devices/{device_id}", response_class=HTMLResponse)
def device_page(request: Request, device_id: int, session: SessionDep, principal: UserDep,
                now: NowDep, recorded: str = "") -> HTMLResponse:
    require_police(principal)
    device = _device(session, device_id)
    return render(request, "forensics/device.html", {
        **_device_context(session, device, principal=principal, now=now),
        "recorded": recorded in NEXT_STEPS_WORDS}, principal=principal)


@router.post("/forensics/devices/{device_id}/steps", dependencies=[CsrfDep],
             response_model=None)
async def record_step(request: Request, device_id: int, session: SessionDep,
                      principal: UserDep, now: NowDep, rules: RulesDep) -> Response:
    """The unit records a step of the examination as it happens: the same event, and the same
    checks, as an import or the API (a step's findings name no victims here: those come with
    the examiner's report, by import or API)."""
    require_police(principal)
    device = _device(session, device_id)
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    step = form.get("step", "")
    payload: dict[str, Any] = {
        "event": "device_examination", "source": "police",
        "source_id": f"{device.exhibit}/{step or 'step'}-{now:%Y%m%dT%H%M%S}",
        "submission": device.exhibit, "at": now.isoformat(), "step": step,
        "examiner": principal.display_name}
    counts = {key: form.get(key, "").strip() for key in FINDING_FIELDS}
    if any(counts.values()):
        payload["findings"] = {key: value for key, value in counts.items() if value}
    errors: dict[str, str] = {}
    try:
        data = EVENT_ADAPTER.validate_python(payload)
        # A refused step undoes only itself (its stored event too), as a refused import
        # line does: the page's reads and their audit still commit.
        with session.begin_nested():
            accept_event(session, data=data, raw=payload, via="form", principal=principal,
                         ctx=rules, now=now)
    except ValidationError as error:
        errors = {path.rsplit(".", 1)[-1]: reason for path, reason in describe_errors(error)}
    except InvalidField as refused:
        errors = {refused.field: refused.reason}
    if errors:
        return render(request, "forensics/device.html", {
            **_device_context(session, device, principal=principal, now=now),
            "errors": [{"text": f"{FIELD_WORDS.get(k, k)}: {v}", "href": f"#{k}"}
                       for k, v in errors.items()],
            "field_errors": errors, "form": form}, principal=principal, status_code=422)
    return RedirectResponse(f"/forensics/devices/{device_id}?recorded={step}", status_code=303)


def _device(session: Session, device_id: int) -> Device:
    device = session.get(Device, device_id)
    if device is None:
        raise NotFound(f"device {device_id} not found")
    return device


def _device_context(session: Session, device: Device, *, principal: Principal,
                    now: datetime) -> dict[str, Any]:
    steps = list(session.scalars(select(DeviceStep).where(DeviceStep.device_id == device.id)
                                 .order_by(DeviceStep.at, DeviceStep.id)))
    victim_ids = [pid for s in steps for pid in (s.findings or {}).get("victim_person_ids", [])]
    names = person_names(session, [*victim_ids, *([device.suspect_person_id]
                                                  if device.suspect_person_id else [])])
    children = suspect_children(session, device=device, now=now)
    duties = _duties_of(session, device, steps)
    audit(session, principal=principal, action="read", entity="forensic_device",
          entity_id=device.id, person_id=device.suspect_person_id, why="viewed the device")
    record_many(session, principal=principal, action="read", entity="forensic_device",
                entity_id=device.id, person_ids=sorted({*victim_ids,
                                                        *(c.person_id for c in children)}),
                why="viewed the device")
    clock, due = clock_of(device)
    return {
        "device": device, "nav": "forensics", "names": names, "children": children,
        "timeline": [_timeline_item(s, names) for s in reversed(steps)],
        "duty_rows": duty_rows(session, duties, now=now),
        "clock": clock, "due": due, "overdue": due < now and device.ended_at is None,
        "age": span_words(now - device.submitted_at),
        "offence": OFFENCE_WORDS.get(device.offence, device.offence).capitalize(),
        "next_steps": [(step, NEXT_STEPS_WORDS[step]) for step in NEXT_STEPS[device.stage]],
        "errors": [], "field_errors": {}, "form": {},
    }


def _duties_of(session: Session, device: Device, steps: list[DeviceStep]) -> list[Duty]:
    """The device's own duties and every duty its steps raised (shares, discussions)."""
    events = {device.event_id, *(s.event_id for s in steps if s.event_id is not None)}
    own = [i for i in (device.triage_duty_id, device.examination_duty_id) if i is not None]
    return list(session.scalars(select(Duty).where(or_(
        Duty.id.in_(own), Duty.event_id.in_(events))).order_by(Duty.created_at, Duty.id)))


def _timeline_item(step: DeviceStep, names: dict[int, str]) -> dict[str, Any]:
    text = step.note
    if step.findings is not None:
        found = step.findings
        words = findings_words(FindingsFacts(
            found.get("category_a", 0), found.get("category_b", 0), found.get("category_c", 0),
            found.get("new_images", 0), step.at, step.kind))
        victims = [names.get(pid, f"person {pid}") for pid in found.get("victim_person_ids", [])]
        text = f"Found {words}." + (f" Identified: {', '.join(victims)}." if victims else "")
    return {"label": STEP_WORDS.get(step.kind, step.kind), "datetime": step.at,
            "byline": step.examiner, "text": text}
