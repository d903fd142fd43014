"""incidents and dispatch: incidents (M/ETHANE, counts only), append-only timeline (audit-chained), unit live
status, cordons, CAP warnings, and the change counter the board's SSE stream polls

Revision ID: 20261130_1501
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_1501'
down_revision = '20261130_1801'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('incident_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('counter', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_changes'))
    )
    op.bulk_insert(sa.table('incident_changes', sa.column('id', sa.Integer()), sa.column('counter', sa.Integer())),
                   [{'id': 1, 'counter': 0}])
    op.create_table('incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('incident_type', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('major_incident', sa.String(length=20), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('location_text', sa.Text(), nullable=True),
    sa.Column('hazards', sa.Text(), nullable=True),
    sa.Column('access', sa.Text(), nullable=True),
    sa.Column('casualties', sa.JSON(), nullable=False),
    sa.Column('services_present', sa.JSON(), nullable=False),
    sa.Column('services_required', sa.JSON(), nullable=False),
    sa.Column('device', sa.String(length=30), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('timeline_count', sa.Integer(), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by_account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_incidents_region_id_regions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_incidents_site_id_sites'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents'))
    )
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incidents_region_id'), ['region_id'], unique=False)
        batch_op.create_index('ix_incidents_region_mode_status', ['region_id', 'mode', 'status'], unique=False)

    op.create_table('incident_cordons',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('inner_m', sa.Float(), nullable=False),
    sa.Column('outer_m', sa.Float(), nullable=False),
    sa.Column('device', sa.String(length=30), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_cordons_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_incident_cordons'))
    )
    op.create_table('incident_timeline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.Column('actor', sa.String(length=120), nullable=False),
    sa.Column('audit_seq', sa.Integer(), nullable=False),
    sa.Column('audit_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_timeline_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_timeline')),
    sa.UniqueConstraint('incident_id', 'seq', name='uq_incident_timeline_seq')
    )
    with op.batch_alter_table('incident_timeline', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_timeline_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_unit_states',
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('position_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('crew_count', sa.Integer(), nullable=True),
    sa.Column('capabilities', sa.JSON(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_unit_states_incident_id_incidents'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['response_units.id'], name=op.f('fk_incident_unit_states_unit_id_response_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('unit_id', name=op.f('pk_incident_unit_states'))
    )
    op.create_table('incident_warnings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('identifier', sa.String(length=120), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('msg_type', sa.String(length=10), nullable=False),
    sa.Column('headline', sa.String(length=160), nullable=False),
    sa.Column('instruction', sa.Text(), nullable=False),
    sa.Column('radius_m', sa.Float(), nullable=False),
    sa.Column('xml', sa.Text(), nullable=True),
    sa.Column('drafted_by', sa.String(length=120), nullable=False),
    sa.Column('drafted_by_account_id', sa.Integer(), nullable=True),
    sa.Column('approved_by', sa.String(length=120), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_warnings_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_warnings')),
    sa.UniqueConstraint('identifier', name=op.f('uq_incident_warnings_identifier'))
    )
    with op.batch_alter_table('incident_warnings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_warnings_incident_id'), ['incident_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('incident_warnings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_warnings_incident_id'))

    op.drop_table('incident_warnings')
    op.drop_table('incident_unit_states')
    with op.batch_alter_table('incident_timeline', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_timeline_incident_id'))

    op.drop_table('incident_timeline')
    op.drop_table('incident_cordons')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_region_mode_status')
        batch_op.drop_index(batch_op.f('ix_incidents_region_id'))

    op.drop_table('incidents')
    op.drop_table('incident_changes')

