"""Addresses re-keyed by the new normalisation, and rows of one address joined

Revision ID: 0006
Revises: 0009
Create Date: 2026-12-03 14:00:00.000000

Addresses without a UPRN are known by their normalised first line and postcode
(``safeguard.people.names.address_key``). That normalisation now also ignores apostrophes,
"St" for Street, the town, locality or postcode typed at the end of the first line, so every
stored key is computed again. Before, an address sent without a UPRN never found the stored
one with a UPRN, however alike their text, and got a row of its own: a child's home then
showed as a "former address" beside an empty new one. Rows whose keys now agree are joined
into one (the one with a UPRN, else the oldest), with every record, incident and school that
referred to the others, and the audit trail says so; rows holding two different UPRNs are
two dwellings and stay apart. Downgrading drops the postcode index and leaves keys and
joined rows as they are.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import safeguard.db
from safeguard.people.names import address_key

revision: str = "0006"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
# The tables that refer to addresses at this revision.
REFERRING = ("person_records", "incidents", "schools")
addresses = sa.table("addresses", sa.column("id", sa.Integer), sa.column("uprn", sa.String),
                     sa.column("line1", sa.String), sa.column("line2", sa.String),
                     sa.column("town", sa.String), sa.column("postcode", sa.String),
                     sa.column("match_key", sa.String))
audit_log = sa.table("audit_log", sa.column("at", safeguard.db.UTCDateTime(timezone=True)), sa.column("actor", sa.String),
                     sa.column("agency_id", sa.String), sa.column("action", sa.String),
                     sa.column("entity", sa.String), sa.column("entity_id", sa.String),
                     sa.column("why", sa.Text))


def _rekey(bind: sa.Connection) -> None:
    after = 0
    while True:
        rows = bind.execute(
            sa.select(addresses.c.id, addresses.c.line1, addresses.c.line2, addresses.c.town,
                      addresses.c.postcode, addresses.c.match_key)
            .where(addresses.c.id > after).order_by(addresses.c.id).limit(BATCH)).all()
        if not rows:
            return
        changed = [{"row_id": r.id, "key": key} for r in rows
                   if (key := address_key(r.line1, r.postcode, drop=(r.town, r.line2)))
                   != r.match_key]
        if changed:
            bind.execute(addresses.update().where(addresses.c.id == sa.bindparam("row_id"))
                         .values(match_key=sa.bindparam("key")), changed)
        after = rows[-1].id


def _join(bind: sa.Connection) -> None:
    shared = bind.execute(sa.select(addresses.c.match_key).group_by(addresses.c.match_key)
                          .having(sa.func.count() > 1)).scalars().all()
    now = datetime.now(UTC)
    for key in shared:
        rows = bind.execute(sa.select(addresses.c.id, addresses.c.uprn)
                            .where(addresses.c.match_key == key)
                            .order_by(addresses.c.id)).all()
        if len({r.uprn for r in rows if r.uprn is not None}) > 1:
            continue  # two dwellings whose text agrees: not the migration's to join
        kept = next((r.id for r in rows if r.uprn is not None), rows[0].id)
        others = [r.id for r in rows if r.id != kept]
        for name in REFERRING:
            table = sa.table(name, sa.column("address_id", sa.Integer))
            bind.execute(table.update().where(table.c.address_id.in_(others))
                         .values(address_id=kept))
        bind.execute(addresses.delete().where(addresses.c.id.in_(others)))
        bind.execute(audit_log.insert().values(
            at=now, actor="system:migration", agency_id=None, action="write",
            entity="address", entity_id=str(kept),
            why=f"joined address rows {', '.join(map(str, others))} into {kept}: the same "
                "normalised first line and postcode (migration 0006)"))


def upgrade() -> None:
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addresses_postcode'), ['postcode'], unique=False)
    bind = op.get_bind()
    _rekey(bind)
    _join(bind)


def downgrade() -> None:
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addresses_postcode'))
