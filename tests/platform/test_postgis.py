"""PostGIS on PostgreSQL (ADR 0004): the generated geometry columns equal the portable ones and follow writes,
GiST queries give the bbox columns' answers, GDAL/OGR reads the `gis` layers over `PG:` with the read-only
QGIS role, and that role reads nothing else."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import shapely
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.platform import postgis
from bastion.platform.cli import app
from bastion.sites.models import Site
from bastion.sites.repository import SiteFilter
from bastion.sites.repository import SiteRepo
from tests.conftest import PG_URL

_needs_pg = pytest.mark.skipif(not PG_URL, reason="PostGIS tests need BASTION_TEST_PG_URL")
_on_pg = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite has no twins: no copy made


def pg_only(test: Any) -> Any:
    return _needs_pg(_on_pg(test))
runner = CliRunner()

# Monaco (data/osm/monaco-2023-12.osm.pbf) as imported: its extent and its rows
MONACO_EXTENT = (7.40, 43.72, 7.45, 43.76)
MONACO_ROWS = {"regions": 1, "sites": 153, "site_footprints": 153, "road_edges": 1913, "response_units": 11,
               "osm_barriers": 122}


@pytest.fixture
def pg_monaco(monaco_sf: sessionmaker[Session], engine: Engine) -> Engine:
    if engine.dialect.name != "postgresql":
        pytest.skip("PostGIS columns exist on PostgreSQL only (SQLite keeps the portable storage)")
    return engine


@pg_only
def test_every_geometry_has_an_indexed_postgis_twin_equal_to_the_portable_columns(pg_monaco: Engine) -> None:
    with pg_monaco.connect() as c:
        assert postgis.is_postgis(c)
        typed = {(r.f_table_name, r.f_geometry_column): (r.type, r.srid) for r in c.execute(text(
            "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns "
            "WHERE f_table_schema = 'public'"))}
        gist = set(c.scalars(text("SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist%'")))
        for col in postgis.SPATIAL_COLUMNS:
            assert typed[(col.table, col.column)] == (col.geometry_type, 4326)
            assert col.index in gist
        # the twins hold exactly the stored geometry: same WKB bytes, same point, same bbox as the bbox columns
        assert c.scalar(text("SELECT count(*) FROM sites WHERE ST_AsBinary(footprint_geom) = geometry_wkb "
                             "AND ST_X(geom) = lon AND ST_Y(geom) = lat AND ST_XMin(footprint_geom) = min_lon "
                             "AND ST_YMin(footprint_geom) = min_lat AND ST_XMax(footprint_geom) = max_lon "
                             "AND ST_YMax(footprint_geom) = max_lat")) == 153
        assert c.scalar(text("SELECT count(*) FROM road_edges WHERE ST_AsBinary(geom) = geometry_wkb")) == 1913
        assert c.scalar(text("SELECT count(*) FROM osm_barriers WHERE ST_AsBinary(geom) = geometry_wkb")) == 122
        assert c.scalar(text("SELECT count(*) FROM response_units WHERE ST_X(geom) = lon AND ST_Y(geom) = lat")) == 11
        assert c.scalar(text("SELECT ST_AsBinary(boundary_geom) = boundary_wkb FROM regions")) is True
        # PostGIS and shapely (today's geometry engine) agree on which site points lie in the boundary
        inside = set(c.scalars(text("SELECT s.id FROM sites s JOIN regions r ON r.id = s.region_id "
                                    "WHERE ST_Intersects(r.boundary_geom, s.geom)")))
        boundary = shapely.from_wkb(c.scalar(text("SELECT boundary_wkb FROM regions")))
        points = c.execute(text("SELECT id, lon, lat FROM sites")).all()
        assert inside == {i for i, x, y in points if boundary.intersects(shapely.Point(x, y))}
        assert 140 < len(inside) < 153  # a few mapped places lie off the boundary (harbour, sea wall)


@pytest.mark.slow
@pg_only
def test_the_migration_backfills_a_database_that_has_rows(db_url: str) -> None:
    """Monaco imported without the PostGIS twins, then the PostGIS revision applied: every row gets its twins.

    Later revisions add columns the ORM writes, so the rows are imported at head and the PostGIS revision is taken
    down and up again around them (its upgrade runs on a table that already holds Monaco)."""
    import importlib.util

    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from bastion.imports.service import import_osm
    from bastion.kernel.db.engine import make_engine
    from bastion.kernel.db.engine import make_session_factory
    from bastion.platform import migrate
    from tests.conftest import MONACO
    from tests.conftest import MONACO_BOUNDARY

    path = next((Path(migrate.__file__).parent / "migrations" / "versions").glob("20261130_1303_*.py"))
    spec = importlib.util.spec_from_file_location("postgis_revision", path)
    assert spec is not None and spec.loader is not None
    revision = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(revision)

    def run(step: str) -> None:
        with eng.begin() as c, Operations.context(MigrationContext.configure(c)):
            getattr(revision, step)()

    eng = make_engine(db_url)
    try:
        migrate.upgrade(eng)
        import_osm(make_session_factory(eng), MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
        run("downgrade")
        with eng.connect() as c:
            assert c.scalar(text(
                "SELECT count(*) FROM information_schema.columns WHERE column_name = 'footprint_geom'")) == 0
        run("upgrade")
        with eng.connect() as c:
            assert c.scalar(text("SELECT count(*) FROM sites WHERE geom IS NOT NULL AND footprint_geom IS NOT NULL "
                                 "AND ST_AsBinary(footprint_geom) = geometry_wkb")) == 153
            assert c.scalar(text("SELECT count(*) FROM gis.road_edges WHERE geom IS NOT NULL")) == 1913
            assert migrate.schema_diff(c) == []
    finally:
        eng.dispose()


@pg_only
def test_the_twins_follow_every_write(pg_monaco: Engine, monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        site = s.scalars(text("SELECT id FROM sites ORDER BY id LIMIT 1")).one()
        row = s.get(Site, site)
        assert row is not None
        row.lon, row.lat = 7.4200125, 43.7400375
        s.commit()
    with pg_monaco.connect() as c:
        x, y = c.execute(text("SELECT ST_X(geom), ST_Y(geom) FROM sites WHERE id = :i"), {"i": site}).one()
    assert (x, y) == (7.4200125, 43.7400375)


@pg_only
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(x=st.floats(7.40, 7.45), y=st.floats(43.72, 43.76), w=st.floats(0, 0.02), h=st.floats(0, 0.02),
       k=st.integers(1, 20), on_site=st.integers(0, 152) | st.none())
def test_gist_queries_answer_as_the_bbox_columns(pg_monaco: Engine, x: float, y: float, w: float, h: float,
                                                 k: int, on_site: int | None) -> None:
    with pg_monaco.connect() as c:
        if on_site is not None:  # a box whose corner is a site's bbox corner exactly (edges count on both sides)
            x, y = c.execute(text("SELECT max_lon, max_lat FROM sites ORDER BY id OFFSET :n LIMIT 1"),
                             {"n": on_site}).one()
        bbox = (x, y, x + w, y + h)
        assert postgis.sites_in_bbox(c, bbox, method="gist") == postgis.sites_in_bbox(c, bbox, method="columns")
        assert postgis.nearest_sites(c, x, y, k, method="gist") == postgis.nearest_sites(c, x, y, k, method="columns")


@pg_only
def test_gist_queries_hand_checked(pg_monaco: Engine) -> None:
    with pg_monaco.connect() as c:
        assert len(postgis.sites_in_bbox(c, MONACO_EXTENT)) == 153
        # the same answer as the sites repository's bbox filter (the product's own query), on a part of Monaco
        with Session(pg_monaco) as s:
            listed, _ = SiteRepo(s).list(SiteFilter(bbox=(7.415, 43.728, 7.425, 43.738), include_missing=True))
            assert postgis.sites_in_bbox(c, (7.415, 43.728, 7.425, 43.738)) == sorted(x.id for x in listed) != []
        sid, lon, lat = c.execute(text("SELECT id, lon, lat FROM sites ORDER BY id LIMIT 1")).one()
        assert sid in postgis.sites_in_bbox(c, (lon, lat, lon, lat))  # a zero-size box on the point: edges count
        assert postgis.nearest_sites(c, lon, lat, 1) == [sid]
        assert postgis.nearest_sites(c, 0.0, 0.0, 3, method="columns") == postgis.nearest_sites(c, 0.0, 0.0, 3)
        with pytest.raises(ValueError, match="bbox"):
            postgis.sites_in_bbox(c, (7.5, 43.7, 7.4, 43.8))
        with pytest.raises(ValueError, match="k must be"):
            postgis.nearest_sites(c, lon, lat, 0)


def _libpq(url: str, user: str) -> dict[str, str]:
    u = make_url(url)
    return {"host": u.host or "127.0.0.1", "port": str(u.port or 5432), "dbname": str(u.database), "user": user}


@pytest.fixture
def qgis_role(pg_monaco: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, str]]:
    """A reader role made by `bastion db qgis-role` (roles are cluster-wide: a unique name, dropped after)."""
    url = pg_monaco.url.render_as_string(hide_password=False)
    monkeypatch.setenv("BASTION_DATABASE_URL", url)
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    name, password = f"qgis_t_{uuid.uuid4().hex[:10]}", "reader-password-42"
    (tmp_path / "pw").write_text(password + "\n", encoding="utf-8")
    r = runner.invoke(app, ["db", "qgis-role", "--name", name, "--password-file", str(tmp_path / "pw")])
    assert r.exit_code == 0, r.output
    assert f"role {name} created" in r.output and "password (shown once)" not in r.output
    try:
        yield name, password
    finally:
        r = runner.invoke(app, ["db", "qgis-role", "--name", name, "--drop"])
        assert r.exit_code == 0 and f"role {name} dropped" in r.output, r.output


def _ogrinfo(url: str, name: str, password: str, *options: str, layer: str | None = None) -> str:
    conn = " ".join(f"{k}={v}" for k, v in _libpq(url, name).items())
    source = f"PG:{conn} schemas={postgis.GIS_SCHEMA}"
    proc = subprocess.run(["ogrinfo", "-ro", *options, source, *([layer] if layer else [])],
                          capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PGPASSWORD": password})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pg_only
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="GDAL's ogrinfo (Debian gdal-bin) is not installed")
def test_gdal_reads_every_layer_with_the_read_only_role(pg_monaco: Engine, monaco_sf: sessionmaker[Session],
                                                        qgis_role: tuple[str, str]) -> None:
    from bastion.vehicle import service as vehicle

    with pg_monaco.connect() as c:
        ids = list(c.scalars(text("SELECT id FROM sites WHERE geom_type <> 'Point' ORDER BY id LIMIT 2")))
    vehicle.assess(monaco_sf, "Monaco", vehicle.AssessParams(vehicles=("car",)), site_ids=ids)
    with pg_monaco.connect() as c:
        approaches = int(c.scalar(text("SELECT count(*) FROM vehicle_approaches")) or 0)
        site_id, lon, lat = c.execute(text("SELECT id, lon, lat FROM sites ORDER BY id LIMIT 1")).one()
    assert approaches > 0
    url = pg_monaco.url.render_as_string(hide_password=False)
    name, password = qgis_role
    out = _ogrinfo(url, name, password, "-so", "-al")
    layers = {block.split("\n", 1)[0]: block for block in out.split("Layer name: ")[1:]}
    counts = {layer: int(re.search(r"Feature Count: (\d+)", block)[1])  # type: ignore[index]
              for layer, block in layers.items()}
    assert counts == {**MONACO_ROWS, "vehicle_approaches": approaches}
    geometry = {layer: re.search(r"Geometry: ([^\n]+)", block)[1]  # type: ignore[index]
                for layer, block in layers.items()}
    assert geometry["sites"] == "Point" and geometry["road_edges"] == "Line String"
    assert geometry["vehicle_approaches"] == "Line String"
    # one feature read through OGR is the stored point
    feature = _ogrinfo(url, name, password, "-q", "-where", f"id = {site_id}", layer="sites")
    x, y = map(float, re.search(r"POINT \(([-\d.]+) ([-\d.]+)\)", feature).groups())  # type: ignore[union-attr]
    assert (round(x, 7), round(y, 7)) == (round(lon, 7), round(lat, 7))


@pg_only
def test_the_qgis_role_reads_the_layers_and_nothing_else(pg_monaco: Engine, qgis_role: tuple[str, str]) -> None:
    name, password = qgis_role
    params = _libpq(pg_monaco.url.render_as_string(hide_password=False), name)
    with psycopg.connect(**params, password=password, autocommit=True) as conn:  # type: ignore[arg-type]
        assert conn.execute("SELECT count(*) FROM gis.sites").fetchone() == (153,)
        for table in ("users", "audit_log", "audit_head", "api_tokens", "web_sessions", "role_grants", "agencies",
                      "sites", "regions"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT count(*) FROM public.{table}")
        # its sessions are read-only by default, and it holds no grant to write when it opts out
        assert conn.execute("SHOW default_transaction_read_only").fetchone() == ("on",)
        conn.execute("SET default_transaction_read_only = off")
        for sql in ("DELETE FROM gis.sites", "CREATE TABLE gis.mine (id int)", "CREATE TABLE public.mine (id int)",
                    "UPDATE gis.road_edges SET speed_kph = 200"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)


@pg_only
def test_the_role_command_refuses_an_admin_role_name(pg_monaco: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASTION_DATABASE_URL", pg_monaco.url.render_as_string(hide_password=False))
    me = str(pg_monaco.url.username)
    r = runner.invoke(app, ["db", "qgis-role", "--name", me])
    assert r.exit_code == 2 and "is not a read-only role" in r.output


def test_the_role_command_names_the_bad_field(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BASTION_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "200")
    r = runner.invoke(app, ["db", "qgis-role", "--name", "Robert'); DROP TABLE users"])
    assert r.exit_code == 2 and "role name" in r.output and "lowercase" in r.output
    r = runner.invoke(app, ["db", "qgis-role", "--name", "qgis_reader"])
    assert r.exit_code == 2 and "PostgreSQL" in r.output  # SQLite has no PostGIS layers: said, no traceback


@pytest.mark.slow
@pytest.mark.skipif(not PG_URL, reason="PostGIS tests need BASTION_TEST_PG_URL")
def test_an_owner_who_is_not_a_superuser_is_told_then_upgrades_backs_up_and_restores(tmp_path: Path) -> None:
    """Deployment as documented (docs/qgis.md): the application's role owns the database but is no superuser.
    Without the extension, `upgrade` says what to do and changes nothing; once a superuser created it, upgrade,
    backup and restore all work as that owner (the restore leaves the live extension alone)."""
    from sqlalchemy import create_engine
    from sqlalchemy import func
    from sqlalchemy import select

    from bastion.kernel.db.engine import make_engine
    from bastion.kernel.errors import BastionError
    from bastion.platform import backup
    from bastion.platform import migrate
    from bastion.regions.models import Region

    assert PG_URL
    owner, db = f"owner_t_{uuid.uuid4().hex[:10]}", f"bastion_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f"CREATE ROLE {owner} LOGIN PASSWORD 'owner-password-1'"))
        c.execute(text(f'CREATE DATABASE "{db}" OWNER {owner}'))
    url = make_url(PG_URL).set(database=db, username=owner, password="owner-password-1")
    eng = make_engine(url.render_as_string(hide_password=False))
    try:
        with pytest.raises(BastionError, match="needs a superuser"):
            migrate.upgrade(eng)
        assert migrate.current_revision(eng) is None  # all or nothing
        su = create_engine(make_url(PG_URL).set(database=db), isolation_level="AUTOCOMMIT")
        with su.connect() as c:
            c.execute(text("CREATE EXTENSION postgis"))
        su.dispose()
        migrate.upgrade(eng)
        with eng.begin() as c:
            c.execute(text("INSERT INTO regions (name, slug, created_at, updated_at, boundary_wkb) VALUES "
                           "('R', 'r', now(), now(), :w)"), {"w": shapely.to_wkb(shapely.box(7.4, 43.7, 7.5, 43.8))})
        backup.backup(eng, tmp_path / "b.dump", actor="test")
        with eng.begin() as c:
            c.execute(text("DELETE FROM regions"))
        backup.restore(eng, tmp_path / "b.dump", actor="test")
        with Session(eng) as s:
            assert s.scalar(select(func.count()).select_from(Region)) == 1
        with eng.connect() as c:
            assert c.scalar(text("SELECT ST_Area(geom) FROM gis.regions")) == pytest.approx(0.01)
            assert migrate.schema_diff(c) == []
    finally:
        eng.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
            c.execute(text(f"DROP ROLE IF EXISTS {owner}"))
        admin.dispose()
