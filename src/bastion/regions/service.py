"""Region use cases: the stored road network as arrays for routing, coverage and vehicle analysis."""

from __future__ import annotations

import numpy as np
import shapely
from sqlalchemy.orm import Session

from bastion.algorithms.routing.network import RoadNetwork
from bastion.regions.repository import RoadRepo


def load_road_network(session: Session, region_id: int) -> RoadNetwork:
    """The region's stored road network as RoadNetwork arrays (for routing, coverage, vehicle analysis)."""
    repo = RoadRepo(session)
    nodes = repo.nodes(region_id)
    edges = repo.edges(region_id)
    osm = np.asarray([n.osm_id for n in nodes], dtype=np.int64)
    index = {int(o): i for i, o in enumerate(osm)}
    geoms = shapely.from_wkb([e.geometry_wkb for e in edges]) if edges else []
    grades = tuple(e.grade or "ground" for e in edges)
    return RoadNetwork(
        node_osm_id=osm,
        node_lon=np.asarray([n.lon for n in nodes], dtype=np.float64),
        node_lat=np.asarray([n.lat for n in nodes], dtype=np.float64),
        edge_u=np.asarray([index[e.u_osm_id] for e in edges], dtype=np.int64),
        edge_v=np.asarray([index[e.v_osm_id] for e in edges], dtype=np.int64),
        edge_length_m=np.asarray([e.length_m for e in edges], dtype=np.float64),
        edge_speed_kph=np.asarray([e.speed_kph for e in edges], dtype=np.float64),
        edge_highway=tuple(e.highway for e in edges),
        edge_way_id=np.asarray([e.way_id for e in edges], dtype=np.int64),
        edge_oneway=np.asarray([e.oneway for e in edges], dtype=bool),
        edge_speed_tagged=np.asarray([e.speed_tagged for e in edges], dtype=bool),
        edge_geometry=tuple(np.asarray(shapely.get_coordinates(g)) for g in geoms),
        edge_grade=grades if any(g != "ground" for g in grades) else (),
    )

