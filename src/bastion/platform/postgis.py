"""PostGIS on PostgreSQL (ADR 0004).

On PostgreSQL every stored geometry has a PostGIS twin: a `geometry(…, 4326)` column that PostgreSQL generates
from the portable WKB or lon/lat columns (migration 20261130_1303), with a GiST index. The application keeps
reading and writing the portable columns on both backends; the twins serve QGIS/GDAL (through the read-only
views of the `gis` schema) and spatial queries at national scale (`sites_in_bbox`, `nearest_sites`).

The twins are not in the SQLAlchemy models (SQLite has none): `include_object` tells the schema comparison
(tests, autogenerate) to leave them, their indexes and PostGIS's own table alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from typing import Literal

import geoalchemy2  # noqa: F401 - registers the geometry type with SQLAlchemy's PostgreSQL reflection
from sqlalchemy import Connection
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from bastion.kernel.errors import BastionError
from bastion.kernel.errors import InvalidInput

GIS_SCHEMA = "gis"


@dataclass(frozen=True, slots=True)
class SpatialColumn:
    table: str
    column: str
    geometry_type: str  # PostGIS type modifier: POINT, LINESTRING or GEOMETRY (any)
    source: str  # the portable column(s) it is generated from

    @property
    def index(self) -> str:
        return f"ix_{self.table}_{self.column}_gist"


SPATIAL_COLUMNS: tuple[SpatialColumn, ...] = (
    SpatialColumn("regions", "boundary_geom", "GEOMETRY", "boundary_wkb"),
    SpatialColumn("sites", "geom", "POINT", "lon, lat"),
    SpatialColumn("sites", "footprint_geom", "GEOMETRY", "geometry_wkb"),
    SpatialColumn("road_edges", "geom", "LINESTRING", "geometry_wkb"),
    SpatialColumn("response_units", "geom", "POINT", "lon, lat"),
    SpatialColumn("osm_barriers", "geom", "GEOMETRY", "geometry_wkb"),
    SpatialColumn("vehicle_approaches", "path_geom", "LINESTRING", "path_wkb"),
)

# the views of the `gis` schema (QGIS layers) and the table each one reads (its feature count is that table's rows)
GIS_LAYERS: dict[str, str] = {
    "regions": "regions",
    "sites": "sites",
    "site_footprints": "sites",
    "road_edges": "road_edges",
    "response_units": "response_units",
    "osm_barriers": "osm_barriers",
    "vehicle_approaches": "vehicle_approaches",
}

POSTGIS_TABLES = frozenset({"spatial_ref_sys"})
_COLUMN_KEYS = frozenset((c.table, c.column) for c in SPATIAL_COLUMNS)
_INDEX_NAMES = frozenset(c.index for c in SPATIAL_COLUMNS)


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """Alembic's filter: skip what exists only in the database on purpose (the PostGIS twins, their GiST indexes,
    PostGIS's spatial_ref_sys). Anything else the models lack is still reported."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "table":
        return name not in POSTGIS_TABLES
    if type_ == "column":
        return (obj.table.name, name) not in _COLUMN_KEYS
    if type_ == "index":
        return name not in _INDEX_NAMES
    return True


def is_postgis(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql" and bool(
        conn.scalar(text("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")))


# --- spatial queries: GiST (PostGIS) and the portable bbox columns give the same answers ---------------------------

Method = Literal["gist", "columns"]
BBox = tuple[float, float, float, float]


def _check_bbox(bbox: BBox) -> None:
    minx, miny, maxx, maxy = bbox
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput(f"bbox {bbox!r}: give min_lon, min_lat, max_lon, max_lat in degrees, min <= max",
                           field="bbox")


def sites_in_bbox(conn: Connection, bbox: BBox, *, method: Method = "gist") -> list[int]:
    """Ids (ascending) of the sites whose bounding box meets `bbox` (edges included): the sites repository's bbox
    filter. `gist`: the GiST index of the PostGIS footprint finds the candidates (`&&`; its float4 boxes are
    rounded outwards, a superset), the bbox columns decide exactly (PostgreSQL with PostGIS only); `columns`:
    the bbox columns alone, as the repository filters today (no index serves them)."""
    _check_bbox(bbox)
    params = dict(zip(("x1", "y1", "x2", "y2"), bbox, strict=True))
    exact = "max_lon >= :x1 AND min_lon <= :x2 AND max_lat >= :y1 AND min_lat <= :y2"
    if method == "gist":
        sql = f"SELECT id FROM sites WHERE footprint_geom && ST_MakeEnvelope(:x1, :y1, :x2, :y2, 4326) AND {exact}"
    else:
        sql = f"SELECT id FROM sites WHERE {exact}"
    return [int(r[0]) for r in conn.execute(text(sql + " ORDER BY id"), params)]


