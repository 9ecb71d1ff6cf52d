"""Measures kept current as duties change; inspections, findings, action plans, revisits

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 17:00:00.000000

`measure_facts` holds what each duty contributes to each inspection measure, rewritten when
the duty's history grows (measures.facts.refresh), `measure_months` their sums by month,
agency, area and segment, kept by adding each change's difference, with `measure_cursor` saying how far
through `duty_transitions` that has gone (its one row is written here). Starting from an empty cursor, the first pass
judges every duty that has a history, so an existing store gets its figures without a
backfill step here. The inspection tables record an inspection, its findings and
recommendations, the actions of its remedial plan (each a duty) and its revisits.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> safeguard.db.UTCDateTime:
    return safeguard.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "measure_facts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("started_at", _when(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=8), nullable=False),
        sa.Column("segment", sa.String(length=60), nullable=False),
        sa.Column("counted", sa.Boolean(), nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("breached", sa.Boolean(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator", "duty_id", name="uq_measure_facts_indicator_duty"),
    )
    op.create_index("ix_measure_facts_duty_id", "measure_facts", ["duty_id"])
    op.create_index("ix_measure_facts_figures", "measure_facts",
                    ["indicator", "month", "agency_id", "area", "segment", "counted", "met",
                     "breached", "seconds"])
    op.create_table(
        "measure_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("indicator", sa.String(length=60), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.String(length=64), nullable=False),
        sa.Column("area", sa.String(length=8), nullable=False),
        sa.Column("segment", sa.String(length=60), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("counted", sa.Integer(), nullable=False),
        sa.Column("met", sa.Integer(), nullable=False),
        sa.Column("breached", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("indicator", "month", "agency_id", "area", "segment",
                            name="uq_measure_months_key"),
    )
    cursor = op.create_table(
        "measure_cursor",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("last_transition_id", sa.Integer(), nullable=False),
        sa.Column("settled_transition_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # One row, written here so that workers starting together never race to create it.
    op.bulk_insert(cursor, [{"name": "duties", "last_transition_id": 0,
                             "settled_transition_id": 0}])
    op.create_table(
        "inspections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("inspectorate", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("published_on", sa.Date(), nullable=False),
        sa.Column("report_url", sa.String(length=500), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("plan_duty_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["events.id"]),
        sa.ForeignKeyConstraint(["plan_duty_id"], ["duties.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    op.create_table(
        "inspection_findings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inspection_findings_inspection_id", "inspection_findings",
                    ["inspection_id"])
    op.create_table(
        "inspection_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("finding_id", sa.Integer(), nullable=True),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("owner_agency_id", sa.String(length=64), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"]),
        sa.ForeignKeyConstraint(["finding_id"], ["inspection_findings.id"]),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"]),
        sa.ForeignKeyConstraint(["owner_agency_id"], ["agencies.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("duty_id"),
    )
    op.create_index("ix_inspection_actions_inspection_id", "inspection_actions",
                    ["inspection_id"])
    op.create_table(
        "inspection_revisits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("inspection_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"]),
        sa.ForeignKeyConstraint(["inspection_id"], ["inspections.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("duty_id"),
    )
    op.create_index("ix_inspection_revisits_inspection_id", "inspection_revisits",
                    ["inspection_id"])


def downgrade() -> None:
    op.drop_table("inspection_revisits")
    op.drop_table("inspection_actions")
    op.drop_table("inspection_findings")
    op.drop_table("inspections")
    op.drop_table("measure_cursor")
    op.drop_table("measure_months")
    op.drop_table("measure_facts")
