"""batch results: one row per (region, step) of a batch run

Revision ID: 20261130_1302
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_1302'
down_revision = '20261130_1701'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('batch_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('result_hash', sa.String(length=64), nullable=False),
    sa.Column('runtime_s', sa.Float(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_batch_results_region_id_regions'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch_results')),
    sa.UniqueConstraint('region_id', 'step', name='uq_batch_results_region_step')
    )
    with op.batch_alter_table('batch_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_batch_results_region_id'), ['region_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('batch_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_batch_results_region_id'))
    op.drop_table('batch_results')
