"""response units

Revision ID: 20261126_0005
Revises: 20261126_0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "20261126_0005"
down_revision = "20261126_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_units",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("unit_type", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("snap_osm_node", sa.BigInteger(), nullable=True),
        sa.Column("snap_distance_m", sa.Float(), nullable=True),
        sa.Column("availability", sa.JSON(), nullable=True),
        sa.Column("standard_s", sa.Integer(), nullable=False),
        sa.Column("speed_profile", sa.String(length=30), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("source_ref", sa.String(length=60), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["region_id"], ["regions.id"], name=op.f("fk_response_units_region_id_regions"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_units")),
        sa.UniqueConstraint("region_id", "source", "source_ref", name="uq_response_units_source_ref"),
    )
    with op.batch_alter_table("response_units", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_units_region_id"), ["region_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("response_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_response_units_region_id"))
    op.drop_table("response_units")
