"""docs/measures.md, written from the declarations:
`python -m safeguard.measures.docs > docs/measures.md` (a test compares)."""

from __future__ import annotations

from safeguard.config import MeasureSettings
from safeguard.measures.declarations import BREAKDOWN_WORDS, MEASURES
from safeguard.measures.figures import target_of
from safeguard.measures.now import NOW_WORDS


def _percent(value: float | None) -> str:
    return "none (reported only)" if value is None else f"{value:.0%}"


def measures_markdown(settings: MeasureSettings | None = None) -> str:
    settings = settings or MeasureSettings()
    lines = [
        "# Inspection measures", "",
        "Written from the declarations in `src/safeguard/measures/declarations.py` by "
        "`python -m safeguard.measures.docs > docs/measures.md`; a test fails if this file "
        "and the declarations disagree.", "",
        "Every figure is a fraction: the numerator over the denominator, per month (London "
        f"time) for the last {settings.months} months by default "
        "(`SAFEGUARD_MEASURES_MONTHS`), filterable by agency and by area (the postcode "
        "district of the incident, else of the child's newest address). A duty counts in a "
        "month by when its clock started. Targets and amber thresholds are configuration "
        "(`SAFEGUARD_MEASURES_TARGETS`, `SAFEGUARD_MEASURES_AMBER`: JSON by indicator name); "
        "green at or above the target, amber at or above the amber threshold, red below. "
        "Every figure links to the records behind it (only duties the reader's agency "
        "takes part in are shown; each child named is audited).", "",
    ]
    for measure in MEASURES:
        lines += [f"## {measure.number}. {measure.title}", "",
                  f"The failing: {measure.failing}.", ""]
        if measure.number in NOW_WORDS:
            lines += [f"Its page also shows what stands now: {NOW_WORDS[measure.number]}. "
                      "The revisit report shows the totals.", ""]
        for indicator in measure.indicators:
            target, amber = target_of(indicator, settings)
            lines += [
                f"### {indicator.title} (`{indicator.name}`)", "",
                indicator.question, "",
                f"- Numerator: {indicator.numerator}.",
                f"- Denominator: {indicator.denominator}.",
                f"- Duty kinds read: {', '.join(f'`{k}`' for k in indicator.kinds)}.",
                f"- By agency: the {BREAKDOWN_WORDS[indicator.by]}.",
                f"- Target: {_percent(target)}; amber from {_percent(amber)}.",
            ]
            if indicator.segment:
                lines.append(f"- Also broken down by {indicator.segment}.")
            if indicator.shows_open:
                lines.append("- Also shown: the duties still open (within their clock, "
                             "outcome not yet known), the backlog.")
            if indicator.durations:
                lines.append("- Also shown: median and 90th percentile (nearest rank) of the "
                             f"time from {indicator.timed}.")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


if __name__ == "__main__":
    print(measures_markdown(), end="")
