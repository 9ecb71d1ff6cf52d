"""An incident as the attending officer recorded it: the police's import event.

Names as given at the door (nicknames, typos), dates of birth often missing, a child's surname
assumed to be the parent's, identifiers only when the officer checked them. Children the
planner left off (``Incident.omitted``) never appear here, not even in the summary.
"""

from __future__ import annotations

import random
from datetime import date

from safeguard.synth.dash import dash_answers, level
from safeguard.synth.incidents import Incident
from safeguard.synth.names import nickname, swap_day_month, typo
from safeguard.synth.places import AddressStyle, render_address
from safeguard.synth.population import Person
from safeguard.synth.stories import child_voice, summary

__all__ = ["POLICE_ADDRESS", "render_incident"]

POLICE_ADDRESS = AddressStyle(drop_uprn=0.15, abbreviate=0.2, squash_postcode=0.05, drop_line2=0.2)


def _as_taken(
    rng: random.Random, role: str, person: Person, day: date, victim: Person | None
) -> dict[str, object]:
    """The person as the officer wrote them down at the scene."""
    child = role.startswith("child")
    given, family = person.given_name, person.family_name
    if rng.random() < (0.02 if child else 0.08):
        given = nickname(rng, given)
    if rng.random() < 0.03:
        given = typo(rng, given)
    if rng.random() < 0.03:
        family = typo(rng, family)
    if child and victim is not None and rng.random() < 0.1:
        family = victim.family_name  # assumed the child shares the parent's surname
    taken: dict[str, object] = {"role": role, "given_name": given, "family_name": family}
    if rng.random() >= {"suspect": 0.2, "victim": 0.05}.get(role, 0.2 if child else 0.1):
        dob = swap_day_month(person.dob) if rng.random() < 0.01 else person.dob
        taken["dob"] = dob.isoformat()
    taken["sex"] = "unknown" if rng.random() < 0.02 else person.sex
    ids: dict[str, str] = {}
    if person.nhs and rng.random() < 0.05:
        ids["nhs"] = person.nhs
    if person.pnc and rng.random() < (0.7 if role == "suspect" else 0.3):
        ids["pnc"] = person.pnc
    if ids:
        taken["ids"] = ids
    return taken


def render_incident(rng: random.Random, incident: Incident) -> dict[str, object]:
    day = incident.occurred.date()
    victim = next((p for role, p in incident.listed if role == "victim"), None)
    people = [_as_taken(rng, role, p, day, victim) for role, p in incident.listed]
    event: dict[str, object] = {
        "event": "incident",
        "source": "police",
        "source_id": incident.source_id,
        "kind": incident.kind,
        "occurred_at": incident.occurred.isoformat(timespec="seconds"),
        "recorded_at": incident.recorded.isoformat(timespec="seconds"),
        "address": render_address(incident.dwelling, rng, POLICE_ADDRESS),
        "officer": incident.officer,
    }
    answers: dict[str, bool] | None = None
    if incident.kind == "domestic_abuse":
        suspect = next(p for role, p in incident.listed if role == "suspect")
        has_kids = bool(incident.household.children(day))
        answers = dash_answers(
            rng,
            repeat=incident.repeat,
            children=has_kids,
            victim_female=victim is not None and victim.sex == "female",
            suspect_record=suspect.pnc is not None,
        )
    event["summary"] = summary(rng, incident.kind, people, answers)
    event["people"] = people
    if answers is not None:
        dash: dict[str, object] = {"answers": answers}
        actuarial = level(sum(answers.values()))
        if actuarial != "high" and rng.random() < 0.06:  # judgement only ever raises
            dash["professional_judgement"] = (
                "high" if actuarial == "medium" or rng.random() < 0.4 else "medium"
            )
        event["dash"] = dash
    speakers = [
        str(taken["given_name"])
        for taken, (role, person) in zip(people, incident.listed, strict=True)
        if role == "child_present" and person.age_on(day) >= 4
    ]
    voice = child_voice(rng, speakers) if incident.kind == "domestic_abuse" else None
    if voice is not None:
        event["child_voice"] = voice
    return event
