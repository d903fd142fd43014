"""preparedness: emergency plans, site exits, training counts, exercises

Revision ID: 20261130_1601
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_1601'
down_revision = '20261130_1501'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'emergency_plans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('threat', sa.String(length=40), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.Column('sections', sa.JSON(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('evacuation', sa.JSON(), nullable=True),
        sa.Column('review_date', sa.Date(), nullable=True),
        sa.Column('created_by_account_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approved_by_account_id', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_emergency_plans_site_id_sites'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_emergency_plans')),
        sa.UniqueConstraint('site_id', 'threat', 'version', name='uq_emergency_plans_version'),
    )
    op.create_index(op.f('ix_emergency_plans_site_id'), 'emergency_plans', ['site_id'])
    op.create_table(
        'site_exits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('width_m', sa.Float(), nullable=False),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_exits_site_id_sites'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_exits')),
    )
    op.create_index(op.f('ix_site_exits_site_id'), 'site_exits', ['site_id'])
    op.create_table(
        'training_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.String(length=40), nullable=False),
        sa.Column('trained', sa.Integer(), nullable=False),
        sa.Column('expected', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_training_counts_site_id_sites'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_training_counts')),
        sa.UniqueConstraint('site_id', 'position', name='uq_training_counts_position'),
    )
    op.create_index(op.f('ix_training_counts_site_id'), 'training_counts', ['site_id'])
    op.create_table(
        'exercises',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('uid', sa.String(length=200), nullable=False),
        sa.Column('mode', sa.String(length=10), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('type', sa.String(length=20), nullable=False),
        sa.Column('threat', sa.String(length=40), nullable=True),
        sa.Column('start', sa.DateTime(timezone=True), nullable=False),
        sa.Column('end', sa.DateTime(timezone=True), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('site_ids', sa.JSON(), nullable=False),
        sa.Column('agencies', sa.JSON(), nullable=False),
        sa.Column('objectives', sa.JSON(), nullable=False),
        sa.Column('msel', sa.JSON(), nullable=False),
        sa.Column('evaluation', sa.JSON(), nullable=False),
        sa.Column('aar', sa.JSON(), nullable=False),
        sa.Column('owner_agency_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("mode = 'EXERCISE'", name=op.f('ck_exercises_mode_exercise')),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_exercises_region_id_regions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exercises')),
        sa.UniqueConstraint('uid', name='uq_exercises_uid'),
    )
    op.create_index(op.f('ix_exercises_region_id'), 'exercises', ['region_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_exercises_region_id'), table_name='exercises')
    op.drop_table('exercises')
    op.drop_index(op.f('ix_training_counts_site_id'), table_name='training_counts')
    op.drop_table('training_counts')
    op.drop_index(op.f('ix_site_exits_site_id'), table_name='site_exits')
    op.drop_table('site_exits')
    op.drop_index(op.f('ix_emergency_plans_site_id'), table_name='emergency_plans')
    op.drop_table('emergency_plans')
