"""Build a simplified directed RoadNetwork from drivable OSM ways (pure: plain arrays in, arrays out).

A way is split at every node shared with another way (or visited twice) and at its ends; each piece
becomes one edge (two for a two-way road) carrying its full geometry. Lengths are WGS84 geodesic
distances summed over the vertices (pyproj.Geod).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyproj import Geod

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.routing.network import RoadNetwork

_GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class RawWay:
    way_id: int
    node_ids: IntArray
    lon: FloatArray
    lat: FloatArray
    highway: str
    speed_kph: float
    speed_tagged: bool
    oneway: int  # +1 along, -1 against, 0 both
    grade: str = "ground"  # grade separation from tunnel/bridge/covered/layer tags (vehicle.grade.road_grade)


def build_network(ways: Sequence[RawWay]) -> RoadNetwork:
    ways = [w for w in ways if len(w.node_ids) >= 2]
    if not ways:
        empty_i = np.zeros(0, dtype=np.int64)
        empty_f = np.zeros(0, dtype=np.float64)
        return RoadNetwork(
            empty_i, empty_f, empty_f, empty_i, empty_i, empty_f, empty_f, (), empty_i,
            np.zeros(0, dtype=bool), np.zeros(0, dtype=bool), (),
        )
    all_ids = np.concatenate([w.node_ids for w in ways])
    all_lon = np.concatenate([w.lon for w in ways])
    all_lat = np.concatenate([w.lat for w in ways])
    uniq, counts = np.unique(all_ids, return_counts=True)
    split = counts >= 2
    ends = np.concatenate([[w.node_ids[0], w.node_ids[-1]] for w in ways])
    split[np.searchsorted(uniq, ends)] = True
    is_split_all = split[np.searchsorted(uniq, all_ids)]
    # per-vertex step lengths; the first vertex of each way gets 0
    _, _, step = _GEOD.inv(all_lon[:-1], all_lat[:-1], all_lon[1:], all_lat[1:])
    step = np.concatenate([[0.0], np.asarray(step, dtype=np.float64)])
    offsets = np.cumsum([0] + [len(w.node_ids) for w in ways])
    step[offsets[:-1]] = 0.0
    cum = np.cumsum(step)

    split_ids = uniq[split]
    node_index = {int(n): i for i, n in enumerate(split_ids)}
    node_lon = np.zeros(len(split_ids))
    node_lat = np.zeros(len(split_ids))
    sel = np.flatnonzero(is_split_all)
    pos = np.searchsorted(split_ids, all_ids[sel])
    node_lon[pos] = all_lon[sel]
    node_lat[pos] = all_lat[sel]

    eu: list[int] = []
    ev: list[int] = []
    elen: list[float] = []
    espeed: list[float] = []
    ehw: list[str] = []
    eway: list[int] = []
    eow: list[bool] = []
    etag: list[bool] = []
    egeom: list[FloatArray] = []
    egrade: list[str] = []
    for k, w in enumerate(ways):
        a0 = int(offsets[k])
        local = np.flatnonzero(is_split_all[a0 : int(offsets[k + 1])])
        for i, j in zip(local[:-1], local[1:], strict=True):
            length = float(cum[a0 + j] - cum[a0 + i])
            if length <= 0.0:
                continue
            u = node_index[int(w.node_ids[i])]
            v = node_index[int(w.node_ids[j])]
            geom = np.column_stack([w.lon[i : j + 1], w.lat[i : j + 1]])
            directions = ((u, v, geom),) if w.oneway == 1 else ((v, u, geom[::-1]),) if w.oneway == -1 else (
                (u, v, geom), (v, u, geom[::-1])
            )
            for a, b, g in directions:
                eu.append(a)
                ev.append(b)
                elen.append(length)
                espeed.append(w.speed_kph)
                ehw.append(w.highway)
                eway.append(w.way_id)
                eow.append(w.oneway != 0)
                etag.append(w.speed_tagged)
                egeom.append(np.ascontiguousarray(g))
                egrade.append(w.grade)
    return RoadNetwork(
        node_osm_id=split_ids.astype(np.int64),
        node_lon=node_lon,
        node_lat=node_lat,
        edge_u=np.asarray(eu, dtype=np.int64),
        edge_v=np.asarray(ev, dtype=np.int64),
        edge_length_m=np.asarray(elen, dtype=np.float64),
        edge_speed_kph=np.asarray(espeed, dtype=np.float64),
        edge_highway=tuple(ehw),
        edge_way_id=np.asarray(eway, dtype=np.int64),
        edge_oneway=np.asarray(eow, dtype=bool),
        edge_speed_tagged=np.asarray(etag, dtype=bool),
        edge_geometry=tuple(egeom),
        edge_grade=tuple(egrade) if any(g != "ground" for g in egrade) else (),
    )
