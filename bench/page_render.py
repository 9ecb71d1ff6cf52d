"""Page-drawing benchmark: how long the layout takes to draw a page, with the header and footer
landmarks drawn once (web/templates/layout.html) against GOV.UK's template.html wrapping them
as it ships (a macro that asks for the content twice, to leave out an empty landmark).

    .venv/bin/python bench/page_render.py               # 500 draws of each page, each way
    .venv/bin/python bench/page_render.py --draws 2000

Both ways draw the same pages with the same signed-in user and the same words: the error
page (what every refusal draws), the accessibility statement and the sign-in page. The
"as shipped" way is the layout with its `header` and `footer` blocks taken out, so GOV.UK's
own blocks draw them; the two ways' HTML is checked to be the same but for whitespace.
Prints the median and 90th percentile of each, and the ratio of the medians.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from typing import Any

import jinja2

from safeguard.access.service import Principal
from safeguard.web.i18n import drawing
from safeguard.web.templating import TEMPLATES_DIR, make_environment

PAGES = ("error.html", "accessibility.html", "sign_in.html")
# The layout's own header and footer blocks; without them GOV.UK's template draws both.
OWN_LANDMARKS = re.compile(r"\{% block (header|footer) %\}.*?\{% endblock %\}\n", re.S)


class _Url:
    path = "/duties"
    query = ""


class _Request:
    url = _Url()


def context() -> dict[str, Any]:
    principal = Principal(kind="user", id=1, name="user:sam", display_name="Sam Example",
                          agency_id="police", agency_name="Police (synthetic)",
                          agency_kind="police", roles=frozenset({"practitioner", "supervisor"}))
    return {"principal": principal, "csrf_token": "token", "cspNonce": "nonce", "lang": "en",
            "request": _Request(), "title": "Page not found", "status": 404,
            "message": "There is no such duty.", "problems": [], "request_id": "r1"}


def as_shipped(env: jinja2.Environment) -> jinja2.Environment:
    layout = (TEMPLATES_DIR / "layout.html").read_text("utf-8")
    stripped, count = OWN_LANDMARKS.subn("", layout)
    assert count == 2, "the layout no longer has its own header and footer blocks"
    return env.overlay(loader=jinja2.ChoiceLoader(
        [jinja2.DictLoader({"layout.html": stripped}), env.loader]))  # type: ignore[list-item]


def timings(env: jinja2.Environment, page: str, draws: int) -> tuple[list[float], str]:
    template = env.get_template(page)
    ctx = context()
    with drawing("en", None):
        html = template.render(ctx)
        seconds = []
        for _ in range(draws):
            started = time.perf_counter()
            template.render(ctx)
            seconds.append(time.perf_counter() - started)
    return seconds, html


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=500)
    args = parser.parse_args()
    ours = make_environment()
    shipped = as_shipped(ours)
    print(f"{args.draws} draws of each page; milliseconds per draw")
    print(f"{'page':<20} {'once: median':>13} {'p90':>7} {'as shipped: median':>19} {'p90':>7}"
          f" {'ratio':>6}")
    for page in PAGES:
        once, html_once = timings(ours, page, args.draws)
        twice, html_twice = timings(shipped, page, args.draws)
        assert re.sub(r"\s+", "", html_once) == re.sub(r"\s+", "", html_twice), page
        a, b = statistics.median(once) * 1000, statistics.median(twice) * 1000
        p90a = statistics.quantiles(once, n=10)[-1] * 1000
        p90b = statistics.quantiles(twice, n=10)[-1] * 1000
        print(f"{page:<20} {a:>13.2f} {p90a:>7.2f} {b:>19.2f} {p90b:>7.2f} {b / a:>6.1f}")


if __name__ == "__main__":
    main()
