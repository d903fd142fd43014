"""One site per place: merge the OSM objects that describe the same place, then estimate capacities in context.

Merge rules (docs/models/sites.md, "One site per place"), on sites already classified:
1. Containment: a site lying inside another (a point in its polygon, or >= 80 % of its area or length inside)
   is the same place when both have the same name or the same kind (a building and its grounds; a node and
   the area it labels); two differently named public spaces are not merged by this rule.
2. Parts of one named place: sites with the same name (case, accents and punctuation folded) and the same
   category whose geometries touch or lie within 30 m (segments of a street or square; the two halves of a
   place split by a street), or within 100 m for grounds kinds (a campus split by a road).
Groups are closed transitively.
3. Then a linear pedestrian street (after rule 2: the whole street) lying >= 80 % inside a square or
   pedestrian area joins that area (what the importer used to drop as a duplicate).
A merged site keeps every member's OSM reference. It is keyed by its smallest reference (relations, then ways,
then nodes, each by id: a split way keeps its old id on one part, so the key stays) and is found again by any
member reference on re-import. Its geometry is the union of its polygons (lines and points inside them stay
as references only, so the mapped perimeter is unchanged), else of its lines; its name, kind and tags are its
largest member's.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from bastion.algorithms.sites.capacity import GROUNDS_KINDS
from bastion.algorithms.sites.capacity import Building
from bastion.algorithms.sites.capacity import estimate_capacity
from bastion.algorithms.sites.geometry import area_m2
from bastion.algorithms.sites.geometry import length_m
from bastion.algorithms.sites.geometry import representative_lonlat
from bastion.algorithms.sites.model import SiteRecord

INSIDE_SHARE = 0.8  # share of a site's area or length inside another for "one contains the other"
ADJACENT_M = 30.0  # same-named public-space segments this close (across a street) are one place
CAMPUS_M = 100.0  # same-named grounds this close are one place
# areas before labels: a relation or closed way outlines the place and outlives the nodes mappers fold into it
_TYPE_RANK = {"relation": 0, "way": 1, "node": 2}
# tags describing one object's structure: never taken from a member onto the merged place
_OWN_TAGS = frozenset({"building", "building:levels", "levels", "height", "area"})


@dataclass(frozen=True)
class Footprint:
    """A building (or a pitch) read from OSM, lon/lat WGS84."""

    ref: str  # e.g. "way/12"
    geometry: BaseGeometry
    levels_tag: str | None = None
    building: str = "yes"


def fold_name(name: str | None) -> str:
    """A name for matching: lower case, accents and punctuation removed, spaces collapsed."""
    if not name:
        return ""
    t = unicodedata.normalize("NFKD", name.casefold())
    t = "".join(c for c in t if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w]+", " ", t).split())


def ref_key(ref: str) -> tuple[int, int, str]:
    """Sort key of an OSM reference 'type/id': relations, then ways, then nodes, each by id. The smallest is a
    merged place's stable key."""
    t, _, i = ref.partition("/")
    return (_TYPE_RANK.get(t, 9), int(i) if i.isdigit() else 0, ref)


def _metric(geoms: Sequence[BaseGeometry]) -> tuple[list[BaseGeometry], float, float]:
    """Geometries scaled to metres around their mean latitude (equirectangular, fine at city scale)."""
    arr = np.asarray(geoms, dtype=object)
    lat0 = float(np.mean(shapely.get_y(shapely.centroid(arr)))) if len(arr) else 0.0
    kx = 111_320.0 * math.cos(math.radians(lat0))
    ky = 110_540.0
    scaled = shapely.transform(arr, lambda xy: xy * np.array([kx, ky])) if len(arr) else arr
    return list(scaled), kx, ky


def _inside(inner: BaseGeometry, outer: BaseGeometry) -> bool:
    if outer.geom_type not in ("Polygon", "MultiPolygon"):
        return False
    if inner.geom_type == "Point":
        return bool(outer.buffer(1.0).contains(inner))
    if inner.geom_type in ("Polygon", "MultiPolygon"):
        a = inner.area
        return bool(a > 0 and a < outer.area * 1.0001 and inner.intersection(outer).area >= INSIDE_SHARE * a)
    ln = inner.length
    return bool(ln > 0 and inner.intersection(outer).length >= INSIDE_SHARE * ln)


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


def _same_place(a: SiteRecord, b: SiteRecord, ga: BaseGeometry, gb: BaseGeometry, name_a: str, name_b: str) -> bool:
    same_name = bool(name_a) and name_a == name_b
    if not same_name and a.kind != b.kind:
        return False
    if _inside(ga, gb) or _inside(gb, ga):
        return (same_name or not (a.category == b.category == "public_space")
                or not (name_a and name_b))  # two differently named streets stay two places
    if same_name and a.category == b.category:
        limit = CAMPUS_M if (a.kind in GROUNDS_KINDS or b.kind in GROUNDS_KINDS) else ADJACENT_M
        return bool(ga.distance(gb) <= limit)
    return False


