"""What an email says. Only a link and a duty kind's title: a child's name, date of birth,
address or anything else about them stays behind sign-in, where reading it is checked and
audited. These functions are given nothing else, so nothing else can slip in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from safeguard.notify.models import Reason

PREFERENCES_PATH = "/account/notifications"


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


_DUTY_WORDS = {
    Reason.ASSIGNED: ("Assigned to you", "A duty has been assigned to you."),
    Reason.DUE_SOON: ("Due soon", "A duty your agency must act on is about to breach: it "
                                  "falls due soon."),
    Reason.BREACHED: ("Breached", "A duty your agency must act on has breached: it was not "
                                  "discharged by its due time."),
    Reason.ESCALATED: ("Escalated", "A duty has breached and is escalated to you as {role}."),
}
# Escalated to a role, the duty's holder is told too, in words of their own.
_HELD_ESCALATED = ("A duty you hold is escalated: it breached and is still not discharged, "
                   "and the managers of your agency are told.")


def _footer(base_url: str) -> str:
    return (f"You receive these emails because of your choices at "
            f"{base_url}{PREFERENCES_PATH}.\n"
            "The details stay in the service: sign in to see them.\n")


def duty_message(*, duty_id: int, title: str, reason: Reason, base_url: str,
                 role: str | None = None) -> Message:
    """`role`: the role an escalation is addressed to; without one, an escalation is told to
    the duty's holder."""
    heading, sentence = _DUTY_WORDS[reason]
    if reason is Reason.ESCALATED and role is None:
        sentence = _HELD_ESCALATED
    words = sentence.format(role=(role or "").replace("_", " "))
    return Message(
        subject=f"{heading}: {title}",
        body=(f"{words}\n\n{title}\n\nOpen the duty (you will be asked to sign in):\n"
              f"{base_url}/duties/{duty_id}\n\n{_footer(base_url)}"))


def digest_message(*, counts: Sequence[tuple[str, int, int, int]], day: date,
                   base_url: str) -> Message:
    """counts: per duty kind title, how many are open, due today and breached."""
    lines = [f"- {title}: {opened} open, {today} due today, {breached} breached"
             for title, opened, today, breached in counts]
    totals = [sum(column) for column in zip(*(c[1:] for c in counts), strict=True)]
    return Message(
        subject=(f"Your duties for {day:%-d %B %Y}: {totals[1]} due today, "
                 f"{totals[2]} breached"),
        body=("What your agency has undischarged today:\n\n" + "\n".join(lines)
              + f"\n\nSee the duties (you will be asked to sign in):\n{base_url}/duties\n\n"
              + _footer(base_url)))
