"""Email notifications: users' addresses, their choices, the outbox and its once-only marks

Revision ID: 0016n
Revises: 0015
Create Date: 2026-12-03 19:30:00.000000

`users.email` is where a person's notifications go (none: no email). `notification_preferences`
holds each person's choice of reasons (no row: every reason). `emails` is the outbox the
worker sends from (notify/outbox.py); `duty_alerts` makes a duty's "due soon" warning once
per duty and `digest_runs` the daily digest once per London day.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0016n"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when() -> safeguard.db.UTCDateTime:
    return safeguard.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(length=320), nullable=True))
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", sa.Integer(), nullable=False),
        *(sa.Column(reason, sa.Boolean(), server_default=sa.true(), nullable=False)
          for reason in ("assigned", "due_soon", "breached", "escalated", "digest")),
        sa.Column("updated_at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_notification_preferences_user_id_users")),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_notification_preferences")),
    )
    op.create_table(
        "emails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=True),
        sa.Column("dedupe_key", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", _when(), nullable=False),
        sa.Column("claimed_until", _when(), nullable=True),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _when(), nullable=False),
        sa.Column("sent_at", _when(), nullable=True),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"], name=op.f("fk_emails_duty_id_duties")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_emails_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_emails")),
        sa.UniqueConstraint("dedupe_key", name=op.f("uq_emails_dedupe_key")),
    )
    op.create_index("ix_emails_status_next", "emails", ["status", "next_attempt_at"])
    op.create_index(op.f("ix_emails_duty_id"), "emails", ["duty_id"])
    op.create_index(op.f("ix_emails_user_id"), "emails", ["user_id"])
    op.create_table(
        "duty_alerts",
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.ForeignKeyConstraint(["duty_id"], ["duties.id"],
                                name=op.f("fk_duty_alerts_duty_id_duties")),
        sa.PrimaryKeyConstraint("duty_id", "reason", name=op.f("pk_duty_alerts")),
    )
    op.create_table(
        "digest_runs",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("at", _when(), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_digest_runs")),
    )


def downgrade() -> None:
    op.drop_table("digest_runs")
    op.drop_table("duty_alerts")
    op.drop_index(op.f("ix_emails_user_id"), table_name="emails")
    op.drop_index(op.f("ix_emails_duty_id"), table_name="emails")
    op.drop_index("ix_emails_status_next", table_name="emails")
    op.drop_table("emails")
    op.drop_table("notification_preferences")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
