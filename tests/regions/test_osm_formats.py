"""Any OSM file: unsorted input reads as its sorted copy does; XML (plain, gzip, bzip2) as the PBF; clear errors.

Columbus (tests/fixtures/osm, 1.4 MB, ODbL; objects in type order but not in id order within a type) was
rejected by the streaming reader ("Way IDs out of order"). The sorted copy is written here, independently of
the importer's own sort (libosmium's merge reader): every object is read with pyosmium, sorted by (type, id) in
Python and written as OPL text (so OPL input is covered too).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import osmium
import pytest

from bastion.imports.service import roads_hash
from bastion.kernel.errors import InvalidInput
from bastion.regions import osm as osm_reader
from bastion.regions.osm import OsmExtract
from bastion.regions.osm import read_extract
from bastion.sites.rows import barrier_values
from bastion.sites.rows import site_values
from tests.conftest import MONACO
from tests.conftest import REPO

COLUMBUS_NAME = "columbus-unsorted.osm.pbf"
COLUMBUS_CANDIDATES = (REPO / "tests" / "fixtures" / "osm" / COLUMBUS_NAME,
                       REPO.parent / "shared" / "data" / "osm" / COLUMBUS_NAME)


@pytest.fixture(scope="module")
def columbus() -> Path:
    found = next((p for p in COLUMBUS_CANDIDATES if p.exists()), None)
    if found is None:
        pytest.skip(f"{COLUMBUS_NAME} is in neither {COLUMBUS_CANDIDATES[0]} nor {COLUMBUS_CANDIDATES[1]}")
    return found


def summary(ex: OsmExtract) -> dict[str, Any]:
    """What an import stores from an extract: every site's and barrier's content hash, the roads' hash."""
    return {
        "sites": {(s.source_type, s.source_id): site_values(s)["content_hash"] for s in ex.sites},
        "site_order": [(s.source_type, s.source_id) for s in ex.sites],
        "barriers": {(b.osm_type, b.osm_id): barrier_values(b)["content_hash"] for b in ex.barriers},
        "road_nodes": ex.roads.n_nodes, "road_edges": ex.roads.n_edges, "roads_hash": roads_hash(ex.roads),
        "boundary": None if ex.boundary is None else ex.boundary.wkb, "boundary_name": ex.boundary_name,
    }


def _opl(text: str) -> str:
    """OPL escaping: every character but ASCII letters and digits as %hex%."""
    return "".join(c if c.isascii() and c.isalnum() else f"%{ord(c):x}%" for c in text)


def pyosmium_sorted_copy(src: Path, dst: Path) -> Path:
    """Every object of src read with pyosmium, sorted by (type, id) and written as OPL text (dst: *.opl)."""
    lines: dict[str, list[tuple[int, str]]] = {"n": [], "w": [], "r": []}
    for o in osmium.FileProcessor(str(src)):
        tags = ",".join(f"{_opl(t.k)}={_opl(t.v)}" for t in o.tags)
        head = f"{o.id} v{o.version} dV T{tags}"
        if o.is_node():
            lines["n"].append((o.id, f"n{head} x{o.lon:.7f} y{o.lat:.7f}"))
        elif o.is_way():
            lines["w"].append((o.id, f"w{head} N" + ",".join(f"n{n.ref}" for n in o.nodes)))
        elif o.is_relation():
            members = ",".join(f"{m.type}{m.ref}@{_opl(m.role)}" for m in o.members)
            lines["r"].append((o.id, f"r{head} M{members}"))
    with dst.open("w", encoding="utf-8") as f:
        for kind in "nwr":
            f.writelines(line + "\n" for _id, line in sorted(lines[kind]))
    return dst


def test_the_streaming_reader_alone_rejects_columbus(columbus: Path) -> None:
    with pytest.raises(RuntimeError, match="out of order"):
        for _ in osmium.FileProcessor(str(columbus)).with_locations().with_areas():
            pass


