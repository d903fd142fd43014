"""early warning: imported-file records, weekly aggregate counts, alerts with posture recommendations

Revision ID: 20261130_1801
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_1801'
down_revision = '20261130_1303'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'warning_imports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('dataset', sa.String(length=10), nullable=False),
        sa.Column('file_label', sa.String(length=120), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('rows_read', sa.Integer(), nullable=False),
        sa.Column('rows_used', sa.Integer(), nullable=False),
        sa.Column('rows_undated', sa.Integer(), nullable=False),
        sa.Column('rows_filtered', sa.Integer(), nullable=False),
        sa.Column('cells', sa.Integer(), nullable=False),
        sa.Column('columns_kept', sa.JSON(), nullable=False),
        sa.Column('columns_dropped', sa.Integer(), nullable=False),
        sa.Column('first_week', sa.Date(), nullable=True),
        sa.Column('last_week', sa.Date(), nullable=True),
        sa.Column('licence', sa.String(length=200), nullable=False),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_warning_imports_region_id_regions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_imports')),
        sa.UniqueConstraint('region_id', 'sha256', name='uq_warning_imports_region_sha256'),
    )
    op.create_index(op.f('ix_warning_imports_region_id'), 'warning_imports', ['region_id'], unique=False)
    op.create_table(
        'warning_counts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('dataset', sa.String(length=10), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('attack_type', sa.String(length=30), nullable=False),
        sa.Column('target_type', sa.Integer(), nullable=False),
        sa.Column('events', sa.Integer(), nullable=False),
        sa.Column('fatalities', sa.Integer(), nullable=False),
        sa.Column('injured', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['import_id'], ['warning_imports.id'],
                                name=op.f('fk_warning_counts_import_id_warning_imports'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_warning_counts_region_id_regions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_counts')),
        sa.UniqueConstraint('region_id', 'dataset', 'week', 'attack_type', 'target_type',
                            name='uq_warning_counts_cell'),
    )
    op.create_index(op.f('ix_warning_counts_region_id'), 'warning_counts', ['region_id'], unique=False)
    op.create_index(op.f('ix_warning_counts_import_id'), 'warning_counts', ['import_id'], unique=False)
    op.create_index('ix_warning_counts_series', 'warning_counts', ['region_id', 'dataset', 'attack_type',
                                                                   'target_type'], unique=False)
    op.create_table(
        'warning_alerts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('region_id', sa.Integer(), nullable=False),
        sa.Column('dataset', sa.String(length=10), nullable=False),
        sa.Column('attack_type', sa.String(length=30), nullable=False),
        sa.Column('target_type', sa.Integer(), nullable=False),
        sa.Column('method', sa.String(length=20), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('last_week', sa.Date(), nullable=False),
        sa.Column('alarm_weeks', sa.JSON(), nullable=False),
        sa.Column('observed', sa.Integer(), nullable=False),
        sa.Column('peak_observed', sa.Integer(), nullable=False),
        sa.Column('expected', sa.Float(), nullable=False),
        sa.Column('upper', sa.Float(), nullable=False),
        sa.Column('p_value', sa.Float(), nullable=True),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('level_shift', sa.Boolean(), nullable=False),
        sa.Column('suppressed_until', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=15), nullable=False),
        sa.Column('current_level', sa.String(length=15), nullable=False),
        sa.Column('recommended_action', sa.String(length=10), nullable=False),
        sa.Column('recommended_level', sa.String(length=15), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('decision', sa.String(length=10), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('posture_change_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_warning_alerts_region_id_regions'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_alerts')),
        sa.UniqueConstraint('region_id', 'dataset', 'attack_type', 'target_type', 'method', 'week',
                            name='uq_warning_alerts_episode'),
    )
    op.create_index(op.f('ix_warning_alerts_region_id'), 'warning_alerts', ['region_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_warning_alerts_region_id'), table_name='warning_alerts')
    op.drop_table('warning_alerts')
    op.drop_index('ix_warning_counts_series', table_name='warning_counts')
    op.drop_index(op.f('ix_warning_counts_import_id'), table_name='warning_counts')
    op.drop_index(op.f('ix_warning_counts_region_id'), table_name='warning_counts')
    op.drop_table('warning_counts')
    op.drop_index(op.f('ix_warning_imports_region_id'), table_name='warning_imports')
    op.drop_table('warning_imports')
