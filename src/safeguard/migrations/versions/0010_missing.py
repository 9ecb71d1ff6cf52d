"""Children missing from home or care: episodes and their timelines

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-03 16:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0010"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = "returned_at IS NULL"


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, safeguard.db.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "missing_episodes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=128), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("missing_from", sa.String(length=8), nullable=False),
        sa.Column("address_id", sa.Integer(), nullable=True),
        sa.Column("placement_provider", sa.String(length=200), nullable=True),
        sa.Column("placement_address_id", sa.Integer(), nullable=True),
        sa.Column("placing_authority_code", sa.String(length=3), nullable=True),
        sa.Column("placing_authority_name", sa.String(length=100), nullable=True),
        sa.Column("placing_agency_id", sa.String(length=64), nullable=True),
        _at("last_seen_at", False), _at("reported_at", False),
        sa.Column("risk", sa.String(length=20), nullable=False),
        sa.Column("exploitation_indicators", sa.JSON(), nullable=False),
        sa.Column("circumstances", sa.Text(), nullable=True),
        sa.Column("officer", sa.String(length=200), nullable=True),
        sa.Column("live", sa.Boolean(), nullable=False),
        _at("returned_at"),
        sa.Column("where_found", sa.String(length=200), nullable=True),
        sa.Column("harm_disclosed", sa.Boolean(), nullable=True),
        sa.Column("interview_outcome", sa.String(length=20), nullable=True),
        _at("interview_held_at"),
        sa.Column("interview_independent", sa.Boolean(), nullable=True),
        _at("long_open_check_at"), _at("long_open_checked_at"),
        _at("school_check_at"), _at("school_checked_at"),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["persons.id"]),
        sa.ForeignKeyConstraint(["address_id"], ["addresses.id"]),
        sa.ForeignKeyConstraint(["placement_address_id"], ["addresses.id"]),
        sa.ForeignKeyConstraint(["placing_agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
        sa.UniqueConstraint("reference"),
    )
    op.create_index("uq_missing_episodes_one_open", "missing_episodes", ["person_id"],
                    unique=True, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
    op.create_index("ix_missing_episodes_person_last_seen", "missing_episodes",
                    ["person_id", "last_seen_at"])
    op.create_index(op.f("ix_missing_episodes_long_open_check_at"), "missing_episodes",
                    ["long_open_check_at"])
    op.create_index(op.f("ix_missing_episodes_school_check_at"), "missing_episodes",
                    ["school_check_at"])
    op.create_table(
        "missing_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("episode_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        _at("at", False),
        sa.Column("risk", sa.String(length=20), nullable=True),
        sa.Column("indicators", sa.JSON(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["episode_id"], ["missing_episodes.id"]),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_missing_entries_episode_id"), "missing_entries", ["episode_id"])


def downgrade() -> None:
    op.drop_table("missing_entries")
    op.drop_table("missing_episodes")