def group_places(sites: Sequence[SiteRecord]) -> list[list[int]]:
    """Indices of the sites that form one place each (singletons included), in input order."""
    n = len(sites)
    uf = _UnionFind(n)
    if n:
        geoms, _, _ = _metric([s.geometry for s in sites])
        names = [fold_name(s.name) for s in sites]
        tree = shapely.STRtree(geoms)
        for i, g in enumerate(geoms):
            for j in tree.query(g, predicate="dwithin", distance=CAMPUS_M):
                j = int(j)
                if j > i and uf.find(i) != uf.find(j) and _same_place(sites[i], sites[j], g, geoms[j],
                                                                      names[i], names[j]):
                    uf.union(i, j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(uf.find(i), []).append(i)
    return list(groups.values())


def _size(s: SiteRecord) -> tuple[float, float, int]:
    return (s.area_m2 or 0.0, s.length_m or 0.0, -ref_key(s.ref)[1])


def _union_geometry(members: Sequence[SiteRecord]) -> BaseGeometry:
    polys = [m.geometry for m in members if m.geometry.geom_type in ("Polygon", "MultiPolygon")]
    lines = [m.geometry for m in members if m.geometry.geom_type in ("LineString", "MultiLineString")]
    if polys:  # the mapped area is the perimeter; streets crossing it stay as references only
        geom = shapely.union_all(polys)
    elif lines:
        geom = shapely.line_merge(shapely.union_all(lines))
    else:
        return max(members, key=_size).geometry
    if not geom.is_valid:
        geom = shapely.make_valid(geom)
    if geom.geom_type == "GeometryCollection":  # keep the areal part
        geom = shapely.union_all([g for g in geom.geoms if g.geom_type in ("Polygon", "MultiPolygon")])
    return geom


def merge_group(members: Sequence[SiteRecord]) -> SiteRecord:
    """One site for the members of one place (a single member is returned with its reference recorded)."""
    refs = tuple(sorted({r for m in members for r in (m.members or (m.ref,))}, key=ref_key))
    if len(members) == 1:
        return replace(members[0], members=refs)
    primary = max(members, key=_size)
    rep_type, _, rep_id = refs[0].partition("/")
    geom = _union_geometry(members)
    tags: dict[str, str] = {}
    for m in sorted(members, key=_size):
        tags.update({k: v for k, v in m.tags.items() if k not in _OWN_TAGS})
    tags = {k: v for k, v in tags.items() if k not in primary.tags}
    tags.update(primary.tags)
    name = primary.name or next((m.name for m in members if m.name), None)
    if name is not None:
        tags["name"] = name
    lon, lat = representative_lonlat(geom)
    return replace(
        primary, source_type=rep_type, source_id=rep_id, name=name, geometry=geom, lon=lon, lat=lat,
        area_m2=area_m2(geom), length_m=length_m(geom), tags=tags,
        hours=primary.hours or next((m.hours for m in members if m.hours), None), members=refs,
        osm_version=max((m.osm_version or 0) for m in members) or None,
    )


def _absorb_contained_lines(sites: list[SiteRecord]) -> list[SiteRecord]:
    """A (merged) linear pedestrian street lying >= 80 % inside a square or pedestrian area joins that area."""
    polys = [i for i, s in enumerate(sites) if s.category == "public_space" and s.area_m2]
    lines = [i for i, s in enumerate(sites)
             if s.category == "public_space" and s.geometry.geom_type in ("LineString", "MultiLineString")]
    if not polys or not lines:
        return sites
    geoms, _, _ = _metric([s.geometry for s in sites])
    tree = shapely.STRtree([geoms[i] for i in polys])
    into: dict[int, list[int]] = {}
    for i in lines:
        for k in tree.query(geoms[i], predicate="intersects"):
            if _inside(geoms[i], geoms[polys[int(k)]]):
                into.setdefault(polys[int(k)], []).append(i)
                break
    gone = {i for v in into.values() for i in v}
    out = [merge_group([s, *(sites[j] for j in into[i])]) if i in into else s
           for i, s in enumerate(sites) if i not in gone]
    return out


def merge_places(sites: Sequence[SiteRecord]) -> list[SiteRecord]:
    """The sites with each place's objects merged into one (order: by stable key)."""
    merged = [merge_group([sites[i] for i in g]) for g in group_places(sites)]
    merged = _absorb_contained_lines(merged)
    return sorted(merged, key=lambda s: ref_key(s.ref))


def capacities_in_context(
    sites: Sequence[SiteRecord], buildings: Sequence[Footprint], pitches: Sequence[Footprint] = ()
) -> list[SiteRecord]:
    """Re-estimate each site's capacity knowing the buildings inside its grounds and the pitches of stadiums."""
    b_tree = shapely.STRtree([b.geometry for b in buildings]) if buildings else None
    b_points = [b.geometry.representative_point() for b in buildings]
    p_tree = shapely.STRtree([p.geometry for p in pitches]) if pitches else None
    out = []
    for s in sites:
        poly = s.geometry if s.geometry.geom_type in ("Polygon", "MultiPolygon") else None
        inside: list[Building] = []
        pitch = 0.0
        if poly is not None and b_tree is not None:
            for i in b_tree.query(poly):
                b = buildings[int(i)]
                if poly.contains(b_points[int(i)]):
                    inside.append(Building(area_m2(b.geometry) or 0.0, b.levels_tag, b.building))
        if poly is not None and p_tree is not None and s.kind == "stadium":
            for i in p_tree.query(poly):
                p = pitches[int(i)].geometry
                if _inside(p, poly):
                    pitch += area_m2(p) or 0.0
        cap = estimate_capacity(
            s.kind, capacity_tag=s.tags.get("capacity"), footprint_area_m2=s.area_m2,
            levels_tag=s.tags.get("building:levels"), line_length_m=s.length_m, seats_tag=s.tags.get("seats"),
            is_building=s.tags.get("building", "no") != "no", buildings=inside, pitch_area_m2=pitch or None,
        )
        out.append(replace(s, capacity=cap))
    return out
