"""Children in police custody: detentions and their steps

Revision ID: 0011
Revises: 0006
Create Date: 2026-12-03 16:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0011"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, safeguard.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "custody_detentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("custody_suite", sa.String(length=200), nullable=False),
        sa.Column("offence", sa.String(length=200), nullable=False),
        sa.Column("officer", sa.String(length=200), nullable=True),
        _at("arrived_at", False), _at("authorised_at", False),
        sa.Column("dob", sa.Date(), nullable=True),
        sa.Column("age", sa.Integer(), nullable=True),
        sa.Column("age_basis", sa.String(length=16), nullable=False),
        sa.Column("child", sa.Boolean(), nullable=False),
        _at("aa_requested_at"), _at("extended_at"), _at("charged_at"), _at("bail_refused_at"),
        _at("transfer_requested_at"),
        sa.Column("accommodation", sa.String(length=16), nullable=True),
        sa.Column("ended_step", sa.String(length=32), nullable=True),
        _at("ended_at"), _at("next_review_due_at"), _at("limit_due_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index("ix_custody_detentions_board", "custody_detentions",
                    ["child", "ended_at", "custody_suite"])
    op.create_index(op.f("ix_custody_detentions_person_id"), "custody_detentions",
                    ["person_id"])
    op.create_index(op.f("ix_custody_detentions_ended_at"), "custody_detentions", ["ended_at"])
    op.create_table(
        "custody_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("detention_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        _at("at", False),
        sa.Column("source", sa.String(length=64), nullable=False),
        sa.Column("details", sa.Text(), nullable=True),
        sa.Column("inspector", sa.String(length=200), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("facts", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["detention_id"], ["custody_detentions.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_index(op.f("ix_custody_steps_detention_id"), "custody_steps", ["detention_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_custody_steps_detention_id"), table_name="custody_steps")
    op.drop_table("custody_steps")
    op.drop_index(op.f("ix_custody_detentions_ended_at"), table_name="custody_detentions")
    op.drop_index(op.f("ix_custody_detentions_person_id"), table_name="custody_detentions")
    op.drop_index("ix_custody_detentions_board", table_name="custody_detentions")
    op.drop_table("custody_detentions")
