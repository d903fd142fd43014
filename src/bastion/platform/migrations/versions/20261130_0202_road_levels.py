"""road_edges.grade: tunnel / bridge / covered / layer of the source way (vehicle approaches at ground level)

Existing rows get "ground"; the next import of the region's OSM file fills the real grades (the roads hash
includes them, so the network is replaced).

Revision ID: 20261130_0202
Revises: 20261126_0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_0202'
down_revision = '20261126_0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('road_edges') as batch:
        batch.add_column(sa.Column('grade', sa.String(length=10), server_default='ground', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('road_edges') as batch:
        batch.drop_column('grade')
