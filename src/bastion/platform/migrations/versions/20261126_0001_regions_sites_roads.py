"""regions sites roads

Revision ID: 20261126_0001
Revises:
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '20261126_0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('regions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('boundary_wkb', sa.LargeBinary(), nullable=True),
    sa.Column('boundary_source', sa.String(length=200), nullable=True),
    sa.Column('min_lon', sa.Float(), nullable=True),
    sa.Column('min_lat', sa.Float(), nullable=True),
    sa.Column('max_lon', sa.Float(), nullable=True),
    sa.Column('max_lat', sa.Float(), nullable=True),
    sa.Column('osm_file', sa.String(length=300), nullable=True),
    sa.Column('osm_sha256', sa.String(length=64), nullable=True),
    sa.Column('osm_timestamp', sa.String(length=40), nullable=True),
    sa.Column('roads_hash', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_regions')),
    sa.UniqueConstraint('name', name=op.f('uq_regions_name')),
    sa.UniqueConstraint('slug', name=op.f('uq_regions_slug'))
    )
    op.create_table('road_edges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('u_osm_id', sa.BigInteger(), nullable=False),
    sa.Column('v_osm_id', sa.BigInteger(), nullable=False),
    sa.Column('way_id', sa.BigInteger(), nullable=False),
    sa.Column('highway', sa.String(length=30), nullable=False),
    sa.Column('length_m', sa.Float(), nullable=False),
    sa.Column('speed_kph', sa.Float(), nullable=False),
    sa.Column('speed_tagged', sa.Boolean(), nullable=False),
    sa.Column('oneway', sa.Boolean(), nullable=False),
    sa.Column('geometry_wkb', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_road_edges_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_road_edges'))
    )
    with op.batch_alter_table('road_edges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_road_edges_region_id'), ['region_id'], unique=False)

    op.create_table('road_nodes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('osm_id', sa.BigInteger(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_road_nodes_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_road_nodes')),
    sa.UniqueConstraint('region_id', 'osm_id', name='uq_road_nodes_region_osm')
    )
    with op.batch_alter_table('road_nodes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_road_nodes_region_id'), ['region_id'], unique=False)

    op.create_table('sites',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=20), nullable=False),
    sa.Column('source_type', sa.String(length=100), nullable=False),
    sa.Column('source_id', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('geom_type', sa.String(length=20), nullable=False),
    sa.Column('geometry_wkb', sa.LargeBinary(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('area_m2', sa.Float(), nullable=True),
    sa.Column('length_m', sa.Float(), nullable=True),
    sa.Column('capacity_estimated', sa.Integer(), nullable=True),
    sa.Column('capacity_method', sa.String(length=40), nullable=False),
    sa.Column('capacity_inputs', sa.JSON(), nullable=False),
    sa.Column('capacity_override', sa.Integer(), nullable=True),
    sa.Column('opening_hours_raw', sa.Text(), nullable=True),
    sa.Column('opening_hours_valid', sa.Boolean(), nullable=True),
    sa.Column('opening_hours_weekly', sa.JSON(), nullable=True),
    sa.Column('opening_hours_error', sa.Text(), nullable=True),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('osm_version', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('missing_from_source', sa.Boolean(), nullable=False),
    sa.Column('user_list', sa.String(length=100), nullable=True),
    sa.Column('user_ref', sa.String(length=100), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_sites_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sites')),
    sa.UniqueConstraint('region_id', 'source', 'source_type', 'source_id', name='uq_sites_natural_key'),
    sa.UniqueConstraint('region_id', 'user_list', 'user_ref', name='uq_sites_user_ref')
    )
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.create_index('ix_sites_lonlat', ['lon', 'lat'], unique=False)
        batch_op.create_index('ix_sites_region_category', ['region_id', 'category'], unique=False)
        batch_op.create_index(batch_op.f('ix_sites_region_id'), ['region_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sites_region_id'))
        batch_op.drop_index('ix_sites_region_category')
        batch_op.drop_index('ix_sites_lonlat')

    op.drop_table('sites')
    with op.batch_alter_table('road_nodes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_road_nodes_region_id'))

    op.drop_table('road_nodes')
    with op.batch_alter_table('road_edges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_road_edges_region_id'))

    op.drop_table('road_edges')
    op.drop_table('regions')

