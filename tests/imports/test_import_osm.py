"""OSM import into the database, on SQLite and PostgreSQL: counts, idempotence, user edits, atomicity."""

from __future__ import annotations

from pathlib import Path

import osmium
import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.imports.service import import_osm
from bastion.kernel.errors import InvalidInput
from bastion.regions.models import Region
from bastion.regions.models import RoadEdge
from bastion.regions.models import RoadNode
from bastion.regions.service import load_road_network
from bastion.sites.models import Site
from bastion.sites.service import SiteEdit
from bastion.sites.service import edit_site
from bastion.vehicle.models import OsmBarrier
from tests.conftest import ANDORRA
from tests.conftest import MONACO
from tests.conftest import MONACO_BOUNDARY
from tests.regions.test_osm_read import MONACO_CATEGORIES

CASINO_NODE = 4416197079  # "Casino de Monte Carlo", a node in the Monaco extract


def snapshot(sf: sessionmaker[Session]) -> tuple[object, ...]:
    with sf() as s:
        sites = s.execute(select(Site.id, Site.source_type, Site.source_id, Site.content_hash, Site.capacity_override,
                                 Site.notes, Site.missing_from_source).order_by(Site.id)).all()
        return (
            tuple(sites),
            s.scalar(select(func.count()).select_from(RoadNode)),
            s.scalar(select(func.count()).select_from(RoadEdge)),
            tuple(s.execute(select(Region.name, Region.osm_sha256, Region.roads_hash)).all()),
            tuple(s.execute(select(OsmBarrier.id, OsmBarrier.osm_type, OsmBarrier.osm_id, OsmBarrier.content_hash)
                            .order_by(OsmBarrier.id)).all()),
        )


def site_by_osm(sf: sessionmaker[Session], osm_type: str, osm_id: int) -> Site:
    with sf() as s:
        site = s.scalar(select(Site).where(Site.source_type == osm_type, Site.source_id == str(osm_id)))
        assert site is not None
        return site


