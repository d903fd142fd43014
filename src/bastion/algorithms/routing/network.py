"""The drivable road network as plain arrays.

Built by the OSM importer (bastion.regions.osm) from highway ways, simplified so that a node is an
intersection, a dead end or a way end; each directed edge keeps its full geometry (lon/lat vertices,
endpoints included) so that curvature can be measured (hostile-vehicle analysis) and maps drawn.

A two-way road yields two directed edges (u->v and v->u, the second with reversed geometry);
a one-way road yields one. Node indices are 0..n_nodes-1 positions into the node arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import numpy as np

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class RoadNetwork:
    node_osm_id: IntArray  # (n,) OSM node id of each node
    node_lon: FloatArray  # (n,) degrees, WGS84
    node_lat: FloatArray  # (n,) degrees, WGS84
    edge_u: IntArray  # (m,) tail node index
    edge_v: IntArray  # (m,) head node index
    edge_length_m: FloatArray  # (m,) along the geometry, metres (geodesic)
    edge_speed_kph: FloatArray  # (m,) maxspeed if tagged and parseable, else the class default
    edge_highway: tuple[str, ...]  # (m,) OSM highway class
    edge_way_id: IntArray  # (m,) OSM way id the edge comes from
    edge_oneway: BoolArray  # (m,) True where the source way is one-way
    edge_speed_tagged: BoolArray  # (m,) True where the speed came from a maxspeed tag
    edge_geometry: tuple[FloatArray, ...] = field(repr=False)  # (m,) arrays of shape (k, 2): lon, lat
    # (m,) grade separation of the source way: "ground" or tunnel/bridge/covered/above/below (see
    # bastion.algorithms.vehicle.grade); empty = every edge at ground level
    edge_grade: tuple[str, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        n = len(self.node_osm_id)
        m = len(self.edge_u)
        for name in ("node_lon", "node_lat"):
            if len(getattr(self, name)) != n:
                raise InvalidInput(f"{name} must have one entry per node ({n}), got {len(getattr(self, name))}")
        for name in (
            "edge_v", "edge_length_m", "edge_speed_kph", "edge_highway", "edge_way_id",
            "edge_oneway", "edge_speed_tagged", "edge_geometry",
        ):
            if len(getattr(self, name)) != m:
                raise InvalidInput(f"{name} must have one entry per edge ({m}), got {len(getattr(self, name))}")
        if self.edge_grade and len(self.edge_grade) != m:
            raise InvalidInput(f"edge_grade must be empty or have one entry per edge ({m}), got {len(self.edge_grade)}")
        if m and (self.edge_u.min() < 0 or self.edge_u.max() >= n or self.edge_v.min() < 0 or self.edge_v.max() >= n):
            raise InvalidInput("edge_u/edge_v must be node indices in [0, n_nodes)")
        if m and (np.any(self.edge_length_m < 0) or np.any(self.edge_speed_kph <= 0)):
            raise InvalidInput("edge_length_m must be >= 0 and edge_speed_kph > 0")

    @property
    def n_nodes(self) -> int:
        return len(self.node_osm_id)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    def edge_travel_time_s(self) -> FloatArray:
        """Free-flow travel time of every edge at its speed, seconds."""
        return self.edge_length_m / (self.edge_speed_kph / 3.6)
