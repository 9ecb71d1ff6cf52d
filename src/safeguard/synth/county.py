"""A synthetic county: schools, every agency's person records, a year of police incidents and
the police register of sex offenders (``offenders``: its rates are there). The households are
modelled in detail; the register stands for the whole force area (``force_population``
people, by default the towns' populations), most of it at plain addresses outside them.

``generate_county`` yields import events (see docs/events.md) in this order: schools, then
person records (health, education, children's social care, police, probation), then a year of
incidents (the 365 days ending on ``end``) in order of when they occurred, then the digital
forensics unit's seized devices and their examination steps in time order (``forensics``),
then the year's custody records of children (``synth.custody``: each detention followed by its
steps), the missing episodes and the concerns agencies raise. ``end`` is the county's anchor:
by default the day before today (in London), so a
county made today has its newest incidents yesterday and none in the future, and a demo opens
on recent events; tests and benchmarks pass a fixed day. The same seed and arguments (``end``
included) always give the same events: all randomness comes from one ``random.Random(seed)``
and a Faker seeded from it (the forensics queue and the custody records from streams of their
own seeded from the same seed);
nothing but that default reads the clock, and nothing iterates a set. (Faker's name lists
change between its releases, so "the same" includes the same Faker version.)

The truth (who is who, who lives where) is never written out: no event carries a person id,
and records are shuffled within each agency before numbering.

Where each rate comes from ("assumption" = chosen to look plausible, not from a source):

Households (``population``)
- Composition: 30% one person, 32% couple without children, 12% couple with children (12% of
  them step-families: ONS 2011 census ~11%), 5.5% lone parent (10% of them fathers), 2%
  multi-generational with children, 10% parents with adult children, 8.5% sharers. About 20%
  of households have dependent children, as the brief asks (ONS Families and households 2023
  gives ~27% for the UK; the brief's lower figure is kept). Mix otherwise after ONS 2023.
- Children per family 1/2/3/4: 45/38/12/5% (ONS Families and households, roughly). Twins:
  1.5% of maternities (ONS Birth characteristics). Mothers' age at first birth ~ 17-44,
  mode 28 (assumption after ONS mean age ~29-31).
- Two-thirds of couples married; 90% of married women took the husband's surname; 20% of
  children of couples carry the mother's surname; 2% of couples same-sex (assumptions).
- 12% of households moved in the two years before the incident year; 1% have a police
  record of domestic abuse from earlier years (assumptions).
- Schools: about one per 150 households (the brief; far denser than England's ~1 per 1,000),
  at least a primary and a secondary in every town used, towns used in population order.
  Every school-age child (Reception to Year 11) attends a school in their own town.

Agencies (``records``)
- Health: 98.5% of residents registered with a GP, NHS number on 95% of records; 0.5% also
  have an unmerged temporary registration (assumptions; near-universal registration is well
  documented, "list inflation" too).
- Education: 98% of school-age children on a school roll (DfE: ~1-2% electively home
  educated); UPN always, NHS number on 30% (assumption).
- Children's social care: ~4% of children (the brief; DfE Children in need 2023: ~3.3% of
  children are children in need), with all their household's adults, 9x likelier in a
  household with domestic abuse (assumption), NHS number on 85% (CP-IS asks for 95%).
- Police: everyone in an incident, the adults of households with earlier DA incidents,
  and everyone with a PNC record. PNC records: 5% of men and 1.2% of women before the
  year (an assumption, deliberately below real-life rates so that ~15% of DA suspects have
  one, as the brief asks).
- Probation: 0.5% of adults (MoJ: ~240,000 on probation in England and Wales), all with
  a PNC ID, suspects three times likelier.
- Disagreements per record, by agency (assumptions, from 0.2% to 6%): nickname, typo, a
  surname since changed, missing date of birth, day/month swapped, sex unknown, accents
  lost, an old address after a house move (10-35% of records of households that moved),
  UPRN missing (10-35%), "Rd" for "Road", lower-case postcode without a space.

Missing children (``missing``) and concerns agencies raise about children (``concerns``):
rates in those modules' docstrings.

Incidents (``incidents``)
- About 20 domestic abuse incidents per 1,000 residents a year: an assumption based on
  ONS Domestic abuse in England and Wales (year ending March 2023: ~1.4m DA-related
  incidents and crimes recorded by police, ~60m people), drawn around that mean.
- Kinds: 85% domestic abuse, 10% concern for welfare, 5% other (the brief).
- 30% of DA incidents at a household with a previous one (this year or earlier), choosing
  households with more incidents more often, so that a few have 3+ in the year (the brief;
  SafeLives reports repeat rates of 25-35% for MARAC cases).
- Households with children, lone parents and younger adults are likelier to have DA
  incidents (assumption; weights in ``incidents._Planner._da_weight``).
- Timing: by day of week and local hour (UK time, written in UTC), peaking 20:00-01:00 and at
  weekends, New Year's Day doubled (assumption after Home Office call-pattern studies).
- Victims: women in 78% of incidents between a man and a woman (ONS: ~73% of DA-related
  crime victims are women). An adult son or daughter is the suspect in half the incidents
  in households of parents with adult children; single adults and lone parents are
  abused by an ex-partner who lives elsewhere (or of no fixed abode).
- Children: each child of the household present 55% of the time; 30% of incidents with
  children leave at least one child off the record (the brief: the failing to catch).
- Officer's record: nicknames 8% (children 2%), typos 3%, no date of birth for 5% of victims,
  20% of suspects and children, 10% of others; PNC ID written for 70% of suspects who have
  one (assumptions).
- DASH: see ``dash``. Professional judgement recorded on 6% of non-high checklists, always
  raising the level.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta

from faker import Faker

from safeguard.synth.concerns import concern_events
from safeguard.synth.custody import custody_events
from safeguard.synth.forensics import forensic_events
from safeguard.synth.incidents import plan_incidents
from safeguard.synth.missing import missing_events
from safeguard.synth.offenders import FORCE_POPULATION, MAX_FORCE_POPULATION, offender_events
from safeguard.synth.officer import render_incident
from safeguard.synth.places import render_address
from safeguard.synth.population import Population, build_population
from safeguard.synth.records import agency_records
from safeguard.workdays import LONDON

__all__ = ["FORCE_POPULATION", "MAX_HOUSEHOLDS", "default_end", "generate_county"]

# NHS numbers come from the 999 test range (about 909,000 valid numbers) and must be unique;
# this keeps a county (~2.3 people a household) well inside it.
MAX_HOUSEHOLDS = 200_000


def _school_events(pop: Population) -> list[dict[str, object]]:
    return [
        {
            "event": "school",
            "source": "education",
            "source_id": f"SCH-{school.urn}",
            "urn": school.urn,
            "name": school.name,
            "phase": school.phase,
            "address": render_address(school.dwelling),
            "dsl": {"name": school.dsl_name, "email": school.dsl_email},
        }
        for school in pop.schools
    ]


def default_end(today: date | None = None) -> date:
    """The last day of the year of incidents of a county made ``today`` (by default today in
    London): the day before, since a time later today could lie in the future."""
    return (today or datetime.now(LONDON).date()) - timedelta(days=1)


def generate_county(
    *, seed: int, households: int = 2000, end: date | None = None,
    force_population: int = FORCE_POPULATION,
) -> Iterator[dict[str, object]]:
    """Yield the county's import events: schools, person records, then incidents in time order
    (the 365 days ending on ``end``, by default ``default_end()``). ``force_population`` is
    the people of the force area the modelled households are part of: it sizes the register
    of sex offenders (``offenders``).

    The whole county is built before the first event is yielded (the police records depend on
    the year's incidents), so memory grows with ``households`` (~1 MB per 200 households).
    """
    if not 1 <= households <= MAX_HOUSEHOLDS:
        raise ValueError(f"households must be between 1 and {MAX_HOUSEHOLDS:,}")
    if not 0 <= force_population <= MAX_FORCE_POPULATION:
        raise ValueError(f"force_population must be between 0 and {MAX_FORCE_POPULATION:,}")
    return _generate(seed, households, end or default_end(), force_population)


def _generate(seed: int, households: int, end: date,
              force_population: int = FORCE_POPULATION) -> Iterator[dict[str, object]]:
    rng = random.Random(seed)
    fake = Faker("en_GB")
    fake.seed_instance(rng.getrandbits(64))
    pop = build_population(rng, fake, households=households, end=end)
    incidents = plan_incidents(rng, fake, pop)
    people = agency_records(rng, pop, incidents)
    rendered = [render_incident(rng, incident) for incident in incidents]
    yield from _school_events(pop)
    yield from people
    yield from rendered
    # The digital forensics queue, from a stream of its own (synth/forensics.py).
    yield from forensic_events(pop, seed=seed, end=end)
    # From streams of their own: the rest of the county is the same without them.
    yield from custody_events(pop, seed=seed)
    yield from offender_events(pop, seed=seed, force_population=force_population)
    yield from missing_events(seed, pop)
    yield from concern_events(seed, pop)
