"""One open strategy discussion per child, enforced by the database

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 22:50:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_DISCUSSION = "kind = 'strategy_discussion' AND status <> 'discharged'"


def upgrade() -> None:
    # Two concerns that arrived at once may already have raised two discussions about one
    # child. Which to keep is children's social care's decision, not a migration's, so say
    # which they are instead of failing on the index with a bare constraint error.
    twice = op.get_bind().execute(sa.text(
        f"SELECT subject_person_id, COUNT(*) FROM duties WHERE {OPEN_DISCUSSION} "
        "GROUP BY subject_person_id HAVING COUNT(*) > 1")).all()
    if twice:
        people = ", ".join(f"person {person} ({count})" for person, count in twice)
        raise RuntimeError(
            f"these children have more than one open strategy discussion: {people}; record "
            "the outcome of all but one of each child's, then migrate again")
    op.create_index('uq_duties_open_strategy_discussion', 'duties', ['subject_person_id'],
                    unique=True, postgresql_where=sa.text(OPEN_DISCUSSION),
                    sqlite_where=sa.text(OPEN_DISCUSSION))


def downgrade() -> None:
    op.drop_index('uq_duties_open_strategy_discussion', table_name='duties')
