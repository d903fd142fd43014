"""Helpers: tiny road networks drawn in metres around a fixed centre, converted to lon/lat."""

from __future__ import annotations

import numpy as np

from bastion.algorithms.routing.network import RoadNetwork
from bastion.kernel.geo import LocalProjection

PROJ = LocalProjection(7.42, 43.73)


def lonlat(xy: list[tuple[float, float]] | np.ndarray) -> np.ndarray:
    a = np.asarray(xy, dtype=float)
    lon, lat = PROJ.to_lonlat(a[:, 0], a[:, 1])
    return np.column_stack((lon, lat))


def make_roads(nodes: dict[int, tuple[float, float]], ways: list[tuple[list[int], bool]],
               shapes: dict[tuple[int, int], list[tuple[float, float]]] | None = None,
               grades: dict[int, str] | None = None) -> RoadNetwork:
    """ways: (node sequence, oneway). Each consecutive pair is an edge; shapes add interior vertices (metres);
    grades: way index -> grade (tunnel, bridge, ...; others at ground level)."""
    shapes = shapes or {}
    grades = grades or {}
    ids = sorted(nodes)
    idx = {n: i for i, n in enumerate(ids)}
    xy = np.array([nodes[n] for n in ids], dtype=float)
    ll = lonlat(xy)
    eu, ev, geo, ow, wid, gr = [], [], [], [], [], []
    for w, (seq, oneway) in enumerate(ways):
        for a, b in zip(seq[:-1], seq[1:], strict=True):
            mid = shapes.get((a, b))
            pts = [nodes[a], *(mid or []), nodes[b]]
            dirs = [(a, b, pts)] if oneway else [(a, b, pts), (b, a, pts[::-1])]
            for u, v, p in dirs:
                eu.append(idx[u])
                ev.append(idx[v])
                geo.append(lonlat(p))
                ow.append(oneway)
                wid.append(100 + w)
                gr.append(grades.get(w, "ground"))
    m = len(eu)
    # lengths in metres along the geometry (projected: exact enough for tests)
    lens = []
    for g in geo:
        x, y = PROJ.to_xy(g[:, 0], g[:, 1])
        lens.append(float(np.sum(np.hypot(np.diff(x), np.diff(y)))))
    return RoadNetwork(
        node_osm_id=np.array(ids, dtype=np.int64), node_lon=ll[:, 0], node_lat=ll[:, 1],
        edge_u=np.array(eu, dtype=np.int64), edge_v=np.array(ev, dtype=np.int64),
        edge_length_m=np.array(lens), edge_speed_kph=np.full(m, 50.0), edge_highway=("residential",) * m,
        edge_way_id=np.array(wid, dtype=np.int64), edge_oneway=np.array(ow, dtype=bool),
        edge_speed_tagged=np.zeros(m, dtype=bool), edge_geometry=tuple(geo),
        edge_grade=tuple(gr) if grades else (),
    )


