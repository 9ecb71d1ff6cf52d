"""Teams of an agency's users, and who holds each duty (a person or a team)

Revision ID: 0016a
Revises: 0016i
Create Date: 2026-12-03 19:00:00.000000

`teams` and `team_members` are managed by an agency's administrators (/admin/teams);
`duty_holders` has one row per duty someone holds, changed by claiming and assigning
(duties.assignment), each change also a transition in the duty's history. A new table rather
than columns on `duties`, so intake's writes of duties are unchanged and SQLite need not
rebuild the duties table.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0016a"
down_revision: str | None = "0016i"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> safeguard.db.UTCDateTime:
    return safeguard.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "teams",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_teams_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("agency_id", "name", name=op.f("uq_teams_agency_id_name")),
    )
    op.create_index(op.f("ix_teams_agency_id"), "teams", ["agency_id"])
    op.create_table(
        "team_members",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("added_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"],
                                name=op.f("fk_team_members_team_id_teams")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_team_members_user_id_users")),
        sa.PrimaryKeyConstraint("team_id", "user_id", name=op.f("pk_team_members")),
    )
    op.create_index(op.f("ix_team_members_user_id"), "team_members", ["user_id"])
    op.create_table(
        "duty_holders",
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("since", _when(), nullable=False),
        sa.Column("by", sa.String(length=200), nullable=False),
        sa.CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)",
                           name=op.f("ck_duty_holders_one_holder")),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"],
                                name=op.f("fk_duty_holders_duty_id_duties")),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"],
                                name=op.f("fk_duty_holders_team_id_teams")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_duty_holders_user_id_users")),
        sa.PrimaryKeyConstraint("duty_id", name=op.f("pk_duty_holders")),
    )
    op.create_index(op.f("ix_duty_holders_team_id"), "duty_holders", ["team_id"])
    op.create_index(op.f("ix_duty_holders_user_id"), "duty_holders", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_duty_holders_user_id"), table_name="duty_holders")
    op.drop_index(op.f("ix_duty_holders_team_id"), table_name="duty_holders")
    op.drop_table("duty_holders")
    op.drop_index(op.f("ix_team_members_user_id"), table_name="team_members")
    op.drop_table("team_members")
    op.drop_index(op.f("ix_teams_agency_id"), table_name="teams")
    op.drop_table("teams")
