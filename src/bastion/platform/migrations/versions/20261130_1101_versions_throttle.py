"""optimistic concurrency (a version on every editable record) and sign-in throttling in the database

Revision ID: 20261130_1101
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_1101'
down_revision = '20261130_1301'
branch_labels = None
depends_on = None

VERSIONED = ('sites', 'response_units', 'inspections', 'rectification_tasks', 'agencies', 'users',
             'region_threat_settings')


def upgrade() -> None:
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
    op.create_table(
        'login_throttle',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('window_start_s', sa.Float(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('until_s', sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttle')),
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
    for table in VERSIONED:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('version')
