"""Read an OSM extract in one streaming pyosmium pass: key targets / crowded places and the drivable roads.

Tag filtering happens in libosmium (C++) before objects reach Python; node locations are cached in
memory (libosmium's flex_mem index: sparse for small extracts, dense for large ones) and multipolygons
assembled by libosmium's area manager. Both need objects in type-then-id order: a file that is not (as
editors and some tools write them) is sorted into a temporary .osm.pbf first (libosmium's merge reader,
in memory) and read from there, so the result equals that of the sorted file. The result is plain domain
data (SiteRecord list, RoadNetwork, admin boundary); storage is the service layer's job.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import numpy as np
import osmium
import shapely
from shapely.geometry.base import BaseGeometry

from bastion.algorithms.routing.build import RawWay
from bastion.algorithms.routing.build import build_network
from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.routing.speeds import DEFAULT_SPEED_KPH
from bastion.algorithms.routing.speeds import is_drivable
from bastion.algorithms.routing.speeds import oneway_direction
from bastion.algorithms.routing.speeds import parse_maxspeed
from bastion.algorithms.sites.capacity import estimate_capacity
from bastion.algorithms.sites.geometry import area_m2
from bastion.algorithms.sites.geometry import length_m
from bastion.algorithms.sites.geometry import representative_lonlat
from bastion.algorithms.sites.hours import parse_opening_hours
from bastion.algorithms.sites.model import SiteRecord
from bastion.algorithms.sites.places import Footprint
from bastion.algorithms.sites.places import capacities_in_context
from bastion.algorithms.sites.places import merge_places
from bastion.algorithms.sites.taxonomy import CANDIDATE_KEYS
from bastion.algorithms.sites.taxonomy import classify
from bastion.algorithms.sites.taxonomy import kept_tags
from bastion.algorithms.vehicle.grade import road_grade
from bastion.kernel.errors import DataIntegrityError
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

OSM_SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz", ".o5m", ".opl")
# Street furniture that may stop or slow a vehicle. OSM says nothing about a crash rating: these are
# recorded as UNRATED (never a certified hostile-vehicle-mitigation barrier).
VEHICLE_BARRIERS = frozenset({"bollard", "block", "jersey_barrier"})
BARRIER_TAGS = ("barrier", "bollard", "material", "access", "motor_vehicle", "removable", "height", "note")


@dataclass(frozen=True)
class BarrierRecord:
    """An OSM barrier=bollard|block|jersey_barrier node (Point) or way (LineString), lon/lat WGS84."""

    osm_type: str  # node | way
    osm_id: int
    kind: str  # bollard | block | jersey_barrier
    geometry: BaseGeometry
    tags: dict[str, str]
    osm_version: int | None = None


@dataclass
class OsmExtract:
    path: Path
    sha256: str
    sites: list[SiteRecord]
    roads: RoadNetwork
    boundary: BaseGeometry | None
    boundary_name: str | None
    timestamp: str | None
    bbox: tuple[float, float, float, float] | None
    read_s: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)
    barriers: list[BarrierRecord] = field(default_factory=list)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_osm_path(path: Path) -> Path:
    if not path.exists():
        raise InvalidInput(f"OSM file {str(path)!r} does not exist: give the path of an .osm.pbf extract", field="file")
    if not path.is_file():
        raise InvalidInput(f"OSM file {str(path)!r} is not a regular file", field="file")
    if not path.name.lower().endswith(OSM_SUFFIXES):
        raise InvalidInput(
            f"OSM file {path.name!r} has an unknown format: expected one of {', '.join(OSM_SUFFIXES)}", field="file"
        )
    return path


def verify_manifest(path: Path, digest: str) -> None:
    """If a SHA256SUMS file lists this file, its checksum must match (bundled data is verified on load)."""
    sums = path.parent / "SHA256SUMS"
    if not sums.exists():
        return
    for line in sums.read_text().splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].lstrip("*") == path.name and parts[0] != digest:
            raise DataIntegrityError(
                f"{path.name}: sha256 {digest} does not match {parts[0]} in {sums}; the file is damaged or was"
                " replaced: restore it from the repository"
            )


def _barrier(osm_type: str, osm_id: int, tags: dict[str, str], geom: BaseGeometry, version: int) -> BarrierRecord:
    kept = {k: v for k, v in tags.items() if k in BARRIER_TAGS}
    return BarrierRecord(osm_type, osm_id, tags["barrier"], geom, kept, version)


def _site(
    osm_type: str, osm_id: int, tags: dict[str, str], geom: BaseGeometry, version: int, *, is_area: bool, is_line: bool
) -> SiteRecord | None:
    c = classify(tags, is_area=is_area, is_line=is_line)
    if c is None:
        return None
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    lon, lat = representative_lonlat(geom)
    a = area_m2(geom)
    ln = length_m(geom)
    cap = estimate_capacity(
        c.kind, capacity_tag=tags.get("capacity"), footprint_area_m2=a, levels_tag=tags.get("building:levels"),
        line_length_m=ln,
    )
    raw_hours = tags.get("opening_hours")
    return SiteRecord(
        source="osm", source_type=osm_type, source_id=str(osm_id), name=tags.get("name"),
        category=c.category, kind=c.kind, geometry=geom, lon=lon, lat=lat, area_m2=a, length_m=ln,
        capacity=cap, hours=parse_opening_hours(raw_hours) if raw_hours else None, tags=kept_tags(tags),
        osm_version=version,
    )



def choose_boundary(
    admin: list[tuple[int, float, str | None, BaseGeometry]], sites: list[SiteRecord]
) -> tuple[BaseGeometry | None, str | None]:
    """The lowest-level admin area that holds at least half of the sites (None when there is none)."""
    if not admin or not sites:
        return None, None
    for _level, _area, name, geom in sorted(admin, key=lambda t: (t[0], -t[1])):
        if shapely.contains_xy(geom, [s.lon for s in sites], [s.lat for s in sites]).mean() >= 0.5:
            return geom, name
    return None, None


SORT_MAX_MEMORY_BYTES = 4 << 30  # an unsorted file is sorted in memory: refuse beyond about 4 GiB of objects
# memory the sort needs per byte of file, by format (measured: Columbus PBF 1.4 MB -> ~15 MB of objects)
_SORT_MEMORY_PER_BYTE = {".pbf": 12.0, ".o5m": 8.0, ".gz": 10.0, ".bz2": 14.0, ".osm": 1.5, ".opl": 1.5}
_PROGRESS_EVERY = 50_000  # objects handed to Python between two progress messages


class _Unsorted(Exception):
    """The file's objects are not in type-then-id order: read a sorted copy instead."""


