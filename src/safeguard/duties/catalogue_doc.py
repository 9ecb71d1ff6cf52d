"""docs/duties.md, written from the duty kinds' declarations (`safeguard kinds`), so the
document and the product cannot disagree (a test compares them)."""

from __future__ import annotations

from safeguard.rules.catalogue import KINDS
from safeguard.rules.kinds import DutyKind, Side


def _who(kind: DutyKind) -> str:
    role = f" ({kind.owner_role.value.replace('_', ' ')})" if kind.owner_role else ""
    partner = f" -> {kind.partner.value.replace('_', ' ')}" if kind.partner else ""
    return f"{kind.owner.value.replace('_', ' ')}{role}{partner}"


def _discharge(kind: DutyKind) -> str:
    parts = []
    for side in (kind.discharged_by, *(s for s in Side if s is not kind.discharged_by)):
        outcomes = kind.outcomes_for(side)
        if side is kind.discharged_by:
            who = "the partner acknowledging" if side is Side.PARTNER else "the owner recording"
            parts.append(who + (": " + " / ".join(o.words for o in outcomes)
                                if outcomes else ""))
        elif outcomes:
            parts.append(f"or the {side.value}: " + " / ".join(o.words for o in outcomes))
    return "; ".join(parts)


def duty_kinds_markdown() -> str:
    lines = [
        "# Duty kinds",
        "",
        "Written from the declarations in `src/safeguard/rules/` by `safeguard kinds > "
        "docs/duties.md`; a test fails if this file and the declarations disagree.",
        "",
        "| kind | title | owner -> partner | clock | discharged by | shares |",
        "|---|---|---|---|---|---|",
    ]
    for kind in KINDS.values():
        shares = ", ".join(f.key for f in kind.share.fields) if kind.share else ""
        lines.append(f"| `{kind.name}` | {kind.title} | {_who(kind)} | {kind.clock} | "
                     f"{_discharge(kind)} | {shares} |")
    lines += ["", "## What each is for", ""]
    lines += [f"- **{kind.title}** (`{kind.name}`): {kind.summary}" for kind in KINDS.values()]
    return "\n".join(lines) + "\n"
