"""Append-only enforced: no REPLACE on SQLite, no TRUNCATE, an application role that owns
nothing on PostgreSQL, and the audit log's hash chain (audit_chain)

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0009"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = ("audit_log", "duty_transitions", "events", "audit_chain")
# What a row is known by besides its id: SQLite's REPLACE deletes the row holding any of these.
UNIQUE_KEYS = {
    "audit_log": (("id",),),
    "duty_transitions": (("id",),),
    "events": (("id",), ("source", "source_id")),
    "audit_chain": (("seq",), ("entry_id",)),
}
APP_ROLE = "safeguard_app"


def _sqlite_no_replace(table: str) -> None:
    # INSERT OR REPLACE deletes the clashing row without firing its DELETE trigger, so the
    # row is rewritten in place; a BEFORE INSERT trigger sees the clash first and refuses it.
    # (A plain INSERT that clashes fails as before, as an integrity error.)
    clashes = " OR ".join(
        "EXISTS (SELECT 1 FROM {t} WHERE {cond})".format(
            t=table, cond=" AND ".join(f"{col} = NEW.{col}" for col in key))
        for key in UNIQUE_KEYS[table])
    op.execute(
        f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} WHEN {clashes} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: a row cannot be replaced'); END")


def _postgres_role() -> None:
    """Create the role the service runs as, when the migrating role may, and give it rights:
    the usual ones on every table, but only SELECT and INSERT on the append-only tables. It
    owns nothing, so it cannot ALTER a table, disable a trigger or TRUNCATE (neither is
    granted; both need ownership or an explicit grant)."""
    bind = op.get_bind()
    may_create = bind.execute(sa.text(
        "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user")).scalar()
    if may_create:
        # Roles belong to the whole server: another database's migration may create it at
        # the same moment, so a clash means it exists, which is what we want.
        op.execute(
            f"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{APP_ROLE}') "
            f"THEN CREATE ROLE {APP_ROLE} NOLOGIN; END IF; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$")
    if bind.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}
                    ).first() is None:
        # A migrating role without CREATEROLE: an administrator creates the role before
        # migrating (docs/security.md), and the rights are given then.
        return
    op.execute(f"GRANT USAGE ON SCHEMA public TO {APP_ROLE}")
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public "
               f"TO {APP_ROLE}")
    op.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {APP_ROLE}")
    tables = ", ".join(APPEND_ONLY)
    op.execute(f"REVOKE UPDATE, DELETE, TRUNCATE ON {tables} FROM {APP_ROLE}")
    # The schema's version is the migrations' business, not the service's.
    op.execute(f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP_ROLE}")
    # Tables later migrations create get the usual rights; an append-only one must revoke
    # UPDATE and DELETE in its own migration, as this one does.
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, "
               f"DELETE ON TABLES TO {APP_ROLE}")
    op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES "
               f"TO {APP_ROLE}")


def upgrade() -> None:
    op.create_table(
        "audit_chain",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("sealed_at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["entry_id"], ["audit_log.id"],
                                name=op.f("fk_audit_chain_entry_id_audit_log")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_chain")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_chain_entry_id")),
    )
    if op.get_bind().dialect.name == "postgresql":
        # safeguard_append_only() is migration 0001's: it raises "<table> is append-only".
        op.execute("CREATE TRIGGER audit_chain_append_only BEFORE UPDATE OR DELETE ON "
                   "audit_chain FOR EACH ROW EXECUTE FUNCTION safeguard_append_only()")
        # TRUNCATE fires no row trigger; refuse it too, even for the owner (who could drop
        # the trigger, but not by accident).
        for table in APPEND_ONLY:
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION safeguard_append_only()")
        _postgres_role()
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER audit_chain_no_{action.lower()} BEFORE {action} ON "
                       "audit_chain BEGIN SELECT RAISE(ABORT, 'audit_chain is append-only'); "
                       "END")
        for table in APPEND_ONLY:
            _sqlite_no_replace(table)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        exists = op.get_bind().execute(
            sa.text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": APP_ROLE}).first()
        if exists is not None:
            # The role is the server's and may serve other databases: only this database's
            # rights are taken back.
            op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES "
                       f"FROM {APP_ROLE}")
            op.execute(f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES "
                       f"FROM {APP_ROLE}")
            op.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {APP_ROLE}")
            op.execute(f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {APP_ROLE}")
            op.execute(f"REVOKE USAGE ON SCHEMA public FROM {APP_ROLE}")
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_append_only ON audit_chain")
    else:
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_chain_no_delete")
    op.drop_table("audit_chain")
