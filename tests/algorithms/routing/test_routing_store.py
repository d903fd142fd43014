"""Routing state as arrays (the disk cache's format) and the dispatch query, on hand cases and real Monaco."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.algorithms.routing import FOOT
from bastion.algorithms.routing import PATROL_CAR
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import hierarchy_distances
from bastion.algorithms.routing import nearest_sources
from bastion.algorithms.routing import store
from bastion.algorithms.routing import travel_time_matrix
from bastion.kernel.errors import InvalidInput
from bastion.regions.osm import read_extract
from tests.algorithms.routing.routing_netgen import make_network
from tests.conftest import MONACO


@pytest.fixture(scope="module")
def monaco_net():
    return read_extract(MONACO).roads


def test_network_round_trip_keeps_every_column(monaco_net):
    back = store.network_from_arrays(store.network_to_arrays(monaco_net))
    for name in ("node_osm_id", "node_lon", "node_lat", "edge_u", "edge_v", "edge_length_m", "edge_speed_kph",
                 "edge_way_id", "edge_oneway", "edge_speed_tagged"):
        assert np.array_equal(getattr(back, name), getattr(monaco_net, name)), name
    assert back.edge_highway == monaco_net.edge_highway
    assert back.edge_grade == monaco_net.edge_grade
    assert len(back.edge_geometry) == monaco_net.n_edges
    assert all(np.array_equal(a, b) for a, b in zip(back.edge_geometry, monaco_net.edge_geometry, strict=True))


@pytest.mark.parametrize("profile", [PATROL_CAR, FOOT])
def test_graph_and_hierarchy_round_trip_give_the_same_times(monaco_net, profile):
    g = build_graph(monaco_net, profile)
    back = store.graph_from_arrays(store.graph_to_arrays(g), profile)
    assert (back.csr != g.csr).nnz == 0
    h = store.hierarchy_from_arrays(store.hierarchy_to_arrays(g.hierarchy))
    roots = np.arange(0, g.n_nodes, 37)
    assert np.array_equal(hierarchy_distances(h, roots), hierarchy_distances(g.hierarchy, roots))
    assert np.array_equal(travel_time_matrix(back, roots, roots), travel_time_matrix(g, roots, roots))


def test_graph_arrays_refuse_another_profile(monaco_net):
    arrays = store.graph_to_arrays(build_graph(monaco_net, PATROL_CAR))
    with pytest.raises(InvalidInput, match="profile 'patrol_car', not 'foot'"):
        store.graph_from_arrays(arrays, FOOT)
    del arrays["csr_indptr"]
    with pytest.raises(InvalidInput, match="csr_indptr"):
        store.graph_from_arrays(arrays, PATROL_CAR)


def test_nearest_sources_by_hand():
    # a line 0 - 1 - 2 - 3 - 4, 100 m links, two-way, 36 km/h = 10 m/s: 10 s per link
    net = make_network([(0.001 * i, 0.0) for i in range(5)],
                       [(i, i + 1, 100.0, 36.0, "residential", False) for i in range(4)])
    g = build_graph(net, PATROL_CAR)
    graph_of = {int(n): i for i, n in enumerate(g.node_net)}
    units = [graph_of[0], graph_of[4], graph_of[3], graph_of[3]]
    near = nearest_sources(g, units, graph_of[2], k=3)
    # unit 2 and 3 (both at node 3) are 10 s away; ties keep their order; unit 0 and 1 are 20 s away
    assert near.position.tolist() == [2, 3, 0]
    assert near.time_s.tolist() == pytest.approx([10.0, 10.0, 20.0])
    near = nearest_sources(g, units, graph_of[2], k=5, limit_s=15)
    assert near.position.tolist() == [2, 3]
    with pytest.raises(InvalidInput, match="k must be >= 1"):
        nearest_sources(g, units, graph_of[2], k=0)


def test_nearest_sources_agree_with_the_matrix_on_monaco(monaco_net):
    g = build_graph(monaco_net, PATROL_CAR)
    rng = np.random.default_rng(7)
    units = rng.choice(g.n_nodes, 25, replace=False)
    for target in rng.choice(g.n_nodes, 10, replace=False):
        col = travel_time_matrix(g, units, [target])[:, 0]
        near = nearest_sources(g, units, int(target), k=4)
        assert near.time_s.tolist() == pytest.approx(np.sort(col)[:4].tolist())
        assert np.allclose(col[near.position], near.time_s)
