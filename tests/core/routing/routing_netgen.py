"""Synthetic road networks for routing tests (imported by test modules; unique name on purpose)."""

from __future__ import annotations

import numpy as np
from bastion.core.routing.network import RoadNetwork

LON0, LAT0 = 1.52, 42.51  # Andorra la Vella
M_PER_DEG_LAT = 111_320.0


def make_network(
    lonlat: list[tuple[float, float]],
    edges: list[tuple[int, int, float, float, str, bool]],
) -> RoadNetwork:
    """edges: (u, v, length_m, speed_kph, highway, oneway); two-way edges are listed once and doubled."""
    eu, ev, el, es, eh, eo, eg = [], [], [], [], [], [], []
    for u, v, length, speed, hw, oneway in edges:
        pairs = [(u, v)] if oneway else [(u, v), (v, u)]
        for a, b in pairs:
            eu.append(a)
            ev.append(b)
            el.append(length)
            es.append(speed)
            eh.append(hw)
            eo.append(oneway)
            eg.append(np.array([lonlat[a], lonlat[b]], dtype=np.float64))
    n = len(lonlat)
    return RoadNetwork(
        node_osm_id=np.arange(1, n + 1, dtype=np.int64),
        node_lon=np.array([p[0] for p in lonlat], dtype=np.float64),
        node_lat=np.array([p[1] for p in lonlat], dtype=np.float64),
        edge_u=np.array(eu, dtype=np.int64),
        edge_v=np.array(ev, dtype=np.int64),
        edge_length_m=np.array(el, dtype=np.float64),
        edge_speed_kph=np.array(es, dtype=np.float64),
        edge_highway=tuple(eh),
        edge_way_id=np.arange(len(eu), dtype=np.int64),
        edge_oneway=np.array(eo, dtype=bool),
        edge_speed_tagged=np.zeros(len(eu), dtype=bool),
        edge_geometry=tuple(eg),
    )


def grid_network(nx: int, ny: int, rng: np.random.Generator, *, spacing_m: float = 100.0, p_oneway: float = 0.2) -> RoadNetwork:
    """A jittered grid street network: random speeds 20-60 km/h, some one-way streets."""
    m_per_deg_lon = M_PER_DEG_LAT * np.cos(np.radians(LAT0))
    lonlat = [
        (LON0 + i * spacing_m / m_per_deg_lon, LAT0 + j * spacing_m / M_PER_DEG_LAT)
        for j in range(ny) for i in range(nx)
    ]
    edges = []
    for j in range(ny):
        for i in range(nx):
            a = j * nx + i
            for b in ([a + 1] if i + 1 < nx else []) + ([a + nx] if j + 1 < ny else []):
                length = spacing_m * float(rng.uniform(1.0, 1.4))
                speed = float(rng.choice([20.0, 30.0, 50.0, 60.0]))
                oneway = bool(rng.random() < p_oneway)
                if oneway and rng.random() < 0.5:
                    a2, b2 = b, a
                else:
                    a2, b2 = a, b
                edges.append((a2, b2, length, speed, "residential", oneway))
    return make_network(lonlat, edges)
