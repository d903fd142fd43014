"""an evidence note per inspection checklist answer (what the inspector saw at the place; never a person)

Revision ID: 20261130_2014
Revises: 20261130_2016
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_2014'
down_revision = '20261130_2016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inspection_items') as batch:
        batch.add_column(sa.Column('evidence_note', sa.String(length=1000), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inspection_items') as batch:
        batch.drop_column('evidence_note')
