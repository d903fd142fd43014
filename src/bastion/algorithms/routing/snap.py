"""Snap lon/lat points to the nearest node of a routing graph's LSCC.

Distances are measured in a local azimuthal-equidistant projection (pyproj ``+proj=aeqd``) centred on
the graph's nodes: distances from the centre are exact and, over a city-sized area (< 50 km), distances
between nearby points are within a fraction of a percent of geodesic. Nearest node = scipy cKDTree query.
Points farther than ``max_snap_m`` are flagged (``node == -1``), never silently snapped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.routing.graph import RoutingGraph
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection

log = logging.getLogger(__name__)

DEFAULT_MAX_SNAP_M = 250.0  # metres; a site farther than this from any routable node is flagged


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


class Snapper:
    """KD-tree over a graph's nodes in a local metric projection; build once, query many times."""

    def __init__(self, graph: RoutingGraph, *, projection: LocalProjection | None = None) -> None:
        self.graph = graph
        self.projection = projection or LocalProjection.around(graph.node_lon, graph.node_lat)
        x, y = self.projection.to_xy(graph.node_lon, graph.node_lat)
        self._tree = cKDTree(np.column_stack([x, y]))

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
        dist, nearest = self._tree.query(np.column_stack([x, y]))
        nearest = np.asarray(nearest, dtype=np.int64)
        dist = np.asarray(dist, dtype=np.float64)
        node = np.where(dist <= max_snap_m, nearest, -1).astype(np.int64)
        log.debug("snapped %d points, %d beyond %.0f m", len(node), int((node < 0).sum()), max_snap_m)
        return SnapResult(node=node, nearest_node=nearest, distance_m=dist, max_snap_m=float(max_snap_m))


def snap_points(
    graph: RoutingGraph, lon: npt.ArrayLike, lat: npt.ArrayLike, *, max_snap_m: float = DEFAULT_MAX_SNAP_M
) -> SnapResult:
    """One-off snap (builds the KD-tree each call; keep a Snapper for repeated queries)."""
    return Snapper(graph).snap(lon, lat, max_snap_m=max_snap_m)
