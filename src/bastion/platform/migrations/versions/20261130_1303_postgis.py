"""PostGIS on PostgreSQL (ADR 0004): geometry(…, 4326) columns generated from the portable WKB and lon/lat
columns, GiST indexes, and the read-only `gis` schema of views that QGIS opens. SQLite: nothing changes.

The columns are STORED generated columns, so PostgreSQL fills them for every existing row when they are added
(the backfill) and keeps them equal to the portable columns on every later write; the application writes only
the portable columns, as before.

Revision ID: 20261130_1303
Revises: 20261130_0204
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from geoalchemy2.types import Geometry

from bastion.kernel.errors import BastionError

revision = '20261130_1303'
down_revision = '20261130_0204'
branch_labels = None
depends_on = None

POINT = "ST_SetSRID(ST_MakePoint(lon, lat), 4326)"
# (table, column, geometry type, expression over the portable columns); a frozen copy of
# bastion.platform.postgis.SPATIAL_COLUMNS as of this revision
COLUMNS = (
    ("regions", "boundary_geom", "GEOMETRY", "ST_GeomFromWKB(boundary_wkb, 4326)"),
    ("sites", "geom", "POINT", POINT),
    ("sites", "footprint_geom", "GEOMETRY", "ST_GeomFromWKB(geometry_wkb, 4326)"),
    ("road_edges", "geom", "LINESTRING", "ST_GeomFromWKB(geometry_wkb, 4326)"),
    ("response_units", "geom", "POINT", POINT),
    ("osm_barriers", "geom", "GEOMETRY", "ST_GeomFromWKB(geometry_wkb, 4326)"),
    ("vehicle_approaches", "path_geom", "LINESTRING", "ST_GeomFromWKB(path_wkb, 4326)"),
)

VIEWS = {
    "regions": """SELECT id, name, slug, boundary_source, osm_timestamp, boundary_geom AS geom
        FROM public.regions""",
    "sites": """SELECT id, region_id, name, category, kind, geom_type,
        COALESCE(capacity_override, capacity_estimated) AS capacity, capacity_low, capacity_high, capacity_method,
        source, source_type, source_id, missing_from_source, geom
        FROM public.sites""",
    "site_footprints": """SELECT id, region_id, name, category, kind, geom_type,
        COALESCE(capacity_override, capacity_estimated) AS capacity, area_m2, length_m, footprint_geom AS geom
        FROM public.sites""",
    "road_edges": """SELECT id, region_id, way_id, u_osm_id, v_osm_id, highway, length_m, speed_kph, oneway, grade,
        geom FROM public.road_edges""",
    "response_units": """SELECT id, region_id, unit_type, name, standard_s, speed_profile, source, source_ref,
        snap_distance_m, geom FROM public.response_units""",
    "osm_barriers": """SELECT id, region_id, osm_type, osm_id, kind, geom_type, geom FROM public.osm_barriers""",
    "vehicle_approaches": """SELECT a.id, va.region_id, va.site_id, va.vehicle, va.wrong_way AS scenario_wrong_way,
        a.rank, a.way_id, a.wrong_way, a.speed_kph, a.speed_low_kph, a.speed_high_kph, a.kinetic_energy_kj,
        a.run_up_m, a.path_length_m, a.limited_by, a.status, a.path_geom AS geom
        FROM public.vehicle_approaches a JOIN public.vehicle_assessments va ON va.id = a.assessment_id""",
}


def _ensure_postgis(conn: sa.Connection) -> None:
    if conn.scalar(sa.text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")):
        return
    if not conn.scalar(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")):
        raise BastionError(
            "PostGIS is not installed on this PostgreSQL server: install the Debian package "
            "postgresql-<major>-postgis-3 (scripts/ensure-system.sh does), then run `bastion db upgrade` again")
    try:
        with conn.begin_nested():
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS postgis"))
    except sa.exc.ProgrammingError as exc:
        raise BastionError(
            "creating the PostGIS extension needs a superuser: run `CREATE EXTENSION postgis;` in this database "
            "as the postgres user once (docs/qgis.md), then `bastion db upgrade` again") from exc


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    _ensure_postgis(conn)
    for table, column, geometry_type, expression in COLUMNS:
        op.add_column(table, sa.Column(
            column, Geometry(geometry_type, srid=4326, spatial_index=False),
            sa.Computed(expression, persisted=True)))
        op.create_index(f"ix_{table}_{column}_gist", table, [column], postgresql_using="gist")
    op.execute("CREATE SCHEMA IF NOT EXISTS gis")
    for name, query in VIEWS.items():
        op.execute(f"CREATE VIEW gis.{name} AS {query}")


def downgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name != "postgresql":
        return
    op.execute("DROP SCHEMA IF EXISTS gis CASCADE")
    for table, column, _type, _expression in reversed(COLUMNS):
        op.drop_index(f"ix_{table}_{column}_gist", table_name=table)
        op.drop_column(table, column)
