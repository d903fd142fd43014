"""Reading the real bundled extracts. Expected counts were checked by hand against an independent tag count
(a plain pyosmium pass counting amenity=hospital, tourism=hotel, ... on nodes, ways and multipolygons)."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from bastion.kernel.errors import DataIntegrityError
from bastion.kernel.errors import InvalidInput
from bastion.regions.osm import read_extract
from tests.conftest import ANDORRA
from tests.conftest import MONACO

MONACO_KINDS = {
    "hospital": 5, "place_of_worship": 16, "police": 9, "school": 10, "theatre": 6, "townhall": 1, "stadium": 1,
    "railway_station": 1, "mall": 1, "supermarket": 8, "hotel": 20, "museum": 8, "casino": 3, "heliport": 1,
    "ferry_terminal": 1,
}
MONACO_CATEGORIES = {
    "education": 13, "government": 19, "health": 6, "hotel": 20, "infrastructure": 1, "public_space": 29,
    "retail": 12, "tourism": 15, "transport": 3, "venue": 19, "worship": 16,
}


@pytest.fixture(scope="module")
def monaco():  # type: ignore[no-untyped-def]
    return read_extract(MONACO)


def test_monaco_counts_per_category_and_kind(monaco) -> None:  # type: ignore[no-untyped-def]
    assert dict(Counter(s.category for s in monaco.sites)) == MONACO_CATEGORIES
    kinds = Counter(s.kind for s in monaco.sites)
    assert {k: kinds[k] for k in MONACO_KINDS} == MONACO_KINDS


def test_monaco_named_sites(monaco) -> None:  # type: ignore[no-untyped-def]
    by = {(s.source_type, s.source_id): s for s in monaco.sites}
    stade = by[("way", "49209155")]
    assert stade.name == "Stade Louis-II" and stade.kind == "stadium" and stade.category == "venue"
    assert stade.capacity.capacity == 18523 and stade.capacity.method == "osm_tag"
    station = by[("node", "9952646938")]
    assert station.name == "Monaco - Monte Carlo" and station.kind == "railway_station"
    chpg = by[("way", "49209406")]
    assert chpg.name == "Centre hospitalier Princesse Grace" and chpg.kind == "hospital"
    # one site for the hospital's building and its grounds (3 OSM ways); people from the 17 buildings inside
    assert chpg.geometry.geom_type == "Polygon" and 30_000 < chpg.area_m2 < 50_000  # m², grounds
    assert len(chpg.members) == 3 and chpg.capacity.method == "buildings_floor_area"
    assert chpg.capacity.inputs["buildings"] >= 10 and 1000 < chpg.capacity.capacity < 5000
    casino_square = by[("relation", "11144655")]
    assert casino_square.name == "Place du Casino" and casino_square.kind == "square"


def test_no_religion_or_denomination_stored(monaco) -> None:  # type: ignore[no-untyped-def]
    for s in monaco.sites:
        assert "religion" not in s.tags and "denomination" not in s.tags


def test_monaco_road_network(monaco) -> None:  # type: ignore[no-untyped-def]
    roads = monaco.roads
    assert roads.n_nodes == 1119 and roads.n_edges == 1913
    assert 0 < roads.edge_length_m.min() and roads.edge_length_m.sum() / 2 > 50_000  # metres
    assert set(roads.edge_highway) <= {
        "motorway", "trunk", "primary", "secondary", "tertiary", "unclassified", "residential", "living_street",
        "service", "road", "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"}


def test_andorra_reads_fully_with_boundary() -> None:
    e = read_extract(ANDORRA)
    assert e.boundary_name == "Andorra" and e.boundary is not None
    assert len(e.sites) == 600  # 615 OSM objects before one site per place
    assert e.roads.n_nodes == 4434 and e.roads.n_edges == 8722


def test_truncated_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "monaco-truncated.osm.pbf"
    bad.write_bytes(MONACO.read_bytes()[: MONACO.stat().st_size // 2])
    with pytest.raises(InvalidInput, match="truncated, corrupt or not OSM data"):
        read_extract(bad)


def test_wrong_format_and_missing_file(tmp_path: Path) -> None:
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(InvalidInput, match="unknown format"):
        read_extract(txt)
    fake = tmp_path / "fake.osm.pbf"
    fake.write_text("this is not a pbf")
    with pytest.raises(InvalidInput, match="could not read"):
        read_extract(fake)
    with pytest.raises(InvalidInput, match="does not exist"):
        read_extract(tmp_path / "nope.osm.pbf")


def test_bundled_checksum_is_verified(tmp_path: Path) -> None:
    shutil.copy(MONACO.parent / "SHA256SUMS", tmp_path / "SHA256SUMS")
    damaged = tmp_path / MONACO.name
    data = bytearray(MONACO.read_bytes())
    data[-1] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(DataIntegrityError, match="sha256"):
        read_extract(damaged)
