"""Strategy discussions as held, their actions as duties; case notes with their readers

Revision ID: 0016d
Revises: 0016n
Create Date: 2026-12-03 19:30:00.000000

A strategy discussion's record (`strategy_discussions`) keeps when it was held, the decision
and why, and the duty it discharged; `strategy_attendees` who took part for which agency,
`strategy_information` what each agency shared, `strategy_actions` the actions agreed, each
with the duty that carries its owner and clock. `case_notes` are practitioners' notes on a
child with who may read each (the author's agency, the MASH partners, or every agency that
may see the child).
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0016d"
down_revision: str | None = "0016n"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> safeguard.db.UTCDateTime:
    return safeguard.db.UTCDateTime(timezone=True)


def _child() -> list[Any]:
    """The columns every part of a discussion has: its id and the discussion it belongs to."""
    return [sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("discussion_id", sa.Integer(), nullable=False),
            sa.ForeignKeyConstraint(["discussion_id"], ["strategy_discussions.id"]),
            sa.PrimaryKeyConstraint("id")]


def upgrade() -> None:
    op.create_table(
        "strategy_discussions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=True),
        sa.Column("held_at", _when(), nullable=False),
        sa.Column("decision", sa.String(length=40), nullable=False),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("duty_id"),
    )
    op.create_index("ix_strategy_discussions_person_id", "strategy_discussions", ["person_id"])
    op.create_table(
        "strategy_attendees", *_child(),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    )
    op.create_index("ix_strategy_attendees_discussion_id", "strategy_attendees",
                    ["discussion_id"])
    op.create_index("ix_strategy_attendees_agency_id", "strategy_attendees", ["agency_id"])
    op.create_table(
        "strategy_information", *_child(),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
    )
    op.create_index("ix_strategy_information_discussion_id", "strategy_information",
                    ["discussion_id"])
    op.create_table(
        "strategy_actions", *_child(),
        sa.Column("duty_id", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_agency_id", sa.String(length=64), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"]),
        sa.ForeignKeyConstraint(["owner_agency_id"], ["agencies.id"]),
        sa.UniqueConstraint("duty_id"),
    )
    op.create_index("ix_strategy_actions_discussion_id", "strategy_actions", ["discussion_id"])
    op.create_index("ix_strategy_actions_owner_agency_id", "strategy_actions",
                    ["owner_agency_id"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("visibility", sa.String(length=16), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_notes_person_at", "case_notes", ["person_id", "at"])


def downgrade() -> None:
    op.drop_table("case_notes")
    op.drop_table("strategy_actions")
    op.drop_table("strategy_information")
    op.drop_table("strategy_attendees")
    op.drop_table("strategy_discussions")
