"""Routing core: road graph, speed profiles, snapping, travel-time matrices, isochrones."""

from bastion.algorithms.routing.graph import FOOT
from bastion.algorithms.routing.graph import MOTORCYCLE
from bastion.algorithms.routing.graph import PATROL_CAR
from bastion.algorithms.routing.graph import PROFILES
from bastion.algorithms.routing.graph import RoadSpeedProfile
from bastion.algorithms.routing.graph import RoutingGraph
from bastion.algorithms.routing.graph import build_graph
from bastion.algorithms.routing.hierarchy import Hierarchy
from bastion.algorithms.routing.hierarchy import build_hierarchy
from bastion.algorithms.routing.hierarchy import hierarchy_distances
from bastion.algorithms.routing.isochrone import Isochrone
from bastion.algorithms.routing.isochrone import isochrones
from bastion.algorithms.routing.matrix import Nearest
from bastion.algorithms.routing.matrix import Reach
from bastion.algorithms.routing.matrix import multi_source_reach
from bastion.algorithms.routing.matrix import nearest_sources
from bastion.algorithms.routing.matrix import travel_time_matrix
from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.routing.snap import Snapper
from bastion.algorithms.routing.snap import SnapResult
from bastion.algorithms.routing.snap import snap_points
from bastion.kernel.geo import LocalProjection

__all__ = [
    "FOOT", "MOTORCYCLE", "PATROL_CAR", "PROFILES", "Hierarchy", "Isochrone", "LocalProjection", "Nearest", "Reach",
    "RoadNetwork", "RoadSpeedProfile", "RoutingGraph", "SnapResult", "Snapper", "build_graph", "build_hierarchy",
    "hierarchy_distances", "isochrones", "multi_source_reach", "nearest_sources", "snap_points", "travel_time_matrix",
]
