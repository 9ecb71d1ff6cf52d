"""Security keys (WebAuthn credentials) as a second factor

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-03 16:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0014"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_security_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("credential_id", sa.String(length=1400), nullable=False),
        sa.Column("public_key", sa.LargeBinary(), nullable=False),
        sa.Column("sign_count", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_used_at", safeguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_user_security_keys_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_security_keys")),
        sa.UniqueConstraint("credential_id", name=op.f("uq_user_security_keys_credential_id")),
    )
    op.create_index(op.f("ix_user_security_keys_user_id"), "user_security_keys", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_security_keys_user_id"), table_name="user_security_keys")
    op.drop_table("user_security_keys")
