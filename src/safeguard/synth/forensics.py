"""The county's digital forensics queue: seized devices submitted over eighteen months and the
steps of their examination, with arrivals outpacing examinations so that a backlog builds up,
examined in priority order so that old priority-3 devices form a long tail.

Its own random stream (from the county's seed), so the rest of the county is unchanged.
Rates (all assumptions, scaled to the county; DOMAIN.md: 25,000+ devices awaiting
examination nationally in 2022, some forces 18 months before work starts):
- Arrivals: about one device a week per 500 households, in a Poisson-like weekly count.
- Offences: 45% indecent images of children, 15% contact sexual offences, 40% other.
  Devices: 55% phones, 25% computers, 15% storage, 5% other. A threat to life on 2%; the
  officer records access to children on 15% of the sexual offences.
- Suspects: adults of the county (90% men), with their home address; a suspect whose
  household has children is priority 1 by the partners' records, as the product infers.
- Examinations: the unit completes about 80% as many devices a week as arrive, highest
  priority and oldest first; priority 1 and 2 devices are triaged within days of arriving;
  4% are returned unexamined. Findings on indecent-images devices: some images in 70%,
  category A in a quarter of those, images unknown to CAID in 10%, a child identified in 3%.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from safeguard.synth.places import london_to_utc, render_address
from safeguard.synth.population import Person, Population

MONTHS = 18
WEEKS = MONTHS * 52 // 12
HOUSEHOLDS_PER_WEEKLY_DEVICE = 500
CAPACITY = 0.8


@dataclass(eq=False)
class _Device:
    number: int
    submitted: datetime
    offence: str
    suspect: Person
    priority: int
    events: list[tuple[datetime, dict[str, object]]] = field(default_factory=list)
    done: bool = False


def _stamp(rng: random.Random, day: date) -> datetime:
    return london_to_utc(datetime.combine(day, time(rng.randint(8, 17), rng.randrange(60))))


def _person(suspect: Person) -> dict[str, object]:
    out: dict[str, object] = {"given_name": suspect.given_name,
                              "family_name": suspect.family_name,
                              "dob": suspect.dob.isoformat(), "sex": suspect.sex}
    if suspect.household is not None:
        out["address"] = render_address(suspect.household.dwelling)
    return out


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: a weekly count around a small mean."""
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def _step(device: _Device, at: datetime, step: str, suffix: str,
          findings: dict[str, object] | None = None) -> None:
    event: dict[str, object] = {
        "event": "device_examination", "source": "police",
        "source_id": f"DF-{device.number:05d}/{suffix}", "submission": f"DF-{device.number:05d}",
        "at": at.isoformat(), "step": step, "examiner": f"Examiner {device.number % 7 + 1}"}
    if findings:
        event["findings"] = findings
    device.events.append((at, event))


def _findings(rng: random.Random, device: _Device, children: list[Person]
              ) -> dict[str, object] | None:
    if device.offence == "other" or rng.random() >= 0.7:
        return None
    found: dict[str, object] = {"category_c": rng.randint(1, 400)}
    if rng.random() < 0.5:
        found["category_b"] = rng.randint(1, 120)
    if rng.random() < 0.25:
        found["category_a"] = rng.randint(1, 40)
    if rng.random() < 0.1:
        found["new_images"] = rng.randint(1, 25)
    if children and rng.random() < 0.03:
        found["victims_identified"] = [_person(rng.choice(children))]
    return found


def forensic_events(pop: Population, *, seed: int, end: date) -> list[dict[str, object]]:
    """The queue's events in time order: every submission, then its steps as they happened."""
    rng = random.Random(f"forensics-{seed}")
    adults = [p for p in pop.residents if p.age_on(end) >= 18]
    men = [p for p in adults if p.sex == "male"] or adults
    children = [p for p in pop.residents if p.age_on(end) < 18]
    if not adults:
        return []
    rate = max(1.0, len(pop.households) / HOUSEHOLDS_PER_WEEKLY_DEVICE)
    start = end - timedelta(weeks=WEEKS)
    start -= timedelta(days=start.weekday())  # weeks run Monday to Friday at the unit
    devices: list[_Device] = []
    waiting: list[_Device] = []
    for week in range(WEEKS):
        monday = start + timedelta(weeks=week)
        for _ in range(_poisson(rng, rate)):
            devices.append(_submit(rng, len(devices) + 1, monday, men, adults, end))
            waiting.append(devices[-1])
        for device in waiting:
            _triage(rng, device, end, children)
        waiting.sort(key=lambda d: (d.priority, d.submitted))
        for device in waiting[:_poisson(rng, rate * CAPACITY)]:
            _examine(rng, device, monday, end, children)
        waiting = [d for d in waiting if not d.done]
    timed = [pair for device in devices for pair in device.events]
    timed.sort(key=lambda pair: pair[0])
    return [event for _, event in timed]


def _submit(rng: random.Random, number: int, monday: date, men: list[Person],
            adults: list[Person], end: date) -> _Device:
    offence = rng.choices(("iioc", "contact_sexual_offence", "other"), (45, 15, 40))[0]
    suspect = rng.choice(men if rng.random() < 0.9 else adults)
    day = min(monday + timedelta(days=rng.randrange(5)), end)
    submitted = _stamp(rng, day)
    threat = rng.random() < 0.02
    access = offence != "other" and rng.random() < 0.15
    at_home = suspect.household is not None and bool(suspect.household.children(day))
    priority = 1 if threat or access or at_home else (2 if offence != "other" else 3)
    device = _Device(number, submitted, offence, suspect, priority)
    seized = submitted - timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
    event: dict[str, object] = {
        "event": "device_submission", "source": "police", "source_id": f"DF-{number:05d}",
        "case_reference": f"OP-{rng.randint(10000, 99999)}-{number % 97:02d}",
        "seized_at": seized.isoformat(), "submitted_at": submitted.isoformat(),
        "device": rng.choices(("phone", "computer", "storage", "other"), (55, 25, 15, 5))[0],
        "offence": offence, "suspect": _person(suspect),
        "suspect_has_access_to_children": access, "threat_to_life": threat,
        "officer": f"DC {rng.randint(100, 9999)} {suspect.family_name[:1]}."}
    device.events.append((submitted, event))
    return device


def _triage(rng: random.Random, device: _Device, end: date, children: list[Person]) -> None:
    """Priority 1 and 2 devices are triaged soon after they arrive (once)."""
    if device.priority == 3 or any(e["step"] == "triage" for _, e in device.events[1:]):
        return
    days = rng.uniform(0.2, 3) if device.priority == 1 else rng.uniform(2, 20)
    at = device.submitted + timedelta(days=days)
    if at.date() >= end:
        return
    findings = _findings(rng, device, children)
    _step(device, at, "triage", "T", findings)
    if findings and (findings.get("category_a") or findings.get("new_images")):
        device.priority = 1


def _examine(rng: random.Random, device: _Device, monday: date, end: date,
             children: list[Person]) -> None:
    last = device.events[-1][0]
    began = max(last + timedelta(hours=1), _stamp(rng, monday))
    if began.date() >= end:
        return
    device.done = True
    if rng.random() < 0.04:
        _step(device, began, "returned_unexamined", "R")
        return
    _step(device, began, "started", "S")
    finished = began + timedelta(days=rng.uniform(0.5, 6))
    if finished.date() < end:
        _step(device, finished, "completed", "C", _findings(rng, device, children))
