"""Snap lon/lat points to the nearest node of a routing graph's LSCC.

Distances are measured in a local azimuthal-equidistant projection (pyproj ``+proj=aeqd``) centred on
the graph's nodes: distances from the centre are exact and, over a city-sized area (< 50 km), distances
between nearby points are within a fraction of a percent of geodesic. Nearest node: a few points (a unit's base)
by one vectorised pass over the nodes, many points by a scipy cKDTree query; both measure the same Euclidean
distance in the plane. Points farther than ``max_snap_m`` are flagged (``node == -1``), never silently snapped.

``NodeIndex`` needs only the nodes' plane coordinates (kept on disk by bastion.regions.graphs), so adding or moving
one unit snaps without loading the graph, scipy or building a tree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.routing.gridsnap import DEFAULT_MAX_SNAP_M as DEFAULT_MAX_SNAP_M
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection

if TYPE_CHECKING:
    from bastion.algorithms.routing.graph import RoutingGraph

log = logging.getLogger(__name__)

SCAN_MAX_POINTS = 16  # up to this many points: one pass over the nodes each; more: build and query a KD-tree


@dataclass(frozen=True)
class SnapResult:
    node: IntArray  # (k,) graph node, -1 where the point is farther than max_snap_m
    nearest_node: IntArray  # (k,) graph node nearest to the point, whatever the distance
    distance_m: FloatArray  # (k,) straight-line distance to nearest_node, metres
    max_snap_m: float

    @property
    def flagged(self) -> BoolArray:
        """Points farther than max_snap_m from the network (not snapped)."""
        return self.node < 0


class NodeIndex:
    """Graph nodes in a local metric plane (metres): snaps lon/lat points to the nearest node."""

    def __init__(self, projection: LocalProjection, x: npt.ArrayLike, y: npt.ArrayLike) -> None:
        self.projection = projection
        self.x = np.asarray(x, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64)
        if self.x.shape != self.y.shape or self.x.ndim != 1 or len(self.x) == 0:
            raise InvalidInput(f"node x and y must be equal-length non-empty 1-D arrays, got shapes {self.x.shape} "
                               f"and {self.y.shape}")
        self._tree: Any = None

    @classmethod
    def of_lonlat(cls, lon: npt.ArrayLike, lat: npt.ArrayLike, *,
                  projection: LocalProjection | None = None) -> NodeIndex:
        projection = projection or LocalProjection.around(lon, lat)
        x, y = projection.to_xy(lon, lat)
        return cls(projection, x, y)

    def _nearest_scan(self, px: FloatArray, py: FloatArray) -> tuple[IntArray, FloatArray]:
        nearest = np.empty(len(px), dtype=np.int64)
        dist = np.empty(len(px), dtype=np.float64)
        for i in range(len(px)):
            dx, dy = self.x - px[i], self.y - py[i]
            d2 = dx * dx + dy * dy
            j = int(np.argmin(d2))
            nearest[i], dist[i] = j, np.sqrt(d2[j])
        return nearest, dist

    def _nearest_tree(self, px: FloatArray, py: FloatArray) -> tuple[IntArray, FloatArray]:
        if self._tree is None:
            from scipy.spatial import cKDTree

            self._tree = cKDTree(np.column_stack([self.x, self.y]))
        dist, nearest = self._tree.query(np.column_stack([px, py]))
        return np.asarray(nearest, dtype=np.int64), np.asarray(dist, dtype=np.float64)

    def snap(self, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> SnapResult:
        lon_a = np.atleast_1d(np.asarray(lon, dtype=np.float64))
        lat_a = np.atleast_1d(np.asarray(lat, dtype=np.float64))
        if lon_a.shape != lat_a.shape or lon_a.ndim != 1:
            raise InvalidInput(
                f"lon and lat must be 1-D arrays of equal length, got shapes {lon_a.shape} and {lat_a.shape}"
            )
        if not max_snap_m > 0:
            raise InvalidInput(f"max_snap_m must be > 0 metres, got {max_snap_m}")
        bad = ~(np.isfinite(lon_a) & np.isfinite(lat_a)) | (np.abs(lat_a) > 90) | (np.abs(lon_a) > 180)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise InvalidInput(f"point {i} has invalid lon/lat ({lon_a[i]}, {lat_a[i]}); give WGS84 degrees")
        x, y = self.projection.to_xy(lon_a, lat_a)
        scan = len(x) <= SCAN_MAX_POINTS
        nearest, dist = (self._nearest_scan if scan else self._nearest_tree)(x, y)
        node = np.where(dist <= max_snap_m, nearest, -1).astype(np.int64)
        log.debug("snapped %d points (%s), %d beyond %.0f m", len(node), "scan" if scan else "KD-tree",
                  int((node < 0).sum()), max_snap_m)
        return SnapResult(node=node, nearest_node=nearest, distance_m=dist, max_snap_m=float(max_snap_m))


class Snapper(NodeIndex):
    """A graph's NodeIndex; build once, query many times."""

    def __init__(self, graph: RoutingGraph, *, projection: LocalProjection | None = None) -> None:
        self.graph = graph
        projection = projection or LocalProjection.around(graph.node_lon, graph.node_lat)
        x, y = projection.to_xy(graph.node_lon, graph.node_lat)
        super().__init__(projection, x, y)


def snap_points(
    graph: RoutingGraph, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float = DEFAULT_MAX_SNAP_M
) -> SnapResult:
    """One-off snap (builds the KD-tree each call; keep a Snapper for repeated queries)."""
    return Snapper(graph).snap(lon, lat, max_snap_m=max_snap_m)
