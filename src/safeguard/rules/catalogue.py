"""Every duty kind, gathered from the rule modules that declare them.

A kind is declared once, as a module-level `DutyKind` beside its rule; this module only
collects the declarations of the rule modules listed here (a new area of rules adds its
module to RULE_MODULES once, not each kind).
"""

from __future__ import annotations

from types import ModuleType

from safeguard.rules import (
    custody,
    forensics,
    incidents,
    inspections,
    joint,
    missing,
    offenders,
    quality,
)
from safeguard.rules.kinds import DutyKind

RULE_MODULES: tuple[ModuleType, ...] = (
    incidents, joint, quality, missing, custody, offenders, forensics, inspections,
)


def _declared(modules: tuple[ModuleType, ...]) -> dict[str, DutyKind]:
    kinds: dict[str, DutyKind] = {}
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, DutyKind):
                if value.name in kinds and kinds[value.name] is not value:
                    raise ValueError(f"duty kind {value.name!r} is declared twice")
                kinds[value.name] = value
    return dict(sorted(kinds.items()))


KINDS: dict[str, DutyKind] = _declared(RULE_MODULES)
SHARE_KINDS: tuple[str, ...] = tuple(name for name, kind in KINDS.items() if kind.is_share)


def kind_of(name: str) -> DutyKind:
    return KINDS[name]
