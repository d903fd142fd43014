"""vehicle: OSM barriers, vehicle assessments and approaches

Revision ID: 20261126_0007
Revises: 20261126_0101
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261126_0007'
down_revision = '20261126_0101'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('osm_barriers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('osm_type', sa.String(length=10), nullable=False),
    sa.Column('osm_id', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('geom_type', sa.String(length=20), nullable=False),
    sa.Column('geometry_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('osm_version', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_osm_barriers_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_osm_barriers')),
    sa.UniqueConstraint('region_id', 'osm_type', 'osm_id', name='uq_osm_barriers_natural_key')
    )
    with op.batch_alter_table('osm_barriers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_osm_barriers_region_id'), ['region_id'], unique=False)

    op.create_table('vehicle_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('vehicle', sa.String(length=30), nullable=False),
    sa.Column('wrong_way', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=30), nullable=False),
    sa.Column('entry_points', sa.Integer(), nullable=False),
    sa.Column('worst_speed_kph', sa.Float(), nullable=True),
    sa.Column('gaps', sa.Integer(), nullable=False),
    sa.Column('parameters', sa.JSON(), nullable=False),
    sa.Column('result_hash', sa.String(length=64), nullable=False),
    sa.Column('runtime_s', sa.Float(), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_vehicle_assessments_region_id_regions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_vehicle_assessments_site_id_sites'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle_assessments')),
    sa.UniqueConstraint('site_id', 'vehicle', 'wrong_way', name='uq_vehicle_assessments_key')
    )
    with op.batch_alter_table('vehicle_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicle_assessments_region_id'), ['region_id'], unique=False)
        batch_op.create_index('ix_vehicle_assessments_region_vehicle', ['region_id', 'vehicle', 'wrong_way'], unique=False)
        batch_op.create_index(batch_op.f('ix_vehicle_assessments_site_id'), ['site_id'], unique=False)

    op.create_table('vehicle_approaches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('entry_lon', sa.Float(), nullable=False),
    sa.Column('entry_lat', sa.Float(), nullable=False),
    sa.Column('way_id', sa.BigInteger(), nullable=False),
    sa.Column('wrong_way', sa.Boolean(), nullable=False),
    sa.Column('speed_kph', sa.Float(), nullable=False),
    sa.Column('speed_low_kph', sa.Float(), nullable=False),
    sa.Column('speed_high_kph', sa.Float(), nullable=False),
    sa.Column('kinetic_energy_kj', sa.Float(), nullable=False),
    sa.Column('run_up_m', sa.Float(), nullable=False),
    sa.Column('path_length_m', sa.Float(), nullable=False),
    sa.Column('limited_by', sa.String(length=20), nullable=False),
    sa.Column('limiting_radius_m', sa.Float(), nullable=True),
    sa.Column('limiting_lon', sa.Float(), nullable=True),
    sa.Column('limiting_lat', sa.Float(), nullable=True),
    sa.Column('path_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('bends', sa.JSON(), nullable=False),
    sa.Column('needs', sa.JSON(), nullable=False),
    sa.Column('barriers', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('min_detection_m', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['assessment_id'], ['vehicle_assessments.id'], name=op.f('fk_vehicle_approaches_assessment_id_vehicle_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vehicle_approaches')),
    sa.UniqueConstraint('assessment_id', 'rank', name='uq_vehicle_approaches_rank')
    )
    with op.batch_alter_table('vehicle_approaches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicle_approaches_assessment_id'), ['assessment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('vehicle_approaches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicle_approaches_assessment_id'))

    op.drop_table('vehicle_approaches')
    with op.batch_alter_table('vehicle_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicle_assessments_site_id'))
        batch_op.drop_index('ix_vehicle_assessments_region_vehicle')
        batch_op.drop_index(batch_op.f('ix_vehicle_assessments_region_id'))

    op.drop_table('vehicle_assessments')
    with op.batch_alter_table('osm_barriers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_osm_barriers_region_id'))

    op.drop_table('osm_barriers')