@dataclass
class _Parsed:
    sites: dict[tuple[str, int], SiteRecord] = field(default_factory=dict)
    ways: list[RawWay] = field(default_factory=list)
    admin: list[tuple[int, float, str | None, BaseGeometry]] = field(default_factory=list)
    barriers: list[BarrierRecord] = field(default_factory=list)
    buildings: list[Footprint] = field(default_factory=list)  # footprints, for capacity in context
    pitches: list[Footprint] = field(default_factory=list)
    stats: dict[str, int] = field(default_factory=lambda: {
        "nodes_seen": 0, "ways_seen": 0, "areas_seen": 0, "invalid_geometries": 0, "missing_locations": 0})


def _read_error(path: Path, exc: BaseException) -> InvalidInput:
    """The reader's failure as a message that names the problem and the fix."""
    msg = str(exc).rstrip(".")
    low = msg.lower()
    if isinstance(exc, PermissionError):
        why = "permission denied: make the file readable by the user running Bastion"
    elif isinstance(exc, MemoryError):
        why = ("it does not fit in memory: import a smaller extract (`osmium extract -b W,S,E,N`) or sort it first "
               "with `osmium sort`")
    elif "unexpected eof" in low:
        why = "the file ends early: it is truncated, corrupt or not OSM data; download the extract again"
    elif "xml parsing error" in low:
        why = ("not valid OSM XML: the file is truncated, corrupt or not OSM data; re-export it (JOSM: File > Save "
               "As .osm) and check that its compression matches its name (.osm, .osm.gz, .osm.bz2)")
    elif "gzip" in low or "bzip" in low or "compress" in low:
        why = ("it cannot be decompressed: the file is truncated, corrupt or not OSM data, or its name does not "
               "match its compression (.osm.gz = gzip, .osm.bz2 = bzip2)")
    else:
        why = (f"the file is truncated, corrupt or not OSM data (not valid {_format_name(path)}); download the "
               "extract again or convert it with `osmium cat FILE -o out.osm.pbf`")
    return InvalidInput(f"could not read OSM file {path.name!r}: {msg}. {why[0].upper()}{why[1:]}", field="file")


def _format_name(path: Path) -> str:
    name = path.name.lower()
    for suffix, label in ((".pbf", "OSM PBF"), (".o5m", "O5M"), (".opl", "OPL")):
        if name.endswith(suffix):
            return label
    return "OSM XML"


def _header(path: Path) -> tuple[str | None, tuple[float, float, float, float] | None, bool]:
    """(timestamp, bbox, declared sorted by type then id) from the file's header."""
    reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
    try:
        header = reader.header()
        timestamp = header.get("osmosis_replication_timestamp") or header.get("timestamp") or None
        box = header.box()
        bbox = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat) if box.valid() else None
        flags = {header.get("sorting"), *(header.get(f"pbf_optional_feature_{i}") for i in range(4))}
        return timestamp, bbox, bool(flags & {"Type_then_ID", "Sort.Type_then_ID"})
    finally:
        reader.close()


