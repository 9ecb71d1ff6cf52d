"""The model fitted to the records it is given (u from random pairs, m by expectation
maximisation from the shipped model): what these records show is learnt, what they never show
keeps its shipped weight."""

from __future__ import annotations

import random

from splink import DuckDBAPI

from safeguard.people.linkage.batch import link_rows, record_features, scaled_to
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.splink_model import features_table, fit
from safeguard.synth.names import typo

GIVEN = ("Amelia", "Oliver", "Isla", "Jack", "Freya", "Harry", "Ava", "Noah", "Mia", "Leo")
FAMILY = ("Okafor", "Whitfield", "Brennan", "Kowalski", "Ashworth", "Pemberton", "Castellano",
          "Drummond", "Fairbairn", "Harcourt")
STREETS = ("Wellingborough", "Kettering", "Billing", "Harborough", "Weedon", "Abington")


def _records() -> list[dict[str, str]]:
    """200 people, each recorded twice by agencies that spell the street differently, and
    200 others recorded once."""
    rng = random.Random(5)
    rows = []
    for n in range(400):
        street = rng.choice(STREETS)
        person = {"source": "", "given_name": rng.choice(GIVEN),
                  "family_name": rng.choice(FAMILY),
                  "dob": f"{rng.randint(2006, 2020)}-{rng.randint(1, 12):02d}-"
                         f"{rng.randint(1, 28):02d}", "sex": "", "postcode": "",
                  "address": f"{rng.randint(1, 200)} {street} Road", "nhs_number": "",
                  "upn": "", "pnc_id": "", "truth": str(n)}
        rows.append({**person, "record_id": f"{n}-a"})
        if n < 200:
            number, _, rest = person["address"].partition(" ")
            rows.append({**person, "record_id": f"{n}-b",
                         "address": f"{number} {typo(rng, street)} Road"})
    return rows


def test_records_whose_streets_are_often_misspelt_teach_the_model_to_weigh_them() -> None:
    rows = _records()
    shipped = scaled_to(load_model(), len(rows))
    fitted = fit(DuckDBAPI(), features_table([r["record_id"] for r in rows],
                                             [record_features(r) for r in rows]),
                 model=shipped)
    assert fitted.version == f"{shipped.version}+fitted"
    assert fitted.m_u["location"]["alike"][0] > 10 * shipped.m_u["location"]["alike"][0]
    # No identifier in these records: their weights stay as shipped.
    assert fitted.m_u["nhs"] == shipped.m_u["nhs"]
    assert fitted.prior == shipped.prior
    # Linked with the fitted model, each person's two records are one person, and no two
    # people are.
    person_of = link_rows(rows, model=fitted).person_of
    assert sum(person_of[f"{n}-a"] == person_of[f"{n}-b"] for n in range(200)) >= 190
    assert len({person_of[f"{n}-a"] for n in range(400)}) == 400
