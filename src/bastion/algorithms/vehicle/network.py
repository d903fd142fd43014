"""The road network prepared for hostile-vehicle search: projected edges, bends, junction turns, entries.

Built once per region from a RoadNetwork. Each directed edge keeps its projected, de-duplicated geometry,
its length along that geometry, and its interior bends (windowed three-point radii, measured within the
edge). A turn from edge p into edge e at their shared node gets one radius from the pair's geometry
(junction_radius), so a path's bends are the union of its edges' interior bends and its junction turns:
both the search (approach.py) and the per-path evaluation (path_profile) use exactly these.
One-way edges also get a reversed twin flagged wrong_way, used only when one-way rules are ignored.

Grade separation (grade.py): an edge in a tunnel, on a bridge, covered or on another layer passes under or
over the protected zone without touching it. Such an edge reaches the zone only at an end node that is at
ground level (a portal: a node shared with a ground-level edge) and lies in the zone; elsewhere it is an
ordinary road that can carry the vehicle to a ground-level junction, including under or over the zone.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.vehicle.geometry import DEFAULT_WINDOW_M
from bastion.algorithms.vehicle.geometry import MIN_HALF_WINDOW_M
from bastion.algorithms.vehicle.geometry import bend_radii
from bastion.algorithms.vehicle.geometry import circumradius
from bastion.algorithms.vehicle.geometry import junction_radius
from bastion.algorithms.vehicle.geometry import stations
from bastion.algorithms.vehicle.geometry import truncate
from bastion.algorithms.vehicle.grade import GROUND
from bastion.algorithms.vehicle.physics import Dynamics
from bastion.algorithms.vehicle.physics import ImpactSpeedProfile
from bastion.algorithms.vehicle.physics import impact_profile
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection

log = logging.getLogger(__name__)

DEFAULT_BUFFER_M = (
    10.0  # polygon/line perimeters: a road centreline within 10 m (half carriageway + pavement) reaches it
)
DEFAULT_POINT_RADIUS_M = 30.0  # point sites: roads within 30 m of the point reach it


@dataclass(frozen=True)
class Entry:
    """Where a directed edge first reaches the protected zone: the path ends at this point."""

    edge: int  # search-edge index (see VehicleNetwork); base edge = net.base_edge[edge]
    length_m: float  # from the edge's tail node to the entry point
    xy: FloatArray  # projected geometry, tail node .. entry point
    bend_st: FloatArray
    bend_r: FloatArray
    lon: float
    lat: float


class VehicleNetwork:
    """Projected, curvature-annotated view of a RoadNetwork (plus reversed twins of one-way edges)."""

    def __init__(
        self, roads: RoadNetwork, *, window_m: float = DEFAULT_WINDOW_M, projection: LocalProjection | None = None
    ) -> None:
        if window_m <= 0:
            raise InvalidInput(f"window_m must be > 0 metres, got {window_m}")
        if roads.n_nodes == 0:
            raise InvalidInput("roads has no nodes: import a region with drivable roads first")
        self.roads = roads
        self.window_m = float(window_m)
        self.proj = projection or LocalProjection(float(np.median(roads.node_lon)), float(np.median(roads.node_lat)))
        m = roads.n_edges
        ow = np.flatnonzero(roads.edge_oneway)
        self.base_edge = np.concatenate((np.arange(m), ow)).astype(np.int64)
        self.wrong_way = np.concatenate((np.zeros(m, bool), np.ones(len(ow), bool)))
        self.tail = np.concatenate((roads.edge_u, roads.edge_v[ow])).astype(np.int64)
        self.head = np.concatenate((roads.edge_v, roads.edge_u[ow])).astype(np.int64)
        base_ground = (np.array([g == GROUND for g in roads.edge_grade], dtype=bool) if roads.edge_grade
                       else np.ones(m, dtype=bool))
        self.ground = base_ground[self.base_edge]  # search edge at ground level (may touch the zone anywhere)
        self.ground_node = np.zeros(roads.n_nodes, dtype=bool)  # a ground-level edge ends here (portals too)
        self.ground_node[roads.edge_u[base_ground]] = True
        self.ground_node[roads.edge_v[base_ground]] = True
        n_all = len(self.base_edge)
        # project all geometry in one call, then measure every edge at once (no per-edge Python work)
        geoms = [roads.edge_geometry[int(b)] for b in self.base_edge]
        counts = np.array([len(g) for g in geoms], dtype=np.int64)
        allxy = np.concatenate(geoms) if geoms else np.empty((0, 2))
        x, y = self.proj.to_xy(allxy[:, 0], allxy[:, 1])
        eid = np.repeat(np.arange(n_all), counts)
        first = np.concatenate(([0], np.cumsum(counts)[:-1]))
        pos = np.arange(len(x)) - first[eid]
        rev = self.wrong_way[eid]
        src = np.where(rev, first[eid] + counts[eid] - 1 - pos, first[eid] + pos)
        x, y = x[src], y[src]
        self.lines = shapely.linestrings(np.column_stack((x, y)), indices=eid)
        keep = np.ones(len(x), dtype=bool)  # drop repeated consecutive vertices within an edge
        keep[1:] = ((x[1:] != x[:-1]) | (y[1:] != y[:-1])) | (eid[1:] != eid[:-1])
        x, y, eid = x[keep], y[keep], eid[keep]
        cnt = np.bincount(eid, minlength=n_all)
        first = np.concatenate(([0], np.cumsum(cnt)[:-1]))
        seg = np.hypot(np.diff(x, prepend=x[:1]), np.diff(y, prepend=y[:1]))
        seg[first[cnt > 0]] = 0.0
        csum = np.cumsum(seg)
        st_local = csum - csum[first[eid]]
        self.length = np.zeros(n_all)
        last = first + cnt - 1
        has = cnt >= 2
        self.length[has] = st_local[last[has]]
        # global stations: each edge on its own stretch of one increasing axis, so one np.interp serves all
        offs = np.concatenate(([0.0], np.cumsum(self.length + 1.0)[:-1]))
        glob = st_local + offs[eid]
        pos = np.arange(len(x)) - first[eid]
        interior = (pos > 0) & (pos < cnt[eid] - 1)
        iv = np.flatnonzero(interior)
        s_i = st_local[iv]
        L_i = self.length[eid[iv]]
        h = np.minimum(np.minimum(window_m / 2.0, s_i), L_i - s_i)
        ok = h >= MIN_HALF_WINDOW_M
        iv, s_i, h = iv[ok], s_i[ok], h[ok]
        g0 = offs[eid[iv]] + s_i
        pa = np.column_stack((np.interp(g0 - h, glob, x), np.interp(g0 - h, glob, y)))
        pc = np.column_stack((np.interp(g0 + h, glob, x), np.interp(g0 + h, glob, y)))
        r = circumradius(pa, np.column_stack((x[iv], y[iv])), pc)
        fin = np.isfinite(r)
        iv, s_i, r = iv[fin], s_i[fin], r[fin]
        be = eid[iv]
        bsplit = np.cumsum(np.bincount(be, minlength=n_all))[:-1]
        self.bend_dh: list[FloatArray] = np.split(self.length[be] - s_i, bsplit)  # bend to head, m
        self.bend_r: list[FloatArray] = np.split(r, bsplit)
        xsplit = np.cumsum(cnt)[:-1]
        self.xy: list[FloatArray] = np.split(np.column_stack((x, y)), xsplit)
        self.tree = shapely.STRtree(self.lines)
        order = np.argsort(self.head, kind="stable")
        self._in_ptr = np.searchsorted(self.head[order], np.arange(roads.n_nodes + 1))
        self._in_order = order
        self._junction: dict[tuple[int, int, float], float] = {}
        self._emin_cache: dict[tuple[float, float], FloatArray] = {}
        log.debug("vehicle network: %d nodes, %d search edges (%d wrong-way twins)", roads.n_nodes, n_all, len(ow))

    @property
    def n_edges(self) -> int:
        return len(self.base_edge)

    def in_edges(self, node: int) -> IntArray:
        return self._in_order[self._in_ptr[node]:self._in_ptr[node + 1]]

    def junction(self, p: int, e: int, entry: Entry | None = None) -> float:
        """Radius of the turn from edge p into edge e (or into the entry's truncated geometry of edge e)."""
        key = (p, e, -1.0 if entry is None else entry.length_m)
        r = self._junction.get(key)
        if r is None:
            r = junction_radius(self.xy[p], self.xy[e] if entry is None else entry.xy, window_m=self.window_m)
            self._junction[key] = r
        return r

    def edge_min_term(self, dyn: Dynamics) -> FloatArray:
        """Per edge: min over its interior bends of f g R + 2 a (distance to head); inf without bends."""
        key = (dyn.friction * dyn.g_mps2, dyn.accel_mps2)
        got = self._emin_cache.get(key)
        if got is None:
            got = np.full(self.n_edges, np.inf)
            a2 = 2.0 * dyn.accel_mps2
            for i, (dh, r) in enumerate(zip(self.bend_dh, self.bend_r, strict=True)):
                if len(r):
                    got[i] = float(np.min(dyn.cap_sq(r) + a2 * dh))
            self._emin_cache[key] = got
        return got

    # ---- perimeters and entries -------------------------------------------------------------------
    def project_geometry(self, geom_lonlat: BaseGeometry) -> BaseGeometry:
        def fwd(c: FloatArray) -> FloatArray:
            return np.column_stack(self.proj.to_xy(c[:, 0], c[:, 1]))

        return shapely.transform(geom_lonlat, fwd)

    def zone(self, perimeter_lonlat: BaseGeometry, *, buffer_m: float = DEFAULT_BUFFER_M,
             point_radius_m: float = DEFAULT_POINT_RADIUS_M) -> BaseGeometry:
        """The protected zone in projected metres: the perimeter buffered (points: by point_radius_m)."""
        if perimeter_lonlat.is_empty:
            raise InvalidInput("perimeter is empty: give a polygon, line or point in lon/lat")
        if buffer_m < 0 or point_radius_m <= 0:
            raise InvalidInput(f"buffer_m must be >= 0 and point_radius_m > 0, got {buffer_m}, {point_radius_m}")
        g = self.project_geometry(perimeter_lonlat)
        if g.geom_type in ("Point", "MultiPoint"):
            return g.buffer(point_radius_m)
        if g.geom_type in ("LineString", "MultiLineString") and buffer_m == 0:
            return g.buffer(0.01)
        return g.buffer(buffer_m) if buffer_m > 0 else g

    def touching(self, zone: BaseGeometry) -> IntArray:
        """Indices of search edges that reach the zone at ground level.

        A ground-level edge reaches it where its geometry meets it; a grade-separated edge (tunnel, bridge,
        covered, other layer) only at an end node that is at ground level and inside the zone.
        """
        near = np.asarray(self.tree.query(zone, predicate="intersects"), dtype=np.int64)
        sep = near[~self.ground[near]]
        if not len(sep):
            return near
        shapely.prepare(zone)
        reach = np.zeros(len(sep), dtype=bool)
        for end in (self.tail[sep], self.head[sep]):
            pts = np.column_stack(self.proj.to_xy(self.roads.node_lon[end], self.roads.node_lat[end]))
            reach |= self.ground_node[end] & shapely.intersects(zone, shapely.points(pts))
        return np.sort(np.concatenate((near[self.ground[near]], sep[reach])))

    def passing(self, zone: BaseGeometry) -> IntArray:
        """Indices of grade-separated search edges that pass under or over the zone without reaching it."""
        near = np.asarray(self.tree.query(zone, predicate="intersects"), dtype=np.int64)
        return np.setdiff1d(near[~self.ground[near]], self.touching(zone))

    def entries(self, zone: BaseGeometry, touching: IntArray) -> list[Entry]:
        """First point where each edge starting outside the zone reaches it (at ground level, see touching).

        A grade-separated edge reaches the zone only at its head node (a portal inside the zone): its entry
        is the whole edge.
        """
        out: list[Entry] = []
        shapely.prepare(zone)
        for e in touching:
            e = int(e)
            g = self.xy[e]
            if len(g) < 2 or zone.intersects(shapely.points(g[0])):
                continue  # starts inside: a vehicle there has already reached the perimeter
            if not self.ground[e]:
                if self.ground_node[self.head[e]] and zone.intersects(shapely.points(g[-1])):
                    out.append(self._entry(e, float(self.length[e]), g, g[-1]))
                continue
            segs = shapely.linestrings(np.stack((g[:-1], g[1:]), axis=1))
            hit = np.flatnonzero(shapely.intersects(segs, zone))
            if not len(hit):
                continue
            k = int(hit[0])
            inter = segs[k].intersection(zone)
            pts = shapely.get_coordinates(inter)
            d = np.hypot(pts[:, 0] - g[k, 0], pts[:, 1] - g[k, 1])
            p = pts[int(np.argmin(d))]
            st = stations(g)
            length = float(st[k] + d.min())
            out.append(self._entry(e, length, truncate(g, length), p))
        return out

    def _entry(self, e: int, length_m: float, xy: FloatArray, point: FloatArray) -> Entry:
        bst, br = bend_radii(xy, window_m=self.window_m) if len(xy) >= 3 else (np.empty(0), np.empty(0))
        lon, lat = self.proj.to_lonlat(np.array([point[0]]), np.array([point[1]]))
        return Entry(e, length_m, xy, bst, br, float(lon[0]), float(lat[0]))

    # ---- one path, evaluated directly -------------------------------------------------------------
    def path_bends(
        self, entry: Entry, edges: tuple[int, ...], start_offset_m: float
    ) -> tuple[float, FloatArray, FloatArray]:
        """Length and bends (stations from the start, radii) of a path: edges (start..), then the entry.

        The first edge is entered start_offset_m metres after its tail (0 = start at its tail node).
        """
        st_parts: list[FloatArray] = []
        r_parts: list[FloatArray] = []
        pos = -start_offset_m
        seq = list(edges)
        for i, p in enumerate(seq):
            L = self.length[p]
            bst = L - self.bend_dh[p]
            keep = bst >= start_offset_m - 1e-9 if i == 0 else np.ones(len(bst), bool)
            st_parts.append(pos + bst[keep])
            r_parts.append(self.bend_r[p][keep])
            pos += L
            nxt_r = self.junction(p, seq[i + 1]) if i + 1 < len(seq) else self.junction(p, entry.edge, entry)
            st_parts.append(np.array([pos]))
            r_parts.append(np.array([nxt_r]))
        st_parts.append(pos + entry.bend_st)
        r_parts.append(entry.bend_r)
        total = pos + entry.length_m
        st = np.concatenate(st_parts) if st_parts else np.empty(0)
        r = np.concatenate(r_parts) if r_parts else np.empty(0)
        ok = np.isfinite(r) & (st >= -1e-9)  # bends before a mid-edge start do not count
        return total, np.clip(st[ok], 0.0, total), r[ok]

    def path_profile(
        self, entry: Entry, edges: tuple[int, ...], start_offset_m: float, dyn: Dynamics, *,
        mass_kg: float | None = None,
    ) -> ImpactSpeedProfile:
        total, st, r = self.path_bends(entry, edges, start_offset_m)
        return impact_profile(total, st, r, dyn, mass_kg=mass_kg)

    def path_xy(self, entry: Entry, edges: tuple[int, ...], start_offset_m: float) -> FloatArray:
        parts = []
        for i, p in enumerate(edges):
            g = self.xy[p]
            if i == 0 and start_offset_m > 0:
                rev = g[::-1]
                g = truncate(rev, self.length[p] - start_offset_m)[::-1]
            parts.append(g[:-1])
        parts.append(entry.xy)
        return np.vstack(parts)

    def to_lonlat(self, xy: FloatArray) -> FloatArray:
        lon, lat = self.proj.to_lonlat(xy[:, 0], xy[:, 1])
        return np.column_stack((lon, lat))

    def line(self, xy: FloatArray) -> LineString:
        return LineString(xy)
