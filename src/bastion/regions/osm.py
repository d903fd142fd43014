"""Read an OSM extract in one streaming pyosmium pass: key targets / crowded places and the drivable roads.

Tag filtering happens in libosmium (C++) before objects reach Python; node locations are cached in
memory and multipolygons assembled by libosmium's area manager. The result is plain domain data
(SiteRecord list, RoadNetwork, admin boundary); storage is the service layer's job.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import osmium
import shapely
from shapely.geometry.base import BaseGeometry

from bastion.algorithms.routing.build import RawWay, build_network
from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.routing.speeds import (
    DEFAULT_SPEED_KPH,
    is_drivable,
    oneway_direction,
    parse_maxspeed,
)
from bastion.algorithms.sites.capacity import estimate_capacity
from bastion.algorithms.sites.geometry import area_m2, length_m, representative_lonlat
from bastion.algorithms.sites.hours import parse_opening_hours
from bastion.algorithms.sites.model import SiteRecord
from bastion.algorithms.sites.places import (
    Footprint,
    capacities_in_context,
    merge_places,
)
from bastion.algorithms.sites.taxonomy import CANDIDATE_KEYS, classify, kept_tags
from bastion.kernel.errors import DataIntegrityError, InvalidInput

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


def drop_contained_lines(sites: list[SiteRecord]) -> list[SiteRecord]:
    """Drop linear pedestrian streets lying mostly (>= 80 %) inside a mapped square or pedestrian area.

    Kept for callers of the old behaviour; the importer now merges them into the area (places.merge_places)."""
    polys = [s.geometry for s in sites if s.category == "public_space" and s.area_m2]
    if not polys:
        return sites
    tree = shapely.STRtree(polys)
    out = []
    for s in sites:
        if s.category == "public_space" and s.geometry.geom_type == "LineString":
            near = tree.query(s.geometry, predicate="intersects")
            inside = sum(s.geometry.intersection(polys[i]).length for i in near)
            if s.geometry.length > 0 and inside / s.geometry.length >= 0.8:
                continue
        out.append(s)
    return out


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


def read_extract(path: Path, *, progress: Callable[[str], None] | None = None) -> OsmExtract:
    """Read sites, drivable roads and the admin boundary from an OSM file. Raises InvalidInput on a bad file."""
    path = check_osm_path(Path(path))
    digest = sha256_file(path)
    verify_manifest(path, digest)
    t0 = time.perf_counter()
    wkb = osmium.geom.WKBFactory()
    sites: dict[tuple[str, int], SiteRecord] = {}
    ways: list[RawWay] = []
    admin: list[tuple[int, float, str | None, BaseGeometry]] = []
    barriers: list[BarrierRecord] = []
    buildings: list[Footprint] = []
    pitches: list[Footprint] = []
    stats = {"nodes_seen": 0, "ways_seen": 0, "areas_seen": 0, "invalid_geometries": 0}
    try:
        fp = (
            osmium.FileProcessor(str(path))
            .with_locations()
            .with_areas()
            .with_filter(osmium.filter.KeyFilter(*CANDIDATE_KEYS, "boundary", "barrier", "building"))
        )
        header = fp.header
        timestamp = header.get("osmosis_replication_timestamp") or header.get("timestamp") or None
        box = header.box()
        bbox = (box.bottom_left.lon, box.bottom_left.lat, box.top_right.lon, box.top_right.lat) if box.valid() else None
        for obj in fp:
            if obj.is_node():
                stats["nodes_seen"] += 1
                tags = dict(obj.tags)
                if tags.get("barrier") in VEHICLE_BARRIERS:
                    barriers.append(_barrier("node", obj.id, tags, shapely.Point(obj.lon, obj.lat), obj.version))
                if "highway" in tags and len(tags) < 3 and "name" not in tags:
                    continue
                s = _site("node", obj.id, tags, shapely.Point(obj.lon, obj.lat), obj.version, is_area=False, is_line=False)
                if s is not None:
                    sites[("node", obj.id)] = s
            elif obj.is_way():
                stats["ways_seen"] += 1
                tags = dict(obj.tags)
                if tags.get("barrier") in VEHICLE_BARRIERS:
                    try:
                        barriers.append(_barrier("way", obj.id, tags,
                                                 shapely.from_wkb(wkb.create_linestring(obj)), obj.version))
                    except (osmium.InvalidLocationError, RuntimeError):
                        stats["invalid_geometries"] += 1
                if is_drivable(tags):
                    try:
                        nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes]
                    except osmium.InvalidLocationError:
                        nodes = [(n.ref, n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                    if len(nodes) >= 2:
                        arr = np.asarray(nodes, dtype=np.float64)
                        tagged = parse_maxspeed(tags.get("maxspeed"))
                        hw = tags["highway"]
                        ways.append(
                            RawWay(
                                obj.id, np.asarray([n[0] for n in nodes], dtype=np.int64), arr[:, 1].copy(),
                                arr[:, 2].copy(), hw, tagged if tagged is not None else DEFAULT_SPEED_KPH[hw],
                                tagged is not None, oneway_direction(tags),
                            )
                        )
                closed = obj.is_closed() and len(obj.nodes) >= 4
                area_like = closed and not (tags.get("highway") == "pedestrian" and tags.get("area") != "yes")
                if not area_like and tags.get("highway") == "pedestrian":
                    try:
                        geom = shapely.from_wkb(wkb.create_linestring(obj))
                    except (osmium.InvalidLocationError, RuntimeError):
                        stats["invalid_geometries"] += 1
                        continue
                    s = _site("way", obj.id, tags, geom, obj.version, is_area=False, is_line=True)
                    if s is not None:
                        sites[("way", obj.id)] = s
            elif obj.is_area():
                stats["areas_seen"] += 1
                tags = dict(obj.tags)
                if "barrier" in tags and not any(k in tags for k in CANDIDATE_KEYS) and "boundary" not in tags:
                    continue  # a fence or wall around something: not a site (barriers come from the way)
                otype = "way" if obj.from_way() else "relation"
                oid = obj.orig_id()
                try:
                    geom = shapely.from_wkb(wkb.create_multipolygon(obj))
                except (osmium.InvalidLocationError, RuntimeError):
                    stats["invalid_geometries"] += 1
                    continue
                if len(geom.geoms) == 1:
                    geom = geom.geoms[0]
                if tags.get("building", "no") != "no":
                    buildings.append(Footprint(f"{otype}/{oid}", geom, tags.get("building:levels"), tags["building"]))
                if tags.get("leisure") in ("pitch", "track"):
                    pitches.append(Footprint(f"{otype}/{oid}", geom))
                if tags.get("boundary") == "administrative" and tags.get("admin_level", "").isdigit():
                    admin.append((int(tags["admin_level"]), area_m2(geom) or 0.0, tags.get("name"), geom))
                if otype == "way" and tags.get("highway") == "pedestrian" and tags.get("area") != "yes":
                    continue
                s = _site(otype, oid, tags, geom, obj.version, is_area=True, is_line=False)
                if s is not None:
                    sites[(otype, oid)] = s
    except (RuntimeError, OSError, ValueError) as exc:
        raise InvalidInput(
            f"could not read OSM file {path.name!r}: {exc}. The file is truncated, corrupt or not OSM data; "
            "download the extract again", field="file",
        ) from exc
    if progress:
        progress(f"read {len(sites)} sites and {len(ways)} drivable ways")
    roads = build_network(ways)
    site_list = capacities_in_context(merge_places(list(sites.values())), buildings, pitches)
    stats["buildings_seen"] = len(buildings)
    boundary, boundary_name = choose_boundary(admin, site_list)
    read_s = time.perf_counter() - t0
    log.info("read %s: %d sites, %d barriers, %d road nodes, %d edges in %.2f s", path.name, len(sites),
             len(barriers), roads.n_nodes, roads.n_edges, read_s)
    return OsmExtract(
        path=path, sha256=digest, sites=site_list, roads=roads, boundary=boundary,
        boundary_name=boundary_name, timestamp=timestamp, bbox=bbox, read_s=read_s, stats=stats,
        barriers=sorted(barriers, key=lambda b: (b.osm_type, b.osm_id)),
    )