def sort_osm_file(path: Path, out: Path) -> Path:
    """Write the objects of ``path`` sorted by type, then id (then version) to ``out`` (an .osm.pbf).

    libosmium's merge reader sorts in memory; a file whose objects would need more than
    SORT_MAX_MEMORY_BYTES is refused with the command that sorts it on disk.
    """
    suffix = next((k for k in _SORT_MEMORY_PER_BYTE if path.name.lower().endswith(k)), ".pbf")
    need = path.stat().st_size * _SORT_MEMORY_PER_BYTE[suffix]
    if need > SORT_MAX_MEMORY_BYTES:
        raise InvalidInput(
            f"OSM file {path.name!r} is not sorted by type and id and is too large to sort in memory (about "
            f"{need / 2**30:.1f} GiB): sort it first with osmium-tool, `osmium sort {path.name} -o sorted.osm.pbf`, "
            "and import the sorted file", field="file")
    merge = osmium.MergeInputReader()
    merge.add_file(str(path))
    writer = osmium.WriteHandler(str(out))
    try:
        merge.apply(writer, simplify=True)
    finally:
        writer.close()
    return out


def _parse(path: Path, *, check_order: bool, say: Callable[[str], None]) -> _Parsed:
    """One streaming pass. With check_order, out-of-order objects (libosmium's complaint, or a way whose nodes
    have no location yet because they come after it) raise _Unsorted."""
    wkb = osmium.geom.WKBFactory()
    out = _Parsed()
    stats = out.stats
    seen = 0
    try:
        fp = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas()
            .with_filter(osmium.filter.KeyFilter(*CANDIDATE_KEYS, "boundary", "barrier", "building"))
        )
        for obj in fp:
            seen += 1
            if seen % _PROGRESS_EVERY == 0:
                say(f"{path.name}: {seen:,} tagged objects read")
            if isinstance(obj, osmium.osm.Node):
                _node(obj, out)
            elif isinstance(obj, osmium.osm.Way):
                _way(obj, out, wkb)
            elif isinstance(obj, osmium.osm.Area):
                _area(obj, out, wkb)
    except RuntimeError as exc:
        if check_order and "out of order" in str(exc).lower():
            raise _Unsorted(str(exc)) from exc
        raise
    if check_order and stats["missing_locations"]:
        raise _Unsorted(f"{stats['missing_locations']} ways refer to nodes not read before them")
    return out


def _node(obj: osmium.osm.Node, out: _Parsed) -> None:
    out.stats["nodes_seen"] += 1
    tags = dict(obj.tags)
    if tags.get("barrier") in VEHICLE_BARRIERS:
        out.barriers.append(_barrier("node", obj.id, tags, shapely.Point(obj.lon, obj.lat), obj.version))
    if "highway" in tags and len(tags) < 3 and "name" not in tags:
        return
    s = _site("node", obj.id, tags, shapely.Point(obj.lon, obj.lat), obj.version, is_area=False, is_line=False)
    if s is not None:
        out.sites[("node", obj.id)] = s


def _way(obj: osmium.osm.Way, out: _Parsed, wkb: osmium.geom.WKBFactory) -> None:
    stats = out.stats
    stats["ways_seen"] += 1
    tags = dict(obj.tags)
    if tags.get("barrier") in VEHICLE_BARRIERS:
        try:
            line = shapely.from_wkb(wkb.create_linestring(obj))
            out.barriers.append(_barrier("way", obj.id, tags, line, obj.version))
        except (osmium.InvalidLocationError, RuntimeError):
            stats["invalid_geometries"] += 1
    if is_drivable(tags):
        try:
            nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes]
        except osmium.InvalidLocationError:
            stats["missing_locations"] += 1
            nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes if n.location.valid()]
        if len(nodes) >= 2:
            arr = np.asarray(nodes, dtype=np.float64)
            tagged = parse_maxspeed(tags.get("maxspeed"))
            hw = tags["highway"]
            out.ways.append(
                RawWay(
                    obj.id, np.asarray([n[0] for n in nodes], dtype=np.int64), arr[:, 1].copy(),
                    arr[:, 2].copy(), hw, tagged if tagged is not None else DEFAULT_SPEED_KPH[hw],
                    tagged is not None, oneway_direction(tags), road_grade(tags),
                )
            )
    closed = obj.is_closed() and len(obj.nodes) >= 4
    area_like = closed and not (tags.get("highway") == "pedestrian" and tags.get("area") != "yes")
    if not area_like and tags.get("highway") == "pedestrian":
        try:
            geom = shapely.from_wkb(wkb.create_linestring(obj))
        except (osmium.InvalidLocationError, RuntimeError):
            stats["invalid_geometries"] += 1
            return
        s = _site("way", obj.id, tags, geom, obj.version, is_area=False, is_line=True)
        if s is not None:
            out.sites[("way", obj.id)] = s


