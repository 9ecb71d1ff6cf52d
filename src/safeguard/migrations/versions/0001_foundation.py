"""Foundation: agencies, users, events, persons, incidents, duties, shares, audit.

Revision ID: 3fcf1acce72b
Revises: 
Create Date: 2026-11-29 14:01:23.000086
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import safeguard.db

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Tables whose rows are history: the database itself refuses UPDATE and DELETE on them.
APPEND_ONLY = ("audit_log", "duty_transitions", "events")


def _append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION safeguard_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION safeguard_append_only()"
        )
    else:
        for action in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{action.lower()} BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
            )


def _drop_append_only(table: str) -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
    else:
        for action in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{action}")


def upgrade() -> None:
    op.create_table('addresses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uprn', sa.String(length=12), nullable=True),
    sa.Column('line1', sa.String(length=200), nullable=False),
    sa.Column('line2', sa.String(length=200), nullable=True),
    sa.Column('town', sa.String(length=100), nullable=True),
    sa.Column('postcode', sa.String(length=10), nullable=True),
    sa.Column('match_key', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses')),
    sa.UniqueConstraint('uprn', name=op.f('uq_addresses_uprn'))
    )
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addresses_match_key'), ['match_key'], unique=False)

    op.create_table('agencies',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('school_urn', sa.String(length=12), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('school_urn', name=op.f('uq_agencies_school_urn'))
    )
    # The statutory partners exist from the start: duties name them as owners.
    op.bulk_insert(sa.table('agencies', sa.column('id'), sa.column('name'), sa.column('kind')), [
        {"id": "police", "name": "Northamptonshire Police (synthetic)", "kind": "police"},
        {"id": "childrens_social_care", "name": "Children's Social Care (MASH)",
         "kind": "childrens_social_care"},
        {"id": "health", "name": "Integrated Care Board – health", "kind": "health"},
        {"id": "education", "name": "Local authority education service", "kind": "education"},
        {"id": "probation", "name": "Probation Service", "kind": "probation"},
    ])
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type', sa.String(length=32), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=128), nullable=False),
    sa.Column('occurred_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('received_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('payload_hash', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('received_via', sa.String(length=32), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_events_source_source_id'))
    )
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_events_event_type'), ['event_type'], unique=False)

    op.create_table('persons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=True),
    sa.Column('family_name', sa.String(length=100), nullable=True),
    sa.Column('dob', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('match_key', sa.String(length=250), nullable=False),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_persons'))
    )
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.create_index('ix_persons_match_key_dob', ['match_key', 'dob'], unique=False)

    op.create_table('api_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_api_keys_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_keys')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_api_keys_key_hash'))
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_keys_agency_id'), ['agency_id'], unique=False)

    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=True),
    sa.Column('action', sa.String(length=16), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_id', sa.String(length=64), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=True),
    sa.Column('why', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_audit_log_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_at'), ['at'], unique=False)
        batch_op.create_index('ix_audit_log_person_at', ['person_id', 'at'], unique=False)

    op.create_table('duties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=64), nullable=False),
    sa.Column('owner_role', sa.String(length=32), nullable=True),
    sa.Column('partner_agency_id', sa.String(length=64), nullable=True),
    sa.Column('subject_person_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('parent_duty_id', sa.Integer(), nullable=True),
    sa.Column('due_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('rule_name', sa.String(length=80), nullable=False),
    sa.Column('rule_version', sa.String(length=20), nullable=False),
    sa.Column('dedupe_key', sa.String(length=300), nullable=False),
    sa.Column('breached_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('escalated_to', sa.String(length=120), nullable=True),
    sa.Column('discharged_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('discharged_by', sa.String(length=200), nullable=True),
    sa.Column('outcome', sa.String(length=60), nullable=True),
    sa.Column('discharge_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_duties_event_id_events')),
    sa.ForeignKeyConstraint(['owner_agency_id'], ['agencies.id'], name=op.f('fk_duties_owner_agency_id_agencies')),
    sa.ForeignKeyConstraint(['parent_duty_id'], ['duties.id'], name=op.f('fk_duties_parent_duty_id_duties')),
    sa.ForeignKeyConstraint(['partner_agency_id'], ['agencies.id'], name=op.f('fk_duties_partner_agency_id_agencies')),
    sa.ForeignKeyConstraint(['subject_person_id'], ['persons.id'], name=op.f('fk_duties_subject_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duties')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_duties_dedupe_key'))
    )
    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duties_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duties_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_duties_owner_status_due', ['owner_agency_id', 'status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_duties_partner_agency_id'), ['partner_agency_id'], unique=False)
        batch_op.create_index('ix_duties_status_due_at', ['status', 'due_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_duties_subject_person_id'), ['subject_person_id'], unique=False)

    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('reference', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('occurred_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('recorded_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=False),
    sa.Column('officer', sa.String(length=200), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('child_voice', sa.Text(), nullable=True),
    sa.Column('dash_answers', sa.JSON(), nullable=True),
    sa.Column('dash_yes_count', sa.Integer(), nullable=True),
    sa.Column('actuarial_risk', sa.String(length=10), nullable=True),
    sa.Column('professional_judgement', sa.String(length=10), nullable=True),
    sa.Column('risk_level', sa.String(length=10), nullable=True),
    sa.Column('live', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], name=op.f('fk_incidents_address_id_addresses')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_incidents_event_id_events')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    sa.UniqueConstraint('event_id', name=op.f('uq_incidents_event_id'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_address_occurred', ['address_id', 'occurred_at'], unique=False)

    op.create_table('person_identifiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_identifiers_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_identifiers')),
    sa.UniqueConstraint('scheme', 'value', name=op.f('uq_person_identifiers_scheme_value'))
    )
    with op.batch_alter_table('person_identifiers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_identifiers_person_id'), ['person_id'], unique=False)

    op.create_table('person_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=64), nullable=False),
    sa.Column('source_id', sa.String(length=160), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=True),
    sa.Column('family_name', sa.String(length=100), nullable=True),
    sa.Column('dob', sa.Date(), nullable=True),
    sa.Column('sex', sa.String(length=10), nullable=True),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('school_urn', sa.String(length=12), nullable=True),
    sa.Column('recorded_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('linked_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], name=op.f('fk_person_records_address_id_addresses')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_person_records_event_id_events')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_person_records_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_person_records')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_person_records_source_source_id'))
    )
    with op.batch_alter_table('person_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_records_address_id'), ['address_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_records_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_records_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_records_school_urn'), ['school_urn'], unique=False)

    op.create_table('schools',
    sa.Column('urn', sa.String(length=12), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('phase', sa.String(length=20), nullable=True),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('address_id', sa.Integer(), nullable=True),
    sa.Column('dsl_name', sa.String(length=200), nullable=True),
    sa.Column('dsl_email', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], name=op.f('fk_schools_address_id_addresses')),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_schools_agency_id_agencies')),
    sa.PrimaryKeyConstraint('urn', name=op.f('pk_schools'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=100), nullable=False),
    sa.Column('display_name', sa.String(length=200), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('roles', sa.String(length=200), nullable=False),
    sa.Column('password_hash', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_users_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_agency_id'), ['agency_id'], unique=False)

    op.create_table('duty_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty_id', sa.Integer(), nullable=False),
    sa.Column('at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['duty_id'], ['duties.id'], name=op.f('fk_duty_transitions_duty_id_duties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duty_transitions'))
    )
    with op.batch_alter_table('duty_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duty_transitions_duty_id'), ['duty_id'], unique=False)

    op.create_table('incident_people',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('recorded_by_officer', sa.Boolean(), nullable=False),
    sa.Column('found_from', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_people_incident_id_incidents')),
    sa.ForeignKeyConstraint(['person_id'], ['persons.id'], name=op.f('fk_incident_people_person_id_persons')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_people'))
    )
    with op.batch_alter_table('incident_people', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_people_incident_id'), ['incident_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_people_person_id'), ['person_id'], unique=False)

    op.create_table('notifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('agency_id', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=32), nullable=False),
    sa.Column('duty_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('read_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_notifications_agency_id_agencies')),
    sa.ForeignKeyConstraint(['duty_id'], ['duties.id'], name=op.f('fk_notifications_duty_id_duties')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_agency_role', ['agency_id', 'role', 'read_at'], unique=False)

    op.create_table('shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('duty_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('from_agency_id', sa.String(length=64), nullable=False),
    sa.Column('to_agency_id', sa.String(length=64), nullable=False),
    sa.Column('subject_person_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('lawful_basis', sa.Text(), nullable=False),
    sa.Column('purpose', sa.Text(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', safeguard.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('delivered_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_at', safeguard.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['duty_id'], ['duties.id'], name=op.f('fk_shares_duty_id_duties')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_shares_event_id_events')),
    sa.ForeignKeyConstraint(['from_agency_id'], ['agencies.id'], name=op.f('fk_shares_from_agency_id_agencies')),
    sa.ForeignKeyConstraint(['subject_person_id'], ['persons.id'], name=op.f('fk_shares_subject_person_id_persons')),
    sa.ForeignKeyConstraint(['to_agency_id'], ['agencies.id'], name=op.f('fk_shares_to_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares')),
    sa.UniqueConstraint('duty_id', name=op.f('uq_shares_duty_id'))
    )
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shares_subject_person_id'), ['subject_person_id'], unique=False)
        batch_op.create_index('ix_shares_to_agency_ack', ['to_agency_id', 'acknowledged_at'], unique=False)

    for table in APPEND_ONLY:
        _append_only(table)


def downgrade() -> None:
    for table in APPEND_ONLY:
        _drop_append_only(table)
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index('ix_shares_to_agency_ack')
        batch_op.drop_index(batch_op.f('ix_shares_subject_person_id'))

    op.drop_table('shares')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_agency_role')

    op.drop_table('notifications')
    with op.batch_alter_table('incident_people', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_people_person_id'))
        batch_op.drop_index(batch_op.f('ix_incident_people_incident_id'))

    op.drop_table('incident_people')
    with op.batch_alter_table('duty_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duty_transitions_duty_id'))

    op.drop_table('duty_transitions')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_agency_id'))

    op.drop_table('users')
    op.drop_table('schools')
    with op.batch_alter_table('person_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_records_school_urn'))
        batch_op.drop_index(batch_op.f('ix_person_records_person_id'))
        batch_op.drop_index(batch_op.f('ix_person_records_event_id'))
        batch_op.drop_index(batch_op.f('ix_person_records_address_id'))

    op.drop_table('person_records')
    with op.batch_alter_table('person_identifiers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_identifiers_person_id'))

    op.drop_table('person_identifiers')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_address_occurred')

    op.drop_table('incidents')
    with op.batch_alter_table('duties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_duties_subject_person_id'))
        batch_op.drop_index('ix_duties_status_due_at')
        batch_op.drop_index(batch_op.f('ix_duties_partner_agency_id'))
        batch_op.drop_index('ix_duties_owner_status_due')
        batch_op.drop_index(batch_op.f('ix_duties_kind'))
        batch_op.drop_index(batch_op.f('ix_duties_event_id'))

    op.drop_table('duties')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_person_at')
        batch_op.drop_index(batch_op.f('ix_audit_log_at'))

    op.drop_table('audit_log')
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_keys_agency_id'))

    op.drop_table('api_keys')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_index('ix_persons_match_key_dob')

    op.drop_table('persons')
    with op.batch_alter_table('events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_events_event_type'))

    op.drop_table('events')
    op.drop_table('agencies')
    with op.batch_alter_table('addresses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addresses_match_key'))

    op.drop_table('addresses')
