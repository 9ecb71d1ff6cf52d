"""A hand-built store for the area measures (missing, forensics, offenders, custody): a few
duties per indicator whose figures are worked out by hand in the tests (see each comment).
All start on 5 October 2026 (T0), so every figure is October's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from safeguard.access.service import ensure_core_agencies
from safeguard.config import MissingSettings
from safeguard.custody.models import Detention, DetentionStep
from safeguard.events.service import store_event
from safeguard.forensics.models import Device
from safeguard.rules.missing import EpisodeFacts, report_evidence

from .store import CSC, T0, H, add_duty, add_share, finish, person

D = timedelta(days=1)
FAR = T0 + 400 * D  # a deadline not yet reached: the duty is still open
# 5 October 2026 10:00 in London; its midnight is 23:00 UTC (summer time).
MIDNIGHT = datetime(2026, 10, 5, 23, 0, tzinfo=UTC)
_events = iter(range(1, 1_000))


def event(session: Session, source: str = "test") -> int:
    return store_event(session, event_type="incident", source=source,
                       source_id=f"AREA-{next(_events)}", payload={}, occurred_at=T0,
                       via="import", actor="test").event_id


def repeat_line(child: int) -> str:
    """The repeat trigger's own evidence line: a third episode within 90 days."""
    facts = EpisodeFacts(reference="MIS-3", person_id=child, child_name="Ivy Example",
                         child_dob=None, age=None, missing_from="home", last_seen_at=T0,
                         reported_at=T0, risk="medium", indicators=(),
                         earlier_starts=(T0 - 40 * D, T0 - 20 * D))
    (line,) = report_evidence(facts, MissingSettings())
    return line


def _duty(session: Session, kind: str, name: str, child: int, due: datetime,
          owner: str = "police", evidence: tuple[str, ...] = (),
          event_id: int | None = None) -> int:
    return add_duty(session, event_id=event_id or event(session), kind=kind, owner=owner,
                    partner=None, person=child, created=T0, due=due, name=name,
                    evidence=evidence)


def build_missing(session: Session, child: int) -> dict[str, int]:
    rhi, owed = "return_home_interview", T0 + 72 * H
    ids = {n: _duty(session, rhi, n, child, owed if n != "R3" else FAR, owner=CSC)
           for n in ("R1", "R2", "R3", "R4")}
    # R1 held after 10 h; R2 past 72 h, held at 80 h; R3 not yet due; R4 declined at 30 h.
    finish(session, ids["R1"], at=T0 + 10 * H, outcome="completed")
    finish(session, ids["R2"], breached=owed, at=T0 + 80 * H, outcome="completed")
    finish(session, ids["R4"], at=T0 + 30 * H, outcome="declined")
    repeat, high = repeat_line(child), "Missing episode MIS-9 was graded high risk at report"
    sd, due = "strategy_discussion", T0 + 2 * D
    # M1 (repeat): breached, then held late. M2: high risk only, not a repeat. M3 (repeat and
    # high risk): breached, never held. M4 (repeat): not yet due. M5 (repeat): a duplicate.
    # A child has one open at a time, so each is another child's.
    for name, evidence, until in (("M1", (repeat,), due), ("M2", (high,), due),
                                  ("M3", (high, repeat), due), ("M4", (repeat,), FAR),
                                  ("M5", (repeat,), due)):
        ids[name] = _duty(session, sd, name, person(session, f"Missing{name}"), until,
                          owner=CSC, evidence=evidence)
    finish(session, ids["M1"], breached=due, at=due + 5 * H, outcome="section_47")
    finish(session, ids["M2"], at=T0 + H, outcome="section_47")
    finish(session, ids["M3"], breached=due)
    finish(session, ids["M5"], at=T0 + H, outcome="duplicate")
    return ids


