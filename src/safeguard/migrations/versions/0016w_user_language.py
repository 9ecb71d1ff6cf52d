"""Each user's language of the pages (English or Welsh)

Revision ID: 0016w
Revises: 0016s
Create Date: 2026-12-03 19:10:00.000000

Forces and councils in Wales work in Welsh: `users.language` keeps the choice made with the
switch in the header ("en" or "cy"); every existing user keeps English.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016w"
down_revision: str | None = "0016s"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("language", sa.String(length=8), nullable=False,
                                   server_default="en"))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
