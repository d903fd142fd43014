"""incident situation reports on a schedule: the schedule per incident and the reports it generated; the
reference an imported incident carried (CSV import, unique per region)

Revision ID: 20261130_2015
Revises: 20261130_2014
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_2015'
down_revision = '20261130_2014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents') as batch:
        batch.add_column(sa.Column('source_ref', sa.String(length=80), nullable=True))
    op.create_index('uq_incidents_region_source_ref', 'incidents', ['region_id', 'source_ref'], unique=True)
    op.create_table('incident_sitrep_schedules',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('interval_min', sa.Integer(), nullable=True),
    sa.Column('times_utc', sa.JSON(), nullable=True),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('set_by', sa.String(length=120), nullable=False),
    sa.Column('principal', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'],
                            name=op.f('fk_incident_sitrep_schedules_incident_id_incidents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', name=op.f('pk_incident_sitrep_schedules'))
    )
    op.create_index(op.f('ix_incident_sitrep_schedules_next_due_at'), 'incident_sitrep_schedules', ['next_due_at'],
                    unique=False)
    op.create_table('incident_sitreps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('report_no', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('lang', sa.String(length=8), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('generated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=True),
    sa.Column('job_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incidents.id'], name=op.f('fk_incident_sitreps_incident_id_incidents'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_sitreps')),
    sa.UniqueConstraint('incident_id', 'due_at', name='uq_incident_sitreps_due')
    )
    op.create_index(op.f('ix_incident_sitreps_incident_id'), 'incident_sitreps', ['incident_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_incident_sitreps_incident_id'), table_name='incident_sitreps')
    op.drop_table('incident_sitreps')
    op.drop_index(op.f('ix_incident_sitrep_schedules_next_due_at'), table_name='incident_sitrep_schedules')
    op.drop_table('incident_sitrep_schedules')
    op.drop_index('uq_incidents_region_source_ref', table_name='incidents')
    with op.batch_alter_table('incidents') as batch:
        batch.drop_column('source_ref')
