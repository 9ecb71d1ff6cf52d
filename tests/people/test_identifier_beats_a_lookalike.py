"""A record with no given name goes with the person its identifier names, never with a twin
who merely shares the surname, the home and the birthday.

Twins Jack and Harry Smith: Jack known to the school at home, Harry to health by his NHS
number, the surgery holding his birth month only and an old address. A record of "Smith",
born on their birthday, at their home, with Harry's NHS number and no given name, is Harry's:
as like Jack as it is (surname, birthday, home), an NHS number belongs to one person.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.batch import link_rows
from safeguard.people.linkage.clustering import Pair, cluster
from safeguard.people.linkage.features import features
from safeguard.people.linkage.model import load_model

from .helpers import add, link_of, person

HARRYS_NHS = "9992914173"
OLD_HOME = {"line1": "3 Mill Lane", "town": "Kettering", "postcode": "NN16 8AB"}


def test_the_pair_scores_put_the_twin_without_the_identifier_first() -> None:
    """What goes wrong without the rule: the lookalike twin scores the higher probability."""
    model = load_model()
    home = {"postcode": "NN1 1AA", "address": "12 Acacia Road"}
    record = features(family_name="Smith", dob="2015-02-11", nhs=HARRYS_NHS, **home)
    jack = features(given_name="Jack", family_name="Smith", dob="2015-02-11", sex="m", **home)
    harry = features(given_name="Harry", family_name="Smith", dob="2015-02", sex="m",
                     nhs=HARRYS_NHS, postcode="NN16 8AB", address="3 Mill Lane")
    assert model.score(record, jack).probability > model.score(record, harry).probability
    assert model.score(record, harry).probability >= model.thresholds["match"]


def test_online_a_nameless_record_goes_to_the_twin_its_nhs_number_names(
    session: Session, ctx: IntakeContext,
) -> None:
    jack, harry, nameless = add(
        session, ctx,
        person("education", "E-1", "Jack", dob="2015-02-11", sex="male"),
        person("health", "H-1", "Harry", dob=None, sex="male", address=OLD_HOME,
               nhs=HARRYS_NHS),
        person("police", "P-1", "", dob="2015-02-11", nhs=HARRYS_NHS))
    assert jack != harry
    assert nameless == harry
    assert link_of(session, "P-1").outcome == "matched"


def _row(record_id: str, given: str, dob: str, *, old_home: bool = False,
         nhs: str = "") -> dict[str, str]:
    home = ({"postcode": "NN16 8AB", "address": "3 Mill Lane, Kettering"} if old_home else
            {"postcode": "NN1 1AA", "address": "12 Acacia Road, Northampton"})
    return {"record_id": record_id, "source": record_id, "given_name": given,
            "family_name": "Smith", "dob": dob, "sex": "M" if given else "", **home,
            "nhs_number": nhs, "upn": "", "pnc_id": ""}


def test_in_a_batch_a_nameless_record_goes_to_the_twin_its_nhs_number_names() -> None:
    person_of = link_rows([
        _row("jack", "Jack", "2015-02-11"),
        _row("harry", "Harry", "2015-02", old_home=True, nhs=HARRYS_NHS),
        _row("nameless", "", "2015-02-11", nhs=HARRYS_NHS),
    ]).person_of
    assert person_of["jack"] != person_of["harry"]
    assert person_of["nameless"] == person_of["harry"]


def test_clustering_takes_a_link_an_identifier_confirms_before_a_stronger_one() -> None:
    pairs = [Pair("nameless", "jack", 0.99999, False, 19.0),
             Pair("nameless", "harry", 0.9993, False, 10.5, identified=True),
             Pair("jack", "harry", 0.001, True)]
    clusters = cluster(["jack", "harry", "nameless"], pairs, threshold=0.95)
    assert clusters["nameless"] == clusters["harry"] != clusters["jack"]


# Their brother Jack, born three years before them, at their home; a record holding Harry's
# NHS number and the home, and no name or no date of birth, is Harry's.
BROTHER = ("Jack", "2012-06-01")


def test_online_a_record_without_a_given_name_or_a_date_goes_to_the_child_its_nhs_names(
    session: Session, ctx: IntakeContext,
) -> None:
    # A person event needs a name (intake refuses one without), so online the barest record
    # is a surname, a home and an identifier.
    jack, harry, undated = add(
        session, ctx,
        person("education", "E-1", BROTHER[0], dob=BROTHER[1], sex="male"),
        person("health", "H-1", "Harry", dob="2015-02-11", sex="male", nhs=HARRYS_NHS),
        person("police", "P-1", "", dob=None, nhs=HARRYS_NHS))
    assert jack != harry
    assert undated == harry
    assert link_of(session, "P-1").outcome == "matched"


def test_in_a_batch_a_record_without_a_name_or_a_date_goes_to_the_child_its_nhs_number_names(
) -> None:
    bare = {**_row("bare", "", ""), "family_name": ""}
    person_of = link_rows([
        _row("jack", *BROTHER),
        _row("harry", "Harry", "2015-02-11", nhs=HARRYS_NHS),
        _row("undated", "", "", nhs=HARRYS_NHS),
        {**bare, "nhs_number": HARRYS_NHS},
    ]).person_of
    assert person_of["jack"] != person_of["harry"]
    assert person_of["undated"] == person_of["harry"] == person_of["bare"]
