"""Webhook secret rollover; server-side sessions, sign-in throttling and two-factor sign-in

Revision ID: 0008
Revises: 0005
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.add_column(sa.Column("previous_secret", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("previous_valid_until",
                                   safeguard.db.UTCDateTime(timezone=True), nullable=True))
    with op.batch_alter_table("agencies") as batch:
        batch.add_column(sa.Column("require_two_factor", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    op.create_table(
        "user_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("grant", sa.String(length=64), nullable=False),
        sa.Column("created_at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", safeguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_why", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_sessions_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_user_sessions_token_hash")),
    )
    op.create_index(op.f("ix_user_sessions_user_id"), "user_sessions", ["user_id"])
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=False),
        sa.Column("at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    op.create_index("ix_sign_in_attempts_username_at", "sign_in_attempts", ["username", "at"])
    op.create_index("ix_sign_in_attempts_address_at", "sign_in_attempts",
                    ["client_address", "at"])
    op.create_table(
        "user_two_factor",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("secret", sa.String(length=64), nullable=True),
        sa.Column("pending_secret", sa.String(length=64), nullable=True),
        sa.Column("confirmed_at", safeguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_step", sa.Integer(), nullable=True),
        sa.Column("required", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_two_factor_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_two_factor")),
    )


def downgrade() -> None:
    op.drop_table("user_two_factor")
    op.drop_index("ix_sign_in_attempts_address_at", table_name="sign_in_attempts")
    op.drop_index("ix_sign_in_attempts_username_at", table_name="sign_in_attempts")
    op.drop_table("sign_in_attempts")
    op.drop_index(op.f("ix_user_sessions_user_id"), table_name="user_sessions")
    op.drop_table("user_sessions")
    with op.batch_alter_table("agencies") as batch:
        batch.drop_column("require_two_factor")
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("previous_valid_until")
        batch.drop_column("previous_secret")
