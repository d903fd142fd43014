"""Routing core: road graph, speed profiles, snapping, travel-time matrices, isochrones.

Names are loaded on first use (PEP 562): importing one submodule (``routing.snap`` to snap a point, ``routing.store``
to read stored arrays) does not load scipy's graph algorithms, shapely and the isochrone code with it, which keeps a
command-line call that only snaps a point fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
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
    from bastion.algorithms.routing.snap import NodeIndex
    from bastion.algorithms.routing.snap import Snapper
    from bastion.algorithms.routing.snap import SnapResult
    from bastion.algorithms.routing.snap import snap_points
    from bastion.kernel.geo import LocalProjection

_WHERE = {
    "FOOT": "bastion.algorithms.routing.profiles",
    "MOTORCYCLE": "bastion.algorithms.routing.profiles",
    "PATROL_CAR": "bastion.algorithms.routing.profiles",
    "PROFILES": "bastion.algorithms.routing.profiles",
    "RoadSpeedProfile": "bastion.algorithms.routing.profiles",
    "RoutingGraph": "bastion.algorithms.routing.graph",
    "build_graph": "bastion.algorithms.routing.graph",
    "Hierarchy": "bastion.algorithms.routing.hierarchy",
    "build_hierarchy": "bastion.algorithms.routing.hierarchy",
    "hierarchy_distances": "bastion.algorithms.routing.hierarchy",
    "Isochrone": "bastion.algorithms.routing.isochrone",
    "isochrones": "bastion.algorithms.routing.isochrone",
    "Nearest": "bastion.algorithms.routing.matrix",
    "Reach": "bastion.algorithms.routing.matrix",
    "multi_source_reach": "bastion.algorithms.routing.matrix",
    "nearest_sources": "bastion.algorithms.routing.matrix",
    "travel_time_matrix": "bastion.algorithms.routing.matrix",
    "RoadNetwork": "bastion.algorithms.routing.network",
    "Snapper": "bastion.algorithms.routing.snap",
    "NodeIndex": "bastion.algorithms.routing.snap",
    "SnapResult": "bastion.algorithms.routing.snap",
    "snap_points": "bastion.algorithms.routing.snap",
    "LocalProjection": "bastion.kernel.geo",
}

__all__ = [
    "FOOT", "MOTORCYCLE", "PATROL_CAR", "PROFILES", "Hierarchy", "Isochrone", "LocalProjection", "Nearest",
    "NodeIndex", "Reach", "RoadNetwork", "RoadSpeedProfile", "RoutingGraph", "SnapResult", "Snapper", "build_graph",
    "build_hierarchy",
    "hierarchy_distances", "isochrones", "multi_source_reach", "nearest_sources", "snap_points", "travel_time_matrix",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
