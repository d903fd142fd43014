"""security hardening: 63-bit patrol seeds; inspection answers attributed to the account that gave them;
tokens minted with a token remember their parent; one open inspection per site

Revision ID: 20261130_0203
Revises: 20261130_0202
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261130_0203'
down_revision = '20261130_0202'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('patrol_plans') as batch:
        batch.alter_column('seed', existing_type=sa.Integer(), type_=sa.BigInteger(), existing_nullable=False)
    op.add_column('inspection_items', sa.Column('answered_by_account_id', sa.Integer(), nullable=True))
    op.add_column('inspections', sa.Column('completed_by_account_id', sa.Integer(), nullable=True))
    op.add_column('api_tokens', sa.Column('parent_token_id', sa.Integer(), nullable=True))
    op.create_index('uq_inspections_open_site', 'inspections', ['site_id'], unique=True,
                    sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'"))


def downgrade() -> None:
    op.drop_index('uq_inspections_open_site', table_name='inspections')
    with op.batch_alter_table('api_tokens') as batch:
        batch.drop_column('parent_token_id')
    with op.batch_alter_table('inspections') as batch:
        batch.drop_column('completed_by_account_id')
    with op.batch_alter_table('inspection_items') as batch:
        batch.drop_column('answered_by_account_id')
    with op.batch_alter_table('patrol_plans') as batch:
        batch.alter_column('seed', existing_type=sa.BigInteger(), type_=sa.Integer(), existing_nullable=False)
