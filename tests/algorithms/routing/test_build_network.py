"""Simplified road network: ways split at shared nodes, directions, lengths."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.algorithms.routing.build import RawWay
from bastion.algorithms.routing.build import build_network
from bastion.algorithms.routing.speeds import is_drivable
from bastion.algorithms.routing.speeds import oneway_direction
from bastion.algorithms.routing.speeds import parse_maxspeed


def way(wid: int, ids: list[int], lons: list[float], lats: list[float], oneway: int = 0) -> RawWay:
    return RawWay(wid, np.array(ids), np.array(lons, dtype=float), np.array(lats, dtype=float), "residential",
                  30.0, False, oneway)


def test_split_at_shared_node_and_directions() -> None:
    # A: 1-2-3 (two-way), B: 2-4 (one-way 2->4). Node 2 is shared -> nodes 1,2,3,4; edges: 1<->2, 2<->3, 2->4.
    a = way(10, [1, 2, 3], [7.0, 7.001, 7.002], [43.0, 43.0, 43.0])
    b = way(11, [2, 4], [7.001, 7.001], [43.0, 43.001], oneway=1)
    net = build_network([a, b])
    assert list(net.node_osm_id) == [1, 2, 3, 4]
    pairs = sorted(
        (int(net.node_osm_id[u]), int(net.node_osm_id[v])) for u, v in zip(net.edge_u, net.edge_v, strict=True)
    )
    assert pairs == [(1, 2), (2, 1), (2, 3), (2, 4), (3, 2)]
    # 0.001° of longitude at 43°N is about 81.4 m (WGS84)
    e12 = next(
        i for i in range(net.n_edges) if (net.node_osm_id[net.edge_u[i]], net.node_osm_id[net.edge_v[i]]) == (1, 2)
    )
    assert net.edge_length_m[e12] == pytest.approx(81.4, abs=0.3)
    assert net.edge_travel_time_s()[e12] == pytest.approx(net.edge_length_m[e12] / (30 / 3.6))


def test_intermediate_vertices_kept_in_geometry() -> None:
    a = way(1, [1, 2, 3, 4], [7.0, 7.001, 7.002, 7.003], [43.0, 43.0005, 43.0, 43.0])
    net = build_network([a])
    assert net.n_nodes == 2 and net.n_edges == 2
    assert [len(g) for g in net.edge_geometry] == [4, 4]
    assert np.allclose(net.edge_geometry[0][::-1], net.edge_geometry[1])


def test_reverse_oneway() -> None:
    net = build_network([way(1, [1, 2], [7.0, 7.001], [43.0, 43.0], oneway=-1)])
    assert net.n_edges == 1 and net.node_osm_id[net.edge_u[0]] == 2


def test_speeds_and_flags() -> None:
    assert parse_maxspeed("50") == 50
    assert parse_maxspeed("30 mph") == pytest.approx(48.28, abs=0.01)
    assert parse_maxspeed("FR:urban") == 50
    assert parse_maxspeed("DE:zone30") == 30
    assert parse_maxspeed("none") is None and parse_maxspeed("signals") is None
    assert oneway_direction({"junction": "roundabout"}) == 1
    assert oneway_direction({"oneway": "-1"}) == -1
    assert oneway_direction({"highway": "motorway", "oneway": "no"}) == 0
    assert is_drivable({"highway": "service", "access": "private"})
    assert not is_drivable({"highway": "footway"})
    assert not is_drivable({"highway": "residential", "motor_vehicle": "no"})
