"""Routing core: road graph, speed profiles, snapping, travel-time matrices, isochrones."""

from bastion.algorithms.routing.graph import (
    FOOT,
    MOTORCYCLE,
    PATROL_CAR,
    PROFILES,
    RoadSpeedProfile,
    RoutingGraph,
    build_graph,
)
from bastion.algorithms.routing.hierarchy import (
    Hierarchy,
    build_hierarchy,
    hierarchy_distances,
)
from bastion.algorithms.routing.isochrone import Isochrone, isochrones
from bastion.algorithms.routing.matrix import (
    Reach,
    multi_source_reach,
    travel_time_matrix,
)
from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.routing.snap import Snapper, SnapResult, snap_points
from bastion.kernel.geo import LocalProjection

__all__ = [
    "FOOT", "MOTORCYCLE", "PATROL_CAR", "PROFILES", "Hierarchy", "Isochrone", "LocalProjection", "Reach", "RoadNetwork",
    "RoadSpeedProfile", "RoutingGraph", "SnapResult", "Snapper", "build_graph", "build_hierarchy",
    "hierarchy_distances", "isochrones", "multi_source_reach", "snap_points", "travel_time_matrix",
]
