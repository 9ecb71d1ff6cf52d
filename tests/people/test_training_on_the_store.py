"""`safeguard model train`: the model fitted to the store's own records, used once configured,
and every link saying which model version made it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from safeguard.access.service import SYSTEM
from safeguard.audit.models import AuditEntry
from safeguard.config import get_settings
from safeguard.intake.service import IntakeContext
from safeguard.people.linkage.model import load_model
from safeguard.people.linkage.training import fit_to_store, store_features

from .helpers import add, link_of, person

OTHER_HOME = {"line1": "7 Wellingborough Rd", "town": "Northampton", "postcode": "NN1 4DT"}


def test_the_store_fitted_model_links_the_records_that_follow(
    session: Session, ctx: IntakeContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    add(session, ctx,
        person("education", "E-1", "Amelia", "Johnson", "2015-02-11"),
        person("health", "H-1", "Amelia", "Johnson", "2015-02-11", nhs="9992914173"),
        person("education", "E-2", "Chidi", "Okafor", "2012-05-06", address=OTHER_HOME),
        person("police", "P-2", "Chidi", "Okafor", "2012-05-06", address=OTHER_HOME))
    ids, feats = store_features(session)
    assert len(ids) == 4
    # A record is compared with its person's identifiers, as online resolution files them.
    assert sum(f.nhs == "9992914173" for f in feats) == 2

    fitted = fit_to_store(session, principal=SYSTEM, now=datetime(2026, 12, 3, tzinfo=UTC))
    assert fitted.version == "person-match-20261203-store"
    assert fitted.trained_on.endswith("fitted by EM to 4 records")
    assert fitted.prior == load_model().prior
    assert session.scalar(select(AuditEntry).where(
        AuditEntry.entity == "person_records", AuditEntry.action == "read")) is not None

    shipped = load_model().version
    path = tmp_path / "store-model.json"
    fitted.save(path)
    monkeypatch.setenv("SAFEGUARD_LINKAGE_MODEL_FILE", str(path))
    get_settings.cache_clear()
    try:
        assert load_model().version == fitted.version
        (amelia,) = add(session, ctx, person("police", "P-1", "Amelia", "Johnson",
                                             "2015-02-11"))
        assert link_of(session, "P-1").model_version == fitted.version
    finally:
        monkeypatch.delenv("SAFEGUARD_LINKAGE_MODEL_FILE")
        get_settings.cache_clear()
    assert load_model().version == shipped
    assert link_of(session, "H-1").model_version == shipped != fitted.version