def _area(obj: osmium.osm.Area, out: _Parsed, wkb: osmium.geom.WKBFactory) -> None:
    out.stats["areas_seen"] += 1
    tags = dict(obj.tags)
    if "barrier" in tags and not any(k in tags for k in CANDIDATE_KEYS) and "boundary" not in tags:
        return  # a fence or wall around something: not a site (barriers come from the way)
    otype = "way" if obj.from_way() else "relation"
    oid = obj.orig_id()
    try:
        geom = shapely.from_wkb(wkb.create_multipolygon(obj))
    except (osmium.InvalidLocationError, RuntimeError):
        out.stats["invalid_geometries"] += 1
        return
    if len(geom.geoms) == 1:
        geom = geom.geoms[0]
    if tags.get("building", "no") != "no":
        out.buildings.append(Footprint(f"{otype}/{oid}", geom, tags.get("building:levels"), tags["building"]))
    if tags.get("leisure") in ("pitch", "track"):
        out.pitches.append(Footprint(f"{otype}/{oid}", geom))
    if tags.get("boundary") == "administrative" and tags.get("admin_level", "").isdigit():
        out.admin.append((int(tags["admin_level"]), area_m2(geom) or 0.0, tags.get("name"), geom))
    if otype == "way" and tags.get("highway") == "pedestrian" and tags.get("area") != "yes":
        return
    s = _site(otype, oid, tags, geom, obj.version, is_area=True, is_line=False)
    if s is not None:
        out.sites[(otype, oid)] = s


def read_extract(
    path: Path, *, progress: Callable[[str], None] | None = None, tmp_dir: Path | None = None
) -> OsmExtract:
    """Read sites, drivable roads and the admin boundary from an OSM file. Raises InvalidInput on a bad file.

    Any of OSM_SUFFIXES (PBF, XML plain or gzip/bzip2-compressed, O5M, OPL). A file whose header does not
    declare type-then-id order is read once as it is; if its objects turn out not to be in that order, it is
    sorted into a temporary .osm.pbf (in ``tmp_dir``, default the system's) and read from there, so the result
    is the same as for a sorted file. ``progress`` receives a message per stage (and every 50,000 objects).
    """
    path = check_osm_path(Path(path))
    size = path.stat().st_size
    if size == 0:
        raise InvalidInput(f"OSM file {path.name!r} is empty: download the extract again", field="file")
    say = progress or (lambda _m: None)
    digest = sha256_file(path)
    verify_manifest(path, digest)
    t0 = time.perf_counter()
    say(f"reading {path.name} ({size / 1e6:.1f} MB)")
    try:
        timestamp, bbox, declared_sorted = _header(path)
        try:
            parsed = _parse(path, check_order=not declared_sorted, say=say)
            sorted_copy = False
        except _Unsorted as why:
            say(f"{path.name} is not sorted by type and id ({why}): sorting a temporary copy")
            with tempfile.TemporaryDirectory(prefix="bastion-osm-", dir=tmp_dir) as tmp:
                copy = sort_osm_file(path, Path(tmp) / "sorted.osm.pbf")
                parsed = _parse(copy, check_order=False, say=say)
            sorted_copy = True
    except (RuntimeError, OSError, ValueError, MemoryError) as exc:
        raise _read_error(path, exc) from exc
    stats = parsed.stats
    stats["sorted_copy"] = int(sorted_copy)
    say(f"read {len(parsed.sites)} sites and {len(parsed.ways)} drivable ways; building the road network")
    roads = build_network(parsed.ways)
    site_list = capacities_in_context(merge_places(list(parsed.sites.values())), parsed.buildings,
                                      parsed.pitches)
    stats["buildings_seen"] = len(parsed.buildings)
    boundary, boundary_name = choose_boundary(parsed.admin, site_list)
    read_s = time.perf_counter() - t0
    log.info("read %s%s: %d sites, %d barriers, %d road nodes, %d edges in %.2f s", path.name,
             " (sorted copy)" if sorted_copy else "", len(parsed.sites), len(parsed.barriers), roads.n_nodes,
             roads.n_edges, read_s)
    return OsmExtract(
        path=path, sha256=digest, sites=site_list, roads=roads, boundary=boundary,
        boundary_name=boundary_name, timestamp=timestamp, bbox=bbox, read_s=read_s, stats=stats,
        barriers=sorted(parsed.barriers, key=lambda b: (b.osm_type, b.osm_id)),
    )
