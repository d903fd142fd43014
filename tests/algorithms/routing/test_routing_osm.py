"""Routing on the real Monaco extract: profiles, LSCC, isochrones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely

from bastion.algorithms.routing import FOOT
from bastion.algorithms.routing import PATROL_CAR
from bastion.algorithms.routing import Snapper
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import isochrones
from bastion.algorithms.routing import multi_source_reach
from bastion.regions.osm import read_extract

MONACO = Path(__file__).resolve().parents[3] / "data" / "osm" / "monaco-2023-12.osm.pbf"


@pytest.fixture(scope="module")
def monaco():
    return read_extract(MONACO)


def test_profiles_on_monaco(monaco):
    car = build_graph(monaco.roads, PATROL_CAR)
    foot = build_graph(monaco.roads, FOOT)
    # the extract is clipped at the French border: one-way stubs leaving Monaco fall out of the LSCC
    assert 0.8 * monaco.roads.n_nodes < car.n_nodes <= monaco.roads.n_nodes
    assert foot.n_nodes >= car.n_nodes  # walking ignores one-way streets: nothing is cut off
    assert foot.csr.nnz > car.csr.nnz


def test_isochrones_from_a_police_station(monaco):
    g = build_graph(monaco.roads)
    station = next(s for s in monaco.sites if s.kind == "police")
    node = Snapper(g).snap([station.lon], [station.lat]).node
    assert node[0] >= 0
    rings = isochrones(g, monaco.roads, node, limits_s=(60, 180, 300))
    areas = [r.area_m2 for r in rings]
    assert areas[0] < areas[1] < areas[2]
    assert rings[0].n_nodes_reached < rings[1].n_nodes_reached <= rings[2].n_nodes_reached
    for small, big in zip(rings[:-1], rings[1:], strict=True):
        assert big.polygon.buffer(1e-6).contains(small.polygon)
    reach = multi_source_reach(g, node, limit_s=60)
    inside = np.flatnonzero(np.isfinite(reach.time_s))
    pts = shapely.points(g.node_lon[inside], g.node_lat[inside])
    assert shapely.contains(rings[0].polygon.buffer(1e-6), pts).all()  # every node reached in 1 min is in the ring
