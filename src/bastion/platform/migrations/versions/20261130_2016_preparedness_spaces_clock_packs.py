"""preparedness: protected spaces and lockable zones per site, the exercise clock, a region's calendar rule pack

Revision ID: 20261130_2016
Revises: 20261130_1302
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_2016'
down_revision = '20261130_1302'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'site_spaces',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('area_m2', sa.Float(), nullable=True),
        sa.Column('capacity', sa.Integer(), nullable=True),
        sa.Column('source', sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_spaces_site_id_sites'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_spaces')),
    )
    op.create_index(op.f('ix_site_spaces_site_id'), 'site_spaces', ['site_id'])
    op.create_table(
        'exercise_calendar_packs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('pack', sa.JSON(), nullable=False),
        sa.Column('updated_by_account_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'],
                                name=op.f('fk_exercise_calendar_packs_region_id_regions'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exercise_calendar_packs')),
        sa.UniqueConstraint('region_id', name='uq_exercise_calendar_packs_region'),
    )
    op.add_column('exercises', sa.Column('clock', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('exercises') as b:
        b.drop_column('clock')
    op.drop_table('exercise_calendar_packs')
    op.drop_index(op.f('ix_site_spaces_site_id'), table_name='site_spaces')
    op.drop_table('site_spaces')
