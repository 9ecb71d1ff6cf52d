"""How fast the measures answer over a large store, and how fast they follow new duties.

Builds a store of N events (default 1,000,000) and M duties (default 200,000) spread over the
last 12 months, with their shares, incidents and history, written straight into the tables
(the import's own speed is bench/import_county.py's subject), then:
  1. brings the figures up to date from nothing (`measures.facts.refresh`: the first pass
     after an upgrade), timed once;
  2. times, as medians of --repeats runs, what each page asks: the dashboard (every
     indicator's total and months) and each measure's page (months, agencies, areas, times),
     and the first page of records behind a figure;
  3. adds 1,000 duties' history (acknowledgements and breaches) and times the refresh that
     takes them in: the work done as events arrive.

    .venv/bin/python bench/measures.py                              # 1M events, 200k duties
    .venv/bin/python bench/measures.py --events 100000 --duties 20000 --backends sqlite
    .venv/bin/python bench/measures.py --store sqlite:////tmp/.../bench.db   # measure again
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from import_county import _drop_postgres_database, _fresh_database
from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from safeguard.access.service import Principal, ensure_agency, ensure_core_agencies
from safeguard.config import MeasureSettings
from safeguard.db import make_engine, make_session_factory
from safeguard.duties.models import Duty, DutyTransition
from safeguard.events.models import Event
from safeguard.incidents.models import Incident
from safeguard.measures.declarations import MEASURES, SHARES_IN_TIME
from safeguard.measures.facts import refresh
from safeguard.measures.figures import Filters, Part, default_filters, records
from safeguard.measures.views import dashboard, indicator_view
from safeguard.migrate import upgrade
from safeguard.people.models import Address, Person
from safeguard.sharing.models import Share

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
BATCH = 20_000
KINDS = (("share_with_csc", 0.35), ("encompass_notice", 0.15), ("strategy_discussion", 0.1),
         ("referral_decision", 0.2), ("data_quality", 0.2))
SCHOOLS = [f"school-{100000 + n}" for n in range(40)]
DISTRICTS = [f"NN{n}" for n in range(1, 21)]


def _rows(table: Any, rows: list[dict[str, Any]], session: Session) -> None:
    for at in range(0, len(rows), BATCH):
        session.execute(insert(table), rows[at:at + BATCH])


def build(engine: Engine, *, events: int, duties: int, seed: int) -> None:
    rng = random.Random(seed)
    factory = make_session_factory(engine)
    with factory() as session:
        ensure_core_agencies(session)
        for school in SCHOOLS:
            ensure_agency(session, agency_id=school, name=school, kind="school",
                          school_urn=school[-6:])
        _rows(Address, [{"id": n + 1, "line1": f"{n} Road", "match_key": f"a{n}",
                         "postcode": f"{rng.choice(DISTRICTS)} {n % 9}AB"}
                        for n in range(2000)], session)
        _rows(Person, [{"id": n + 1, "given_name": f"P{n}", "family_name": "Bench",
                        "match_key": f"p{n}", "created_at": NOW} for n in range(50_000)], session)
        incidents = max(events // 10, 1)
        start = NOW - timedelta(days=365)
        when = [start + timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(incidents)]
        _rows(Event, [{"id": n + 1, "event_type": "incident" if n < incidents else "person",
                       "source": "bench", "source_id": str(n), "payload_hash": "0",
                       "payload": {"n": n}, "received_via": "import", "actor": "bench",
                       "received_at": NOW, "occurred_at": when[n] if n < incidents else None}
                      for n in range(events)], session)
        _rows(Incident, [{"event_id": n + 1, "reference": f"INC-{n}", "address_id": n % 2000 + 1,
                          "kind": "domestic_abuse" if n % 3 else "concern_for_welfare",
                          "occurred_at": when[n], "recorded_at": when[n], "live": True}
                         for n in range(incidents)], session)
        duty_rows, share_rows, history = [], [], []
        names = [k for k, _ in KINDS]
        weights = [w for _, w in KINDS]
        for n in range(duties):
            kind = rng.choices(names, weights)[0]
            event = rng.randrange(incidents)
            created = when[event] + timedelta(minutes=5)
            due = created + timedelta(hours=24)
            partner = {"share_with_csc": "childrens_social_care",
                       "encompass_notice": rng.choice(SCHOOLS)}.get(kind)
            owner = "childrens_social_care" if kind in ("strategy_discussion",
                                                       "referral_decision") else "police"
            done = created + timedelta(hours=rng.uniform(0.2, 40)) if rng.random() < 0.85 \
                else None
            if done is not None and done > NOW:
                done = None
            breached = due if due < NOW and (done is None or done > due) else None
            status = "discharged" if done else ("breached" if breached else "open")
            duty_rows.append({
                "id": n + 1, "kind": kind, "status": status, "owner_agency_id": owner,
                "partner_agency_id": partner, "subject_person_id": rng.randrange(50_000) + 1,
                "event_id": event + 1, "due_at": due, "created_at": created,
                "reason": "bench", "rule_name": "bench", "rule_version": "1",
                "dedupe_key": f"bench:{n}", "escalation_level": 0, "breached_at": breached,
                "discharged_at": done, "evidence": ["Concerns from 2 agencies"]
                if kind == "strategy_discussion" and n % 2 else None})
            history.append({"duty_id": n + 1, "at": created, "action": "created",
                            "to_status": "open", "actor": "bench"})
            for at, action in ((breached, "breached"), (done, "discharged")):
                if at is not None:
                    history.append({"duty_id": n + 1, "at": at, "action": action,
                                    "to_status": action, "actor": "bench"})
            if partner:
                share_rows.append({
                    "duty_id": n + 1, "kind": kind, "from_agency_id": "police",
                    "to_agency_id": partner, "subject_person_id": duty_rows[-1][
                        "subject_person_id"], "event_id": event + 1, "purpose": "bench",
                    "content": {"recorded_by_officer": n % 5 != 0}, "created_at": created,
                    "delivered_at": created, "acknowledged_at": done,
                    "lawful_basis": "bench"})
        # Strategy discussions: one open per child at most (the database holds to it).
        seen: set[int] = set()
        for row in duty_rows:
            if row["kind"] == "strategy_discussion" and row["status"] != "discharged":
                if row["subject_person_id"] in seen:
                    row["status"], row["discharged_at"] = "discharged", row["due_at"]
                seen.add(row["subject_person_id"])
        _rows(Duty, duty_rows, session)
        _rows(Share, share_rows, session)
        _rows(DutyTransition, history, session)
        session.commit()


def _median(action: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        begun = time.perf_counter()
        action()
        times.append(time.perf_counter() - begun)
    return statistics.median(times)


def measure(engine: Engine, *, repeats: int) -> dict[str, float]:
    factory = make_session_factory(engine)
    settings = MeasureSettings()
    found: dict[str, float] = {}
    with factory() as session:
        begun = time.perf_counter()
        refresh(session)
        session.commit()
        found["first refresh (every duty)"] = time.perf_counter() - begun
    filters = default_filters(NOW, settings)
    reader = Principal(kind="user", id=1, name="bench", display_name="Bench",
                       agency_id="childrens_social_care", agency_name="CSC",
                       agency_kind="childrens_social_care",
                       roles=frozenset({"practitioner"}))
    with factory() as session:
        found["dashboard"] = _median(
            lambda: dashboard(session, filters=filters, settings=settings), repeats)
        for m in MEASURES:
            if m.indicators:
                found[f"page: {m.slug}"] = _median(lambda m=m: [indicator_view(
                    session, indicator=i, filters=filters, settings=settings)
                    for i in m.indicators], repeats)
        found["page: sharing, one agency and area"] = _median(lambda: indicator_view(
            session, indicator=SHARES_IN_TIME, settings=settings, filters=Filters(
                filters.months, "childrens_social_care", DISTRICTS[0])), repeats)
        found["records behind a month (first 500)"] = _median(lambda: records(
            session, principal=reader, indicator=SHARES_IN_TIME,
            filters=Filters(filters.months[-2:-1]), part=Part.MISSED), repeats)
        session.rollback()
    with factory() as session:  # 1,000 duties' history grows, as the worker would see it
        ids = session.scalars(select(Duty.id).where(Duty.status != "discharged")
                              .order_by(Duty.id).limit(1000)).all()
        session.execute(update(Duty).where(Duty.id.in_(ids)).values(
            status="discharged", discharged_at=NOW))
        session.execute(insert(DutyTransition), [
            {"duty_id": i, "at": NOW, "action": "discharged", "to_status": "discharged",
             "actor": "bench"} for i in ids])
        session.commit()
        refresh(session)  # the pass before: its ids are looked at once more below
        session.commit()
        begun = time.perf_counter()
        judged = refresh(session)
        session.commit()
        found[f"refresh after {len(ids)} duties changed ({judged} judged)"] = \
            time.perf_counter() - begun
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--duties", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store", help="measure a store built before (no build, no drop)")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL store")
    args = parser.parse_args()
    if args.store:
        engine = make_engine(args.store)
        for what, seconds in measure(engine, repeats=args.repeats).items():
            print(f"{engine.dialect.name}: {what}: {seconds * 1000:.0f} ms", flush=True)
        return 0
    workdir = Path(tempfile.mkdtemp(prefix="bench-measures-"))
    for backend in args.backends.split(","):
        try:
            url = _fresh_database(backend, workdir)
        except Exception as error:  # noqa: BLE001 - say why and measure the rest
            print(f"{backend}: not measured ({str(error).splitlines()[0]})")
            continue
        engine = make_engine(url)
        upgrade(engine)
        begun = time.perf_counter()
        build(engine, events=args.events, duties=args.duties, seed=args.seed)
        print(f"{backend}: built {args.events:,} events and {args.duties:,} duties in "
              f"{time.perf_counter() - begun:.0f} s", flush=True)
        print(f"{backend}: store at {url}", flush=True)
        for what, seconds in measure(engine, repeats=args.repeats).items():
            print(f"{backend}: {what}: {seconds * 1000:.0f} ms", flush=True)
        engine.dispose()
        if backend == "postgresql" and not args.keep:
            _drop_postgres_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
