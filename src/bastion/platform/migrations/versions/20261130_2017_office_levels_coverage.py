"""office: posture levels published per region and scheme (duties follow every scheme, NTAS included), stored
per-site coverage for scorecards, the escalation ladder setting, duty completion evidence

Revision ID: 20261130_2017
Revises: 20261130_2015
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_2017'
down_revision = '20261130_2015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('office_region_levels',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('scheme', sa.String(length=10), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('previous_level', sa.String(length=20), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('declaration_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_office_region_levels_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', 'scheme', name=op.f('pk_office_region_levels'))
    )
    op.create_table('office_site_coverage',
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('time_s', sa.Float(), nullable=True),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_office_site_coverage_region_id_regions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_office_site_coverage_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('site_id', name=op.f('pk_office_site_coverage'))
    )
    op.create_index(op.f('ix_office_site_coverage_region_id'), 'office_site_coverage', ['region_id'], unique=False)
    op.create_table('office_ladders',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('spec', sa.String(length=300), nullable=False),
    sa.Column('updated_by', sa.String(length=120), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_office_ladders_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', name=op.f('pk_office_ladders'))
    )
    op.create_table('office_escalation_due',
    sa.Column('task_kind', sa.String(length=20), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('owner_agency_id', sa.Integer(), nullable=True),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('fired_level', sa.Integer(), nullable=False),
    sa.Column('next_due_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('task_kind', 'task_id', name=op.f('pk_office_escalation_due'))
    )
    op.create_index('ix_office_escalation_due_next', 'office_escalation_due', ['next_due_at'], unique=False)
    op.create_index('ix_office_escalation_due_region', 'office_escalation_due', ['region_id'], unique=False)
    op.create_table('office_escalation_marks',
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('last_id', sa.Integer(), nullable=False),
    sa.Column('last_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('spec', sa.String(length=400), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_office_escalation_marks'))
    )
    with op.batch_alter_table('office_duties') as b:
        b.add_column(sa.Column('evidence_given', sa.String(length=500), nullable=True))
    # declarations already in force publish their level (what posture.approve does from now on)
    op.execute(
        "INSERT INTO office_region_levels (region_id, scheme, level, previous_level, expires_at, declaration_id, "
        "updated_at) SELECT d.region_id, d.scheme, d.level, "
        "CASE d.scheme WHEN 'uk' THEN 'SUBSTANTIAL' WHEN 'cn' THEN 'normal' ELSE 'none' END, d.expires_at, d.id, "
        "COALESCE(d.approved_at, d.proposed_at) FROM posture_declarations d WHERE d.status = 'active'")


def downgrade() -> None:
    with op.batch_alter_table('office_duties') as b:
        b.drop_column('evidence_given')
    op.drop_table('office_escalation_marks')
    op.drop_index('ix_office_escalation_due_region', table_name='office_escalation_due')
    op.drop_index('ix_office_escalation_due_next', table_name='office_escalation_due')
    op.drop_table('office_escalation_due')
    op.drop_table('office_ladders')
    op.drop_index(op.f('ix_office_site_coverage_region_id'), table_name='office_site_coverage')
    op.drop_table('office_site_coverage')
    op.drop_table('office_region_levels')
