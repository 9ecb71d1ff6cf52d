"""Indexes for finding anyone: records by family name, incidents by date

Revision ID: 0016s
Revises: 0016a
Create Date: 2026-12-03 19:30:00.000000

A search by family name alone reads person records through an index on their family name;
the incident list reads incidents newest first.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016s"
down_revision: str | None = "0016a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_person_records_family_name", "person_records", ["family_name"])
    op.create_index("ix_incidents_occurred_at", "incidents", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_incidents_occurred_at", table_name="incidents")
    op.drop_index("ix_person_records_family_name", table_name="person_records")
