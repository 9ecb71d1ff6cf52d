"""Need to know: a concern's record grants no sight; break-glass grants, time-limited

Revision ID: 0007
Revises: 0008
Create Date: 2026-12-03 14:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0007"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("person_records") as batch:
        batch.add_column(sa.Column("from_concern", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    # Records concerns left before this revision are a concern's too: they stop granting sight.
    op.execute("UPDATE person_records SET from_concern = true "
               "WHERE event_id IN (SELECT event_id FROM concerns)")
    # A concern's record named the raising school's URN only to grant it sight: it is no
    # enrolment, so it must not decide which school the child's notices go to either.
    op.execute("UPDATE person_records SET school_urn = NULL WHERE from_concern = true")
    op.create_table(
        "break_glass",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("granted_at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", safeguard.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("reviewed_at", safeguard.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_break_glass_agency_id_agencies")),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"],
                                name=op.f("fk_break_glass_person_id_persons")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_break_glass_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_break_glass")),
    )
    op.create_index("ix_break_glass_user_person", "break_glass",
                    ["user_id", "person_id", "expires_at"])
    op.create_index("ix_break_glass_agency_granted", "break_glass", ["agency_id", "granted_at"])


def downgrade() -> None:
    op.drop_index("ix_break_glass_agency_granted", table_name="break_glass")
    op.drop_index("ix_break_glass_user_person", table_name="break_glass")
    op.drop_table("break_glass")
    with op.batch_alter_table("person_records") as batch:
        batch.drop_column("from_concern")
