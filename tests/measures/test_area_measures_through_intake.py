"""The facts the area measures join in (a device's priority, a detention's charge), from
events through intake as they really arrive, not hand-built rows."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.measures.declarations import (
    ACCOMMODATION_ASKED,
    CERTIFICATES_SHARED,
    CHILDREN_MOVED,
    DEVICES_IN_TIME,
    OUT_BY_MIDNIGHT,
    Indicator,
)
from safeguard.measures.facts import refresh
from safeguard.measures.figures import Figures, Filters, figures

from ..custody.test_custody_intake import Send, detention, send, update
from ..forensics.scenario import CHILD, accept, step, submission

__all__ = ["send"]  # the custody tests' fixture: events sent through intake
NOVEMBER = Filters((date(2026, 11, 1),))


def _read(session: Session, indicator: Indicator) -> Figures:
    refresh(session)
    return figures(session, indicator=indicator, filters=NOVEMBER)


def _segments(found: Figures) -> dict[str, tuple[int, int, int]]:
    return {k: (f.numerator, f.denominator, f.open) for k, f in found.segments.items()}


def test_a_device_moves_to_its_raised_priority_and_counts_once_examined(
        session: Session, ctx: IntakeContext) -> None:
    accept(session, ctx, submission(), "2026-11-02T09:00:00+00:00")
    assert _segments(_read(session, DEVICES_IN_TIME)) == {"priority 3": (0, 0, 1)}
    # A child's record at the suspect's home raises it to priority 1.
    accept(session, ctx, CHILD, "2026-11-03T10:00:00+00:00")
    assert _segments(_read(session, DEVICES_IN_TIME)) == {"priority 1": (0, 0, 1)}
    for n, name, at in ((1, "started", "2026-11-05T09:00:00+00:00"),
                        (2, "completed", "2026-11-06T09:00:00+00:00")):
        accept(session, ctx, step(f"EX-1-S{n}", name, at), at)
    found = _read(session, DEVICES_IN_TIME)
    assert _segments(found) == {"priority 1": (1, 1, 0)}
    assert found.total.median == 4 * 24 * 3600  # submitted on the 2nd, completed on the 6th


def test_a_childs_night_after_charge_is_timed_from_the_charge(session: Session,
                                                             send: Send) -> None:
    ref = "CR-0100"
    send(detention(ref))  # authorised Sunday 29 November 19:00
    send(update(ref, 1, "charged", 3.5))  # 22:30, so midnight is 1.5 hours away
    send(update(ref, 2, "bail_refused", 4))
    send(update(ref, 3, "transfer_requested", 4.5, accommodation="non_secure"))
    send(update(ref, 4, "la_response", 5, source="childrens_social_care", offered="secure"))
    send(update(ref, 5, "certificate", 7, reason="impracticable", explanation="None free."))
    send(update(ref, 6, "taken_to_court", 14))
    held = _read(session, OUT_BY_MIDNIGHT)
    # Still held at midnight; 10.5 hours from the charge to court.
    assert (held.total.numerator, held.total.denominator) == (0, 1)
    assert held.total.median == 10.5 * 3600
    assert _segments(_read(session, CHILDREN_MOVED)) == {"certificate": (0, 1, 0)}
    # The council's answer at 5 h acknowledged the request made at 4.5 h.
    asked = _read(session, ACCOMMODATION_ASKED).total
    assert (asked.numerator, asked.denominator, asked.median) == (1, 1, 1800)
    # The certificate's notice is not yet acknowledged, nor past its hour (no worker ran).
    assert _segments(_read(session, CERTIFICATES_SHARED)) == {"impracticable": (0, 0, 1)}
