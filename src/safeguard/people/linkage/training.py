"""Fitting the match model to the store's own records (`safeguard model train`).

The shipped weights come from synthetic records; a county's agencies have their own typing
habits, address formats and gaps. Every person record in the store, with its person's
identifiers, is given to :func:`splink_model.fit` (u from random pairs of them, m by
expectation maximisation from the current model's m), then m is moved toward the levels of
the pairs reviewers found to be one person (:func:`labels.with_labels`). The prior and the
thresholds stay the current model's: the online resolver scores a ranked pool of
candidates, not every pair.
Reading every record is audited.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from splink import DuckDBAPI
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import Principal
from safeguard.audit.service import record as audit
from safeguard.people.linkage.features import Features, features
from safeguard.people.linkage.labels import reviewed_pairs, with_labels
from safeguard.people.linkage.lookalikes import fitted_to_homes
from safeguard.people.linkage.model import Model, load_model
from safeguard.people.linkage.splink_model import features_table, fit, model_version
from safeguard.people.models import Address, PersonIdentifier, PersonRecord


def store_features(session: Session) -> tuple[list[str], list[Features]]:
    """Every person record in the store as the matcher compares it, with its person's
    identifiers (the lowest value of each scheme, as online resolution files them)."""
    held: dict[int, dict[str, str]] = defaultdict(dict)
    for person_id, scheme, value in session.execute(
            select(PersonIdentifier.person_id, PersonIdentifier.scheme, PersonIdentifier.value)
            .order_by(PersonIdentifier.value.desc())):
        held[person_id][scheme] = value
    ids, feats = [], []
    for record_id, person_id, given, family, dob, sex, postcode, line1 in session.execute(
            select(PersonRecord.id, PersonRecord.person_id, PersonRecord.given_name,
                   PersonRecord.family_name, PersonRecord.dob, PersonRecord.sex,
                   Address.postcode, Address.line1)
            .outerjoin(Address, Address.id == PersonRecord.address_id)
            .order_by(PersonRecord.id)):
        schemes = held.get(person_id, {})
        ids.append(str(record_id))
        feats.append(features(given_name=given, family_name=family, dob=dob, sex=sex,
                              postcode=postcode, address=line1, nhs=schemes.get("nhs"),
                              upn=schemes.get("upn"), pnc=schemes.get("pnc")))
    return ids, feats


def fit_to_store(session: Session, *, principal: Principal, now: datetime,
                 base: Model | None = None) -> Model:
    """The current model (or ``base``) fitted to every person record in the store."""
    ids, feats = store_features(session)
    if len(ids) < 2:
        raise ValueError(f"the store holds {len(ids)} person record(s): too few to fit to")
    audit(session, principal=principal, action="read", entity="person_records",
          entity_id="all", why=f"fitting the person-matching model to {len(ids)} records")
    fitted = fit(DuckDBAPI(), features_table(ids, feats), model=base or load_model(),
                 version=f"{model_version(now)}-store")
    return fitted_to_homes(with_labels(fitted, reviewed_pairs(session)), feats)
