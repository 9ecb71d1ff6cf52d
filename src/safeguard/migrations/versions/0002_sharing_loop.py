"""Sharing loop: concerns, webhook endpoints and the delivery outbox, escalation levels

Revision ID: 7775142df7c0
Revises: 0001
Create Date: 2026-11-29 14:38:32.020256
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('concerns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('raised_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_concerns_agency_id_agencies')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_concerns_event_id_events')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_concerns_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concerns')),
    sa.UniqueConstraint('event_id', name=op.f('uq_concerns_event_id'))
    )
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.create_index('ix_concerns_person_occurred', ['person_id', 'occurred_at'], unique=False)

    op.create_table('webhook_endpoints',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('url', sa.String(length=500), nullable=False),
    sa.Column('secret', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_webhook_endpoints_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_webhook_endpoints')),
    sa.UniqueConstraint('agency_id', name=op.f('uq_webhook_endpoints_agency_id'))
    )
    op.create_table('deliveries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_id', sa.Integer(), nullable=False),
    sa.Column('endpoint_id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=80), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=100), nullable=True),
    sa.Column('last_status_code', sa.Integer(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('dead_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['endpoint_id'], ['webhook_endpoints.id'], name=op.f('fk_deliveries_endpoint_id_webhook_endpoints')),
    sa.ForeignKeyConstraint(['share_id'], ['shares.id'], name=op.f('fk_deliveries_share_id_shares')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deliveries')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_deliveries_idempotency_key'))
    )
    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deliveries_share_id'), ['share_id'], unique=False)
        batch_op.create_index('ix_deliveries_status_next', ['status', 'next_attempt_at'], unique=False)

    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('escalation_level', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('participants', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('evidence', sa.JSON(), nullable=True))

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('opened_at', safeguard.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reply', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('replied_at', safeguard.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('replied_by', sa.String(length=200), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_column('replied_by')
        batch_op.drop_column('replied_at')
        batch_op.drop_column('reply')
        batch_op.drop_column('opened_at')

    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.drop_column('evidence')
        batch_op.drop_column('participants')
        batch_op.drop_column('escalation_level')

    with op.batch_alter_table('deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_deliveries_status_next')
        batch_op.drop_index(batch_op.f('ix_deliveries_share_id'))

    op.drop_table('deliveries')
    op.drop_table('webhook_endpoints')
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_concerns_person_occurred')

    op.drop_table('concerns')

