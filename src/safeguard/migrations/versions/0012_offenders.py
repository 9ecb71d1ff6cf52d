"""The register of sex offenders: registrations, assessments, visits, notifications and the
children found near each offender

Revision ID: 0012
Revises: 0013
Create Date: 2026-12-03 16:10:26.832025

New tables, and an index on duties by kind and due time (the capacity figures count home
visits falling due month by month); downgrading drops them.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = '0012'
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_duties_kind_due_at", "duties", ["kind", "due_at", "outcome"])
    
    op.create_table('offender_registrations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('registration_ends', sa.Date(), nullable=True),
    sa.Column('ended', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('conviction', sa.String(length=200), nullable=False),
    sa.Column('mappa_category', sa.Integer(), nullable=False),
    sa.Column('mappa_level', sa.Integer(), nullable=False),
    sa.Column('risk', sa.String(length=16), nullable=False),
    sa.Column('offender_manager', sa.String(length=100), nullable=False),
    sa.Column('visit_every_days', sa.Integer(), nullable=True),
    sa.Column('last_home_visit_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_notified_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('visit_duty_id', sa.Integer(), nullable=True),
    sa.Column('next_visit_due', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notification_duty_id', sa.Integer(), nullable=True),
    sa.Column('next_notification_due', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], name=op.f('fk_offender_registrations_address_id_addresses')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_offender_registrations_event_id_events')),
    sa.ForeignKeyConstraint(['notification_duty_id'], ['duties.id'], name=op.f('fk_offender_registrations_notification_duty_id_duties')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_offender_registrations_person_id_persons')),
    sa.ForeignKeyConstraint(['visit_duty_id'], ['duties.id'], name=op.f('fk_offender_registrations_visit_duty_id_duties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offender_registrations')),
    sa.UniqueConstraint('reference', name=op.f('uq_offender_registrations_reference'))
    )
    with op.batch_alter_table('offender_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offender_registrations_address_id'), ['address_id'], unique=False)
        batch_op.create_index('ix_offender_registrations_manager', ['offender_manager', 'ended'], unique=False)
        batch_op.create_index(batch_op.f('ix_offender_registrations_next_notification_due'), ['next_notification_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_offender_registrations_next_visit_due'), ['next_visit_due'], unique=False)
        batch_op.create_index(batch_op.f('ix_offender_registrations_person_id'), ['person_id'], unique=False)

    op.create_table('offender_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=False),
    sa.Column('at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_offender_assessments_event_id_events')),
    sa.ForeignKeyConstraint(['registration_id'], ['offender_registrations.id'], name=op.f('fk_offender_assessments_registration_id_offender_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offender_assessments'))
    )
    with op.batch_alter_table('offender_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offender_assessments_registration_id'), ['registration_id'], unique=False)

    op.create_table('offender_children',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('found_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('found_from', sa.Text(), nullable=False),
    sa.Column('share_duty_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_offender_children_event_id_events')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_offender_children_person_id_persons')),
    sa.ForeignKeyConstraint(['registration_id'], ['offender_registrations.id'], name=op.f('fk_offender_children_registration_id_offender_registrations')),
    sa.ForeignKeyConstraint(['share_duty_id'], ['duties.id'], name=op.f('fk_offender_children_share_duty_id_duties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offender_children')),
    sa.UniqueConstraint('registration_id', 'person_id', name='uq_offender_children')
    )
    with op.batch_alter_table('offender_children', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offender_children_person_id'), ['person_id'], unique=False)

    op.create_table('offender_notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=False),
    sa.Column('notified_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('changed_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('days_late', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], name=op.f('fk_offender_notifications_address_id_addresses')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_offender_notifications_event_id_events')),
    sa.ForeignKeyConstraint(['registration_id'], ['offender_registrations.id'], name=op.f('fk_offender_notifications_registration_id_offender_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offender_notifications'))
    )
    with op.batch_alter_table('offender_notifications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offender_notifications_registration_id'), ['registration_id'], unique=False)

    op.create_table('offender_visits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('reference', sa.String(length=128), nullable=False),
    sa.Column('visited_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('home_visit', sa.Boolean(), nullable=False),
    sa.Column('children_present', sa.Integer(), server_default='0', nullable=False),
    sa.Column('concerns', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_offender_visits_event_id_events')),
    sa.ForeignKeyConstraint(['registration_id'], ['offender_registrations.id'], name=op.f('fk_offender_visits_registration_id_offender_registrations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offender_visits'))
    )
    with op.batch_alter_table('offender_visits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offender_visits_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index('ix_offender_visits_visited_at', ['visited_at', 'home_visit'], unique=False)

    


def downgrade() -> None:
    op.drop_index("ix_duties_kind_due_at", table_name="duties")
    
    with op.batch_alter_table('offender_visits', schema=None) as batch_op:
        batch_op.drop_index('ix_offender_visits_visited_at')
        batch_op.drop_index(batch_op.f('ix_offender_visits_registration_id'))

    op.drop_table('offender_visits')
    with op.batch_alter_table('offender_notifications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offender_notifications_registration_id'))

    op.drop_table('offender_notifications')
    with op.batch_alter_table('offender_children', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offender_children_person_id'))

    op.drop_table('offender_children')
    with op.batch_alter_table('offender_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offender_assessments_registration_id'))

    op.drop_table('offender_assessments')
    with op.batch_alter_table('offender_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offender_registrations_person_id'))
        batch_op.drop_index(batch_op.f('ix_offender_registrations_next_visit_due'))
        batch_op.drop_index(batch_op.f('ix_offender_registrations_next_notification_due'))
        batch_op.drop_index('ix_offender_registrations_manager')
        batch_op.drop_index(batch_op.f('ix_offender_registrations_address_id'))

    op.drop_table('offender_registrations')
    
