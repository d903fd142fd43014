from __future__ import annotations

import numpy as np
import pytest

from bastion.algorithms.routing import FOOT
from bastion.algorithms.routing import MOTORCYCLE
from bastion.algorithms.routing import PATROL_CAR
from bastion.algorithms.routing import RoadSpeedProfile
from bastion.algorithms.routing import build_graph
from bastion.kernel.errors import InvalidInput
from tests.algorithms.routing.routing_netgen import LAT0
from tests.algorithms.routing.routing_netgen import LON0
from tests.algorithms.routing.routing_netgen import grid_network
from tests.algorithms.routing.routing_netgen import make_network

PTS = [(LON0 + 0.001 * i, LAT0) for i in range(6)]


def hand_network():
    # 0<->1 two-way 100 m @36 km/h = 10 s; 1->2 one-way 200 m @72 = 10 s; 2->0 one-way 50 m @18 = 10 s;
    # 2->3 one-way dead end (not strongly connected); 4<->5 an island; a slower parallel 0->1 edge.
    return make_network(
        PTS,
        [
            (0, 1, 100.0, 36.0, "residential", False),
            (1, 2, 200.0, 72.0, "primary", True),
            (2, 0, 50.0, 18.0, "living_street", True),
            (2, 3, 30.0, 36.0, "service", True),
            (4, 5, 100.0, 36.0, "residential", False),
            (0, 1, 100.0, 18.0, "service", True),
        ],
    )


def test_lscc_and_travel_times_by_hand():
    g = build_graph(hand_network(), PATROL_CAR)
    assert g.n_nodes == 3
    assert list(g.node_net) == [0, 1, 2]
    assert list(g.net_to_graph) == [0, 1, 2, -1, -1, -1]
    dense = g.csr.toarray()
    assert dense[0, 1] == pytest.approx(10.0)  # the faster of the two parallel edges
    assert dense[1, 0] == pytest.approx(10.0)
    assert dense[1, 2] == pytest.approx(10.0)
    assert dense[2, 0] == pytest.approx(10.0)
    assert dense[2, 1] == 0.0 and dense[0, 2] == 0.0  # no such edges


def test_foot_ignores_oneway_and_walks_at_one_speed():
    g = build_graph(hand_network(), FOOT)
    # the dead end 3 becomes reachable both ways; the island stays out
    assert list(g.node_net) == [0, 1, 2, 3]
    dense = g.csr.toarray()
    walk = 5.0 / 3.6
    assert dense[2, 1] == pytest.approx(200.0 / walk)  # one-way 1->2 walked backwards
    assert dense[3, 2] == pytest.approx(30.0 / walk)
    assert dense[0, 1] == pytest.approx(100.0 / walk)


def test_foot_excludes_motorways():
    net = make_network(
        PTS[:3],
        [(0, 1, 100.0, 100.0, "motorway", False), (1, 2, 100.0, 30.0, "residential", False)],
    )
    g = build_graph(net, FOOT)
    assert list(g.node_net) == [1, 2]
    assert build_graph(net, PATROL_CAR).n_nodes == 3


def test_profile_overrides_untagged_class_speed_and_factor():
    net = hand_network()
    g = build_graph(net, MOTORCYCLE)
    assert g.csr.toarray()[2, 0] == pytest.approx(50.0 / (15.0 / 3.6))  # living_street default 15 km/h
    fast = RoadSpeedProfile(name="fast", speed_factor=2.0, max_speed_kph=100.0)
    d = build_graph(net, fast).csr.toarray()
    assert d[0, 1] == pytest.approx(100.0 / (72.0 / 3.6))
    assert d[1, 2] == pytest.approx(200.0 / (100.0 / 3.6))  # 144 km/h capped at 100


def test_invalid_profile_and_network_rejected():
    with pytest.raises(InvalidInput, match="speed_factor"):
        RoadSpeedProfile(name="x", speed_factor=0.0)
    with pytest.raises(InvalidInput, match="class_speed_kph"):
        RoadSpeedProfile(name="x", class_speed_kph={"residential": -1.0})
    net = make_network(PTS[:2], [(0, 1, 10.0, 30.0, "motorway", False)])
    with pytest.raises(InvalidInput, match="no edge"):
        build_graph(net, FOOT)


def test_grid_graph_is_strongly_connected():
    net = grid_network(8, 6, np.random.default_rng(3))
    g = build_graph(net)
    from scipy.sparse.csgraph import connected_components

    assert connected_components(g.csr, directed=True, connection="strong")[0] == 1
    assert g.n_nodes <= net.n_nodes