def test_monaco_import_counts_and_named_sites(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        rows = dict(s.execute(select(Site.category, func.count()).group_by(Site.category)).all())
        assert rows == MONACO_CATEGORIES
        region = s.scalar(select(Region))
        assert (
            region is not None and region.name == "Monaco" and region.boundary_source == "file:monaco-boundary.geojson"
        )
        assert s.scalar(select(func.count()).select_from(RoadEdge)) == 1913
        # street barriers, counted independently with a plain pyosmium pass: 118 bollard nodes, 3 block
        # nodes and one bollard way (a line of bollards)
        kinds = dict(s.execute(select(OsmBarrier.kind, func.count()).group_by(OsmBarrier.kind)).all())
        assert kinds == {"bollard": 119, "block": 3}
        assert s.scalar(select(func.count()).where(OsmBarrier.geom_type == "LineString")) == 1
    stade = site_by_osm(monaco_sf, "way", 49209155)
    assert stade.kind == "stadium" and stade.capacity == 18523
    assert site_by_osm(monaco_sf, "node", 9952646938).kind == "railway_station"
    assert site_by_osm(monaco_sf, "way", 49209406).kind == "hospital"


def test_reimport_is_a_noop_and_keeps_user_edits(monaco_sf: sessionmaker[Session]) -> None:
    stade = site_by_osm(monaco_sf, "way", 49209155)
    edit_site(monaco_sf, stade.id, SiteEdit(capacity_override=16360, notes="North stand closed"))
    before = snapshot(monaco_sf)
    rep = import_osm(monaco_sf, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.rows_changed == 0 and rep.sites_unchanged == 153 and not rep.roads_replaced
    assert rep.barriers_unchanged == 122 and rep.barriers_inserted == rep.barriers_updated == rep.barriers_deleted == 0
    assert snapshot(monaco_sf) == before
    again = site_by_osm(monaco_sf, "way", 49209155)
    assert again.capacity == 16360 and again.capacity_estimated == 18523 and again.notes == "North stand closed"


def _without_node(src: Path, dst: Path, node_id: int) -> None:
    with osmium.SimpleWriter(str(dst)) as w:
        for obj in osmium.FileProcessor(str(src)):
            if obj.is_node() and obj.id == node_id:
                continue
            w.add(obj)


def test_vanished_site_is_marked_then_restored(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    newer = tmp_path / "monaco-newer.osm.pbf"
    _without_node(MONACO, newer, CASINO_NODE)
    rep = import_osm(monaco_sf, newer, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.sites_marked_missing == 1 and rep.sites_inserted == 0
    casino = site_by_osm(monaco_sf, "node", CASINO_NODE)
    assert casino.missing_from_source
    with monaco_sf() as s:
        assert s.scalar(select(func.count()).select_from(Site)) == 153  # marked, not deleted
    rep2 = import_osm(monaco_sf, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep2.sites_restored == 1 and not site_by_osm(monaco_sf, "node", CASINO_NODE).missing_from_source


def test_vanished_barrier_is_removed_and_comes_back(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    with monaco_sf() as s:
        gone = s.scalar(select(OsmBarrier.osm_id).where(OsmBarrier.osm_type == "node").order_by(OsmBarrier.osm_id))
    newer = tmp_path / "monaco-newer.osm.pbf"
    _without_node(MONACO, newer, int(gone))  # type: ignore[arg-type]
    rep = import_osm(monaco_sf, newer, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.barriers_deleted == 1 and rep.barriers_unchanged == 121 and rep.sites_unchanged == 153
    rep2 = import_osm(monaco_sf, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep2.barriers_inserted == 1 and rep2.rows_changed >= 1


def test_truncated_file_leaves_database_exactly_as_it_was(monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    before = snapshot(monaco_sf)
    bad = tmp_path / "monaco-2023-12-cut.osm.pbf"
    bad.write_bytes(MONACO.read_bytes()[:300_000])
    with pytest.raises(InvalidInput, match="truncated"):
        import_osm(monaco_sf, bad, "Monaco", boundary_file=MONACO_BOUNDARY)
    with pytest.raises(InvalidInput):
        import_osm(monaco_sf, bad, "Elsewhere")
    assert snapshot(monaco_sf) == before


@pytest.mark.slow
def test_andorra_imports_fully_and_reimport_changes_nothing(session_factory: sessionmaker[Session]) -> None:
    rep = import_osm(session_factory, ANDORRA, "Andorra")
    assert rep.sites_inserted == 600 and rep.road_nodes == 4434 and rep.road_edges == 8722
    assert rep.barriers_inserted == 3  # three bollard nodes in the Andorra extract
    before = snapshot(session_factory)
    rep2 = import_osm(session_factory, ANDORRA, "Andorra")
    assert rep2.rows_changed == 0
    assert snapshot(session_factory) == before


def test_road_network_round_trip(monaco_sf: sessionmaker[Session]) -> None:
    from bastion.regions.osm import read_extract

    with monaco_sf() as s:
        region_id = s.scalar(select(Region.id))
        net = load_road_network(s, region_id)  # type: ignore[arg-type]
    ref = read_extract(MONACO).roads
    assert net.n_nodes == ref.n_nodes and net.n_edges == ref.n_edges
    assert sorted(net.edge_length_m.round(6)) == sorted(ref.edge_length_m.round(6))


def _move_node(src: Path, dst: Path, node_id: int, dlon: float) -> None:
    with osmium.SimpleWriter(str(dst)) as w:
        for obj in osmium.FileProcessor(str(src)):
            if obj.is_node() and obj.id == node_id:
                obj = obj.replace(location=osmium.osm.Location(obj.location.lon + dlon, obj.location.lat))
            w.add(obj)


def test_import_seeds_station_units_idempotently_and_keeps_user_units(
    monaco_sf: sessionmaker[Session], tmp_path: Path
) -> None:
    from bastion.units.models import ResponseUnit
    from bastion.units.service import UnitEdit
    from bastion.units.service import UnitSpec
    from bastion.units.service import add_unit
    from bastion.units.service import edit_unit

    with monaco_sf() as s:
        seeded = s.scalars(select(ResponseUnit).order_by(ResponseUnit.id)).all()
        assert len(seeded) == 11 and {u.source for u in seeded} == {"osm_station"}
        by_ref = {u.source_ref: u for u in seeded}
        assert by_ref["node/280487253"].name == "Commissariat de la Condamine"
        assert by_ref["node/1866523017"].unit_type == "fire_station" and by_ref["node/1866523017"].standard_s == 300
        assert by_ref["node/1712696861"].name == "Police station node/1712696861"  # unnamed: a team label, no person
        assert all(u.snap_osm_node is not None and u.snap_distance_m <= 250 for u in seeded)
    mine = add_unit(monaco_sf, "Monaco", UnitSpec("patrol_car", "Patrol car 1", 7.42, 43.738))
    edit_unit(monaco_sf, by_ref["node/280487253"].id, UnitEdit(standard_s=60, unit_type="post"))
    before = snapshot(monaco_sf)
    rep = import_osm(monaco_sf, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.rows_changed == 0 and rep.units_inserted == rep.units_updated == 0
    assert snapshot(monaco_sf) == before
    # the station moves in OSM: its unit follows (re-snapped), the user's edits of it and user units stay
    newer = tmp_path / "monaco-moved.osm.pbf"
    _move_node(MONACO, newer, 280487253, 0.0005)
    rep = import_osm(monaco_sf, newer, "Monaco", boundary_file=MONACO_BOUNDARY)
    assert rep.units_updated == 1 and rep.units_inserted == 0 and rep.sites_updated == 1
    with monaco_sf() as s:
        u = s.get(ResponseUnit, by_ref["node/280487253"].id)
        assert u is not None and u.lon == pytest.approx(by_ref["node/280487253"].lon + 0.0005)
        assert (u.unit_type, u.standard_s) == ("post", 60)
        m = s.get(ResponseUnit, mine.id)
        assert m is not None and (m.name, m.lon, m.source) == ("Patrol car 1", 7.42, "user")
        assert s.scalar(select(func.count()).select_from(ResponseUnit)) == 12
