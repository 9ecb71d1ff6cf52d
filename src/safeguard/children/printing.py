"""The child's chronology as a PDF for a child protection conference.

WeasyPrint renders an HTML document of its own (children/chronology_pdf.html, its stylesheet
inline), as it does the inspections' revisit report. The document holds what the user sees
on the child's page, no more: the details at the top of the page and the chronology, without
the links (which lead nowhere on paper). Who made it and when is printed on every page and
audited (children.service.EXPORTED).
"""

from __future__ import annotations

from datetime import date, datetime

import jinja2
from weasyprint import HTML

from safeguard.access.service import Principal
from safeguard.children.service import ChildView
from safeguard.people.service import address_label


def chronology_html(env: jinja2.Environment, *, view: ChildView, age: int | None,
                    identifiers: list[tuple[str, str]], principal: Principal,
                    made_at: datetime, today: date, lang: str = "en") -> str:
    return env.get_template("children/chronology_pdf.html").render(
        view=view, age=age, identifiers=identifiers, principal=principal, made_at=made_at,
        today=today, addresses=[address_label(a) for a in view.addresses], lang=lang)


def chronology_pdf(env: jinja2.Environment, *, view: ChildView, age: int | None,
                   identifiers: list[tuple[str, str]], principal: Principal,
                   made_at: datetime, today: date, lang: str = "en") -> bytes:
    html = chronology_html(env, view=view, age=age, identifiers=identifiers,
                           principal=principal, made_at=made_at, today=today, lang=lang)
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