def nearest_sites(conn: Connection, lon: float, lat: float, k: int, *, method: Method = "gist") -> list[int]:
    """Ids of the `k` sites nearest (lon, lat), nearest first (ties by id). Distance: planar, in degrees of
    lon/lat, which is what PostGIS's `<->` gives on geometry(Point, 4326). `gist`: a KNN scan of the GiST index;
    `columns`: a window on the lon/lat columns, doubled until it holds k sites no farther than its half-width."""
    if not 1 <= k <= 1000:
        raise InvalidInput(f"k must be between 1 and 1000, got {k}", field="k")
    _check_bbox((lon, lat, lon, lat))
    if method == "gist":
        rows = conn.execute(text(
            "SELECT id, geom <-> ST_SetSRID(ST_MakePoint(:x, :y), 4326) AS d FROM sites "
            "ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:x, :y), 4326) LIMIT :k"), {"x": lon, "y": lat, "k": k}).all()
        return [int(r[0]) for r in sorted(rows, key=lambda r: (r[1], r[0]))]
    half = 0.005  # degrees (about 500 m): a city block first
    while True:
        rows = conn.execute(text(
            "SELECT id, sqrt((lon - :x) * (lon - :x) + (lat - :y) * (lat - :y)) AS d FROM sites "
            "WHERE lon BETWEEN :x1 AND :x2 AND lat BETWEEN :y1 AND :y2 ORDER BY d, id LIMIT :k"),
            {"x": lon, "y": lat, "x1": lon - half, "x2": lon + half, "y1": lat - half, "y2": lat + half,
             "k": k}).all()
        if (len(rows) == k and rows[-1][1] <= half) or half > 360:  # (past 360 deg the window holds every site)
            return [int(r[0]) for r in rows]
        half *= 2


# --- the read-only role QGIS connects with ---------------------------------------------------------------------------

_ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _check_role_name(name: str) -> None:
    if not _ROLE_NAME.fullmatch(name) or name.startswith("pg_"):
        raise InvalidInput(f"role name {name!r}: use 1-63 lowercase letters, digits and _, starting with a letter "
                           "or _ (not pg_)", field="name")


def _postgis_database(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        raise InvalidInput("QGIS reads Bastion's layers from PostgreSQL with PostGIS; this database is "
                           f"{engine.dialect.name}: set BASTION_DATABASE_URL to a PostgreSQL database",
                           field="database_url")
    with engine.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": GIS_SCHEMA}):
            raise BastionError("the database has no gis schema yet", hint="run `bastion db upgrade`")


def create_reader_role(engine: Engine, name: str, password: str) -> bool:
    """Create (or, if it exists and is read-only, update) login role `name` that may read the `gis` views and
    nothing else: no table of the public schema (accounts, audit, sessions, secrets), no write. Returns whether the
    role is new. Needs a database user with CREATEROLE."""
    _check_role_name(name)
    if len(password) < 12:
        raise InvalidInput("password: give at least 12 characters", field="password")
    _postgis_database(engine)
    try:
        with engine.begin() as conn:
            role = conn.execute(text(
                "SELECT rolsuper OR rolcreaterole OR rolcreatedb OR rolreplication OR rolbypassrls, "
                "rolname = current_user FROM pg_roles WHERE rolname = :n"), {"n": name}).first()
            if role is not None and (role[0] or role[1]):
                raise InvalidInput(f"role {name!r} exists and is not a read-only role: choose another name",
                                   field="name")
            verb = "CREATE" if role is None else "ALTER"
            for sql in (
                f"SELECT format('{verb} ROLE %I LOGIN PASSWORD %L NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT "
                "NOREPLICATION', CAST(:n AS text), CAST(:p AS text))",
                "SELECT format('GRANT CONNECT ON DATABASE %I TO %I', current_database(), CAST(:n AS text))",
                "SELECT format('GRANT USAGE ON SCHEMA gis TO %I', CAST(:n AS text))",
                "SELECT format('GRANT SELECT ON ALL TABLES IN SCHEMA gis TO %I', CAST(:n AS text))",
                "SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA gis GRANT SELECT ON TABLES TO %I', "
                "CAST(:n AS text))",
                "SELECT format('ALTER ROLE %I SET default_transaction_read_only = on', CAST(:n AS text))",
            ):
                conn.execute(text(str(conn.scalar(text(sql), {"n": name, "p": password}))))
    except sa_exc.ProgrammingError as exc:
        raise BastionError(f"the database user cannot manage role {name!r} (it needs CREATEROLE): "
                           f"{str(exc.orig).strip().splitlines()[0]}") from None
    return role is None


def drop_reader_role(engine: Engine, name: str) -> bool:
    """Drop reader role `name` and its grants in this database. Returns whether it existed."""
    _check_role_name(name)
    _postgis_database(engine)
    try:
        with engine.begin() as conn:
            role = conn.execute(text(
                "SELECT rolsuper OR rolcreaterole OR rolcreatedb, rolname = current_user FROM pg_roles "
                "WHERE rolname = :n"), {"n": name}).first()
            if role is None:
                return False
            if role[0] or role[1]:
                raise InvalidInput(f"role {name!r} is not a read-only role: not dropped", field="name")
            for sql in (  # what create_reader_role granted, revoked by its grantor (DROP OWNED needs more)
                "SELECT format('ALTER DEFAULT PRIVILEGES IN SCHEMA gis REVOKE SELECT ON TABLES FROM %I', "
                "CAST(:n AS text))",
                "SELECT format('REVOKE SELECT ON ALL TABLES IN SCHEMA gis FROM %I', CAST(:n AS text))",
                "SELECT format('REVOKE USAGE ON SCHEMA gis FROM %I', CAST(:n AS text))",
                "SELECT format('REVOKE CONNECT ON DATABASE %I FROM %I', current_database(), CAST(:n AS text))",
                "SELECT format('DROP ROLE %I', CAST(:n AS text))",
            ):
                conn.execute(text(str(conn.scalar(text(sql), {"n": name}))))
    except sa_exc.ProgrammingError as exc:
        raise BastionError(f"the database user cannot drop role {name!r}: "
                           f"{str(exc.orig).strip().splitlines()[0]}") from None
    return True
