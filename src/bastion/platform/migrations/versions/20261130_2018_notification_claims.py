"""office: notifications are claimed before they are sent (claimed_at), so that no transaction stays open while a
mail server or webhook answers

Revision ID: 20261130_2018
Revises: 20261130_2017
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_2018'
down_revision = '20261130_2017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('office_notifications') as batch_op:
        batch_op.add_column(sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('office_notifications') as batch_op:
        batch_op.drop_column('claimed_at')