def build_forensics(session: Session, suspect: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    # D1 (priority 1) examined in 5 days of 30; D2 (priority 1) past its
    # clock, still waiting; D3 (priority 2) waiting, not yet due; D4 (priority 3) examined
    # in 100 days of 180.
    for name, priority, due in (("D1", 1, T0 + 30 * D), ("D2", 1, T0 + 30 * D),
                                ("D3", 2, FAR), ("D4", 3, T0 + 180 * D)):
        submitted = event(session)
        ids[name] = _duty(session, "device_examination", name, suspect, due,
                          event_id=submitted)
        session.add(Device(event_id=submitted, exhibit=f"EX-{name}", case_reference="CASE-1",
                           device="laptop", offence="iioc", seized_at=T0, submitted_at=T0,
                           priority=priority, priority_reason="test", complete_due_at=due,
                           examination_duty_id=ids[name]))
    session.flush()
    finish(session, ids["D1"], at=T0 + 5 * D, outcome="completed")
    finish(session, ids["D2"], breached=T0 + 30 * D)
    finish(session, ids["D4"], at=T0 + 100 * D, outcome="completed")
    return ids


def build_offenders(session: Session, offender: int, child: int) -> dict[str, int]:
    due = T0 + 28 * D
    ids = {n: _duty(session, "offender_home_visit", n, offender, due if n != "V5" else FAR)
           for n in ("V1", "V2", "V3", "V4", "V5")}
    # V1 visited in time; V2 visited late; V3 brought forward by a new plan before its
    # clock (no longer owed as it was); V4 missed, then the plan went reactive; V5 not due.
    finish(session, ids["V1"], at=T0 + 20 * D, outcome="visited")
    finish(session, ids["V2"], breached=due, at=due + 3 * D, outcome="visited")
    finish(session, ids["V3"], at=T0 + 2 * D, outcome="rescheduled")
    finish(session, ids["V4"], breached=due, at=due + D, outcome="reactive")
    share = {"person": child, "to": CSC, "kind": "offender_child_share", "due": T0 + 24 * H,
             "created": T0}
    # O1 acknowledged after 3 h; O2 never, past its 24 hours.
    ids["O1"] = add_share(session, event_id=event(session), name="O1", **share)
    ids["O2"] = add_share(session, event_id=event(session), name="O2", **share)
    finish(session, ids["O1"], at=T0 + 3 * H)
    finish(session, ids["O2"], breached=T0 + 24 * H)
    return ids


def _charged(session: Session, child: int, ref: str, charged_at: datetime) -> int:
    """A child's detention, charged at `charged_at`: the charge step's event."""
    detention = Detention(event_id=event(session), reference=ref, person_id=child,
                          custody_suite="Central", offence="robbery", arrived_at=T0 - 5 * H,
                          authorised_at=T0 - 5 * H, age=15, age_basis="stated", child=True,
                          charged_at=charged_at)
    session.add(detention)
    session.flush()
    step_event = event(session)
    session.add(DetentionStep(detention_id=detention.id, event_id=step_event, step="charged",
                              at=charged_at, source="custody"))
    session.flush()
    return step_event


def build_custody(session: Session, child: int) -> dict[str, int]:
    ids: dict[str, int] = {}
    # C1 charged at T0, raised 6 minutes later, out of custody at T0 + 6 h (by midnight).
    # C2 charged at T0 + 1 h, still held at midnight, out at T0 + 30 h: 29 hours after charge.
    for name, charged in (("C1", T0), ("C2", T0 + H)):
        ids[name] = add_duty(session, event_id=_charged(session, child, f"CR-{name}", charged),
                             kind="custody_after_charge_midnight", owner="police",
                             partner=CSC, person=child, created=charged + 0.1 * H,
                             due=MIDNIGHT, name=name)
    finish(session, ids["C1"], at=T0 + 6 * H, outcome="detention_ended")
    finish(session, ids["C2"], breached=MIDNIGHT, at=T0 + 30 * H, outcome="detention_ended")
    move = T0 + 4 * H
    # X1 moved; X2 certified; X3 taken to court first; X4 neither, past 4 hours; X5 not due.
    for name in ("X1", "X2", "X3", "X4", "X5"):
        ids[name] = _duty(session, "custody_transfer_or_certificate", name, child,
                          move if name != "X5" else FAR)
    finish(session, ids["X1"], at=T0 + 3 * H, outcome="transferred")
    finish(session, ids["X2"], at=T0 + 2 * H, outcome="certificate")
    finish(session, ids["X3"], at=T0 + 1 * H, outcome="detention_ended")
    finish(session, ids["X4"], breached=move)
    # N1: a certificate (impracticable) acknowledged in 30 minutes of its hour; N2 (no
    # secure place, risk of serious harm) never acknowledged.
    for name, reason in (("N1", "impracticable"),
                         ("N2", "no_secure_place_and_risk_of_serious_harm")):
        ids[name] = add_share(session, event_id=event(session), person=child, name=name,
                              to=CSC, kind="custody_certificate_notice", due=T0 + H,
                              created=T0, content={"reason": reason})
    finish(session, ids["N1"], at=T0 + 0.5 * H)
    finish(session, ids["N2"], breached=T0 + H)
    # A1: a request for accommodation acknowledged after 1 h of 2; A2 after 3 h, late.
    for name in ("A1", "A2"):
        ids[name] = add_share(session, event_id=event(session), person=child, name=name,
                              to=CSC, kind="custody_accommodation_request", due=T0 + 2 * H,
                              created=T0, content={"accommodation": "non_secure"})
    finish(session, ids["A1"], at=T0 + H)
    finish(session, ids["A2"], breached=T0 + 2 * H, at=T0 + 3 * H)
    return ids


def build(session: Session) -> dict[str, int]:
    ensure_core_agencies(session)
    ivy, sam, tom = (person(session, n) for n in ("Ivy", "Sam", "Tom"))
    return {**build_missing(session, ivy), **build_forensics(session, sam),
            **build_offenders(session, sam, tom), **build_custody(session, tom)}
