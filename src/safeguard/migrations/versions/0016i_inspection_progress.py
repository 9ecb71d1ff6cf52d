"""An action's progress and evidence; a finding's reference for the import

Revision ID: 0016i
Revises: 0016d
Create Date: 2026-12-03 19:40:00.000000

An action of a remedial plan is not started, in progress or done: done (or withdrawn) is its
duty's discharge, the rest is `progress`, with the `evidence` gathered so far and when it was
last updated. A finding's `ref` is how an imported action names it (the finding event's
source_id, or the ref given to a finding sent with its inspection).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0016i"
down_revision: str | None = "0016d"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inspection_actions") as batch:
        batch.add_column(sa.Column("progress", sa.String(length=20), nullable=False,
                                   server_default="not_started"))
        batch.add_column(sa.Column("evidence", sa.Text(), nullable=True))
        batch.add_column(sa.Column("progress_at", safeguard.db.UTCDateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("inspection_findings") as batch:
        batch.add_column(sa.Column("ref", sa.String(length=128), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspection_findings") as batch:
        batch.drop_column("ref")
    with op.batch_alter_table("inspection_actions") as batch:
        batch.drop_column("progress_at")
        batch.drop_column("evidence")
        batch.drop_column("progress")
