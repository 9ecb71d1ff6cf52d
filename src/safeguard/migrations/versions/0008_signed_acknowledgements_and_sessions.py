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


def downgrade() -> None:
    with op.batch_alter_table("webhook_endpoints") as batch:
        batch.drop_column("previous_valid_until")
        batch.drop_column("previous_secret")
