"""Synthetic road networks for routing tests (imported by test modules; unique name on purpose)."""

from __future__ import annotations

import numpy as np

from bastion.algorithms.routing.network import RoadNetwork

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


def grid_network(
    nx: int, ny: int, rng: np.random.Generator, *, spacing_m: float = 100.0, p_oneway: float = 0.2
) -> RoadNetwork:
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


def street_network(nx: int, ny: int, rng: np.random.Generator, *, p_oneway: float = 0.25) -> RoadNetwork:
    """A grid whose streets are split into chains of degree-2 nodes (some one-way), with dead-end
    trees (cul-de-sacs, branching driveways) and loops hanging off: the shapes contraction must handle."""
    m_per_deg_lon = M_PER_DEG_LAT * np.cos(np.radians(LAT0))
    pts = [(LON0 + i * 100.0 / m_per_deg_lon, LAT0 + j * 100.0 / M_PER_DEG_LAT) for j in range(ny) for i in range(nx)]

    def new_node(near: int) -> int:
        lon, lat = pts[near]
        pts.append((lon + float(rng.normal(0, 2e-4)), lat + float(rng.normal(0, 2e-4))))
        return len(pts) - 1

    def speed() -> float:
        return float(rng.choice([10.0, 20.0, 30.0, 50.0]))

    edges: list[tuple[int, int, float, float, str, bool]] = []
    for j in range(ny):
        for i in range(nx):
            a = j * nx + i
            for b in ([a + 1] if i + 1 < nx else []) + ([a + nx] if j + 1 < ny else []):
                oneway = bool(rng.random() < p_oneway)
                if oneway and rng.random() < 0.5:
                    a, b = b, a
                k = int(rng.integers(1, 4))  # pieces
                chain = [a] + [new_node(a) for _ in range(k - 1)] + [b]
                for p_, q_ in zip(chain[:-1], chain[1:], strict=True):
                    edges.append((p_, q_, float(rng.uniform(20, 80)), speed(), "residential", oneway))
                a = j * nx + i
    n_grid = nx * ny
    for _ in range(n_grid // 2):  # dead-end trees
        root = int(rng.integers(0, len(pts)))
        frontier = [root]
        for _ in range(int(rng.integers(1, 5))):
            parent = frontier[int(rng.integers(0, len(frontier)))]
            child = new_node(parent)
            edges.append((parent, child, float(rng.uniform(10, 60)), speed(), "service", False))
            frontier.append(child)
    for _ in range(max(1, n_grid // 8)):  # loops hanging off one node
        root = int(rng.integers(0, n_grid))
        ring = [root] + [new_node(root) for _ in range(int(rng.integers(2, 4)))] + [root]
        oneway = bool(rng.random() < 0.5)
        for p_, q_ in zip(ring[:-1], ring[1:], strict=True):
            edges.append((p_, q_, float(rng.uniform(10, 50)), speed(), "service", oneway))
    return make_network(pts, edges)
