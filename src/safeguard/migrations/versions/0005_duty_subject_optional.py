"""A duty may be about an event that names nobody (a data-quality task)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 13:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # SQLite cannot alter a column in place: batch mode copies the table.
    with op.batch_alter_table("duties") as batch:
        batch.alter_column("subject_person_id", existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    with op.batch_alter_table("duties") as batch:
        batch.alter_column("subject_person_id", existing_type=sa.Integer(), nullable=False)