def test_unsorted_columbus_reads_as_its_sorted_copy(columbus: Path, tmp_path: Path) -> None:
    messages: list[str] = []
    unsorted = read_extract(columbus, progress=messages.append, tmp_dir=tmp_path)
    assert unsorted.stats["sorted_copy"] == 1
    assert any("not sorted by type and id" in m and "sorting a temporary copy" in m for m in messages)
    assert not list(tmp_path.iterdir())  # the temporary copy is gone
    copy = read_extract(pyosmium_sorted_copy(columbus, tmp_path / "columbus-sorted.opl"))
    assert copy.stats["sorted_copy"] == 0  # in order: read as it is
    got, want = summary(unsorted), summary(copy)
    assert got == want
    assert (len(got["sites"]), got["road_nodes"], got["road_edges"]) == (90, 21111, 57290)
    assert unsorted.sha256 == "bd003c77e10d2b91b7e58ce034fc91512f026250bd11849230a564566ea69221"


@pytest.mark.parametrize("suffix", [".osm.gz", ".osm.bz2", ".osm"])
def test_monaco_xml_reads_as_the_pbf(suffix: str, tmp_path: Path) -> None:
    xml = tmp_path / f"monaco{suffix}"
    writer = osmium.SimpleWriter(str(xml))
    try:
        for o in osmium.FileProcessor(str(MONACO)):
            writer.add(o)
    finally:
        writer.close()
    from_xml = read_extract(xml)
    assert from_xml.stats["sorted_copy"] == 0
    assert summary(from_xml) == summary(read_extract(MONACO))


def test_ways_before_their_nodes_are_sorted_first(tmp_path: Path) -> None:
    """Objects out of type order (a way before its nodes): libosmium says nothing, the way has no locations."""
    f = tmp_path / "editor.osm"
    f.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<osm version="0.6" generator="hand">\n'
        ' <way id="10" version="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="residential"/><tag k="tunnel" v="yes"/></way>\n'
        ' <node id="3" version="1" lat="43.7302" lon="7.4210"/>\n'
        ' <node id="1" version="1" lat="43.7300" lon="7.4200"/>\n'
        ' <node id="2" version="1" lat="43.7301" lon="7.4205"/>\n'
        ' <node id="4" version="1" lat="43.7303" lon="7.4207"><tag k="amenity" v="hospital"/>'
        '<tag k="name" v="Test"/></node>\n</osm>\n'
    )
    ex = read_extract(f)
    assert ex.stats["sorted_copy"] == 1
    assert ex.roads.n_edges == 2 and ex.roads.edge_grade == ("tunnel", "tunnel")
    assert [s.name for s in ex.sites] == ["Test"]


def test_unreadable_files_name_the_problem_and_the_fix(tmp_path: Path) -> None:
    cases = {
        "empty.osm.pbf": (b"", "is empty"),
        "cut.osm.pbf": (MONACO.read_bytes()[:200_000], "(?i)ends early"),
        "noise.osm.pbf": (bytes(range(256)) * 20, "(?i)not valid OSM PBF"),
        "broken.osm": (b'<osm version="0.6"><node id="1" lat="1" lon="2"></osm>', "(?i)not valid OSM XML"),
        "plain.osm.gz": (b"hello", "(?i)not valid OSM XML"),
    }
    for name, (data, says) in cases.items():
        f = tmp_path / name
        f.write_bytes(data)
        with pytest.raises(InvalidInput, match=says) as e:
            read_extract(f)
        assert e.value.field == "file"  # type: ignore[attr-defined]
        assert "download" in str(e.value) or "re-export" in str(e.value)


def test_too_large_to_sort_in_memory_says_how_to_sort(columbus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(osm_reader, "SORT_MAX_MEMORY_BYTES", 1 << 20)
    with pytest.raises(InvalidInput, match="too large to sort in memory.*osmium sort") as e:
        read_extract(columbus)
    assert e.value.field == "file"  # type: ignore[attr-defined]
