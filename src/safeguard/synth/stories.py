"""Short plain-English incident summaries and children's words, as an officer would write them.

They only ever mention what the officer recorded: a summary never names or counts a child
the officer left off the incident.
"""

from __future__ import annotations

import random

from safeguard.synth.dash import level

__all__ = ["child_voice", "summary"]

_CALLERS = (
    "The victim called police",
    "A neighbour called police",
    "A family member called police",
    "An anonymous caller contacted police",
)
_ACTS = {
    "standard": (
        "a verbal argument with shouting",
        "shouting and items being thrown",
        "the suspect pushing the victim",
        "the suspect refusing to leave the address",
    ),
    "medium": (
        "the suspect slapping the victim",
        "the suspect pushing the victim to the floor",
        "the suspect smashing the victim's phone and blocking the door",
        "the suspect punching a door next to the victim's head",
    ),
    "high": (
        "the suspect grabbing the victim by the throat",
        "threats to kill made while holding a kitchen knife",
        "the suspect strangling the victim until they nearly passed out",
        "the suspect repeatedly punching the victim and preventing them leaving",
    ),
}
_TOPICS = (
    "money",
    "the suspect's drinking",
    "the suspect's jealousy",
    "the relationship ending",
    "the victim's phone messages",
    "who should leave",
)
_OUTCOMES = (
    "The suspect was arrested at the scene.",
    "The suspect had left before officers arrived; circulated as wanted.",
    "The suspect was arrested after a short search of the area.",
    "The victim did not support a prosecution; safeguarding advice given.",
)
_WELFARE = {
    True: (
        "A neighbour reported young children crying for a long time at the address.",
        "A caller reported children left alone at the address late in the evening.",
        "School raised concern that the family had not been seen for several days.",
    ),
    False: (
        "A family member reported the occupant had not been seen for several days.",
        "A caller reported the occupant shouting and appearing confused in the street.",
        "The occupant's GP asked police to check on their welfare after missed appointments.",
    ),
}
_OTHER = (
    "Report of criminal damage to a vehicle parked outside the address.",
    "Report of a theft of a parcel from the doorstep.",
    "Neighbour dispute over noise and parking; words of advice given.",
    "Report of a burglary to a garden shed; items taken.",
)
_VOICES = (
    "{name} said they heard shouting and hid under the duvet.",
    "{name} told officers they were scared and wanted mum to be safe.",
    "{name} said this happens a lot when there has been drinking.",
    "{name} did not want to talk to officers and stayed close to the victim.",
    "{name} said they covered their ears and turned the television up.",
    "{name} asked officers whether the suspect would be coming back tonight.",
)


def _children_note(rng: random.Random, people: list[dict[str, object]]) -> str:
    present = sum(1 for p in people if p["role"] == "child_present")
    away = sum(1 for p in people if p["role"] == "child_normally_resident")
    notes: list[str] = []
    if present:
        noun = "child was" if present == 1 else "children were"
        where = rng.choice(("in the room", "upstairs", "in the house"))
        notes.append(f"{present} {noun} {where} at the time.")
    if away:
        noun = "child who lives" if away == 1 else "children who live"
        notes.append(
            f"{away} {noun} at the address {'was' if away == 1 else 'were'} staying elsewhere."
        )
    return " ".join(notes)


def summary(
    rng: random.Random, kind: str, people: list[dict[str, object]], answers: dict[str, bool] | None
) -> str:
    has_children = any(str(p["role"]).startswith("child") for p in people)
    if kind == "domestic_abuse" and answers is not None:
        band = level(sum(answers.values()))
        text = (
            f"{rng.choice(_CALLERS)} reporting {rng.choice(_ACTS[band])} during an "
            f"argument about {rng.choice(_TOPICS)}. {rng.choice(_OUTCOMES)}"
        )
    elif kind == "concern_for_welfare":
        text = (
            f"{rng.choice(_WELFARE[has_children])} Officers attended and "
            f"{rng.choice(('spoke with the occupants', 'found all safe and well'))}."
        )
    else:
        return rng.choice(_OTHER)
    note = _children_note(rng, people)
    return f"{text} {note}" if note else text


def child_voice(rng: random.Random, speakers: list[str]) -> str | None:
    """What a child present (old enough to talk) said, for about half the incidents with one."""
    if not speakers or rng.random() >= 0.5:
        return None
    return rng.choice(_VOICES).format(name=rng.choice(speakers))
