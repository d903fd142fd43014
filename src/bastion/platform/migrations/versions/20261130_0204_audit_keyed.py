"""audit chain keyed with HMAC-SHA256: audit_head.sig (NULL = a legacy plain-SHA-256 chain not sealed yet)

Revision ID: 20261130_0204
Revises: 20261130_0201
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_0204'
down_revision = '20261130_0201'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_head') as batch:
        batch.add_column(sa.Column('sig', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_head') as batch:
        batch.drop_column('sig')
