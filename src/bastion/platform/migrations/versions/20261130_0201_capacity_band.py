"""sites: capacity band (low / high people) and the OSM references a merged place stands for

Revision ID: 20261130_0201
Revises: 20261130_0203
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_0201'
down_revision = '20261130_0203'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain nullable columns: SQLite adds them in place (no table copy, so rows referencing sites are untouched).
    op.add_column('sites', sa.Column('capacity_low', sa.Integer(), nullable=True))
    op.add_column('sites', sa.Column('capacity_high', sa.Integer(), nullable=True))
    op.add_column('sites', sa.Column('osm_members', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column('sites', 'osm_members')
    op.drop_column('sites', 'capacity_high')
    op.drop_column('sites', 'capacity_low')
