from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import multi_source_reach
from bastion.algorithms.routing import travel_time_matrix
from bastion.kernel.errors import InvalidInput
from tests.algorithms.routing.routing_netgen import grid_network
from tests.algorithms.routing.routing_netgen import street_network


def nx_reference(g) -> nx.DiGraph:
    """Plain Dijkstra reference: every graph edge, fastest of parallels."""
    G = nx.DiGraph()
    G.add_nodes_from(range(g.n_nodes))
    for u, v, t in zip(g.edge_u, g.edge_v, g.edge_time_s, strict=True):
        if not G.has_edge(u, v) or G[u][v]["weight"] > t:
            G.add_edge(int(u), int(v), weight=float(t))
    return G


def ref_matrix(G: nx.DiGraph, sources, targets) -> np.ndarray:
    out = np.full((len(sources), len(targets)), np.inf)
    for i, s in enumerate(sources):
        d = nx.single_source_dijkstra_path_length(G, int(s), weight="weight")
        out[i] = [d.get(int(t), np.inf) for t in targets]
    return out


@settings(max_examples=15, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n_src=st.integers(1, 12), n_tgt=st.integers(1, 12))
def test_matrix_equals_networkx_dijkstra(seed, n_src, n_tgt):
    rng = np.random.default_rng(seed)
    g = build_graph(grid_network(7, 5, rng, p_oneway=0.3))
    src = rng.integers(0, g.n_nodes, n_src)
    tgt = rng.integers(0, g.n_nodes, n_tgt)
    ours = travel_time_matrix(g, src, tgt)
    ref = ref_matrix(nx_reference(g), src, tgt)
    assert np.all(np.isfinite(ours))  # LSCC: everything reachable
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)
    assert np.array_equal(np.round(ours), np.round(ref))


def test_limit_cuts_exactly_at_the_bound():
    rng = np.random.default_rng(7)
    g = build_graph(grid_network(9, 9, rng))
    src = np.arange(0, g.n_nodes, 7)
    tgt = np.arange(g.n_nodes)
    full = travel_time_matrix(g, src, tgt)
    lim = float(np.median(full))
    cut = travel_time_matrix(g, src, tgt, limit_s=lim)
    inside = full <= lim
    np.testing.assert_array_equal(cut[inside], full[inside])
    assert np.all(np.isinf(cut[~inside]))


def test_backward_search_gives_the_same_matrix():
    rng = np.random.default_rng(11)
    g = build_graph(grid_network(8, 8, rng, p_oneway=0.4))
    src = rng.integers(0, g.n_nodes, 30)  # more sources than targets -> runs on the transpose
    tgt = rng.integers(0, g.n_nodes, 4)
    backward = travel_time_matrix(g, src, tgt)
    forward = travel_time_matrix(g, src, np.arange(g.n_nodes))[:, tgt]  # 30 sources < n targets: forward
    np.testing.assert_allclose(backward, forward, rtol=0, atol=1e-9)  # same paths, summed in another order
    np.testing.assert_allclose(backward, ref_matrix(nx_reference(g), src, tgt), rtol=0, atol=1e-9)


def test_multi_source_reach_is_the_row_minimum():
    rng = np.random.default_rng(5)
    g = build_graph(grid_network(8, 7, rng))
    src = np.array([3, 17, 40, 17])
    m = travel_time_matrix(g, src, np.arange(g.n_nodes))
    r = multi_source_reach(g, src, limit_s=120.0)
    best = m.min(axis=0)
    within = best <= 120.0
    np.testing.assert_allclose(r.time_s[within], best[within])
    assert np.all(np.isinf(r.time_s[~within])) and np.all(r.source[~within] == -1)
    # the reported source reaches the node in the reported time
    np.testing.assert_allclose(m[r.source[within], np.flatnonzero(within)], r.time_s[within])
    rev = multi_source_reach(g, src, reverse=True)
    np.testing.assert_allclose(rev.time_s, travel_time_matrix(g, np.arange(g.n_nodes), src).min(axis=1))


def test_bad_node_indices_are_rejected():
    g = build_graph(grid_network(3, 3, np.random.default_rng(0), p_oneway=0.0))
    with pytest.raises(InvalidInput, match="sources"):
        travel_time_matrix(g, [-1], [0])
    with pytest.raises(InvalidInput, match="targets"):
        travel_time_matrix(g, [0], [g.n_nodes])
    with pytest.raises(InvalidInput, match="limit_s"):
        travel_time_matrix(g, [0], [1], limit_s=0)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=st.integers(0, 10_000), n_src=st.integers(1, 40), n_tgt=st.integers(1, 40),
       limit=st.sampled_from([None, 30.0, 90.0]))
def test_contracted_matrix_equals_networkx_on_chains_and_dead_ends(seed, n_src, n_tgt, limit):
    rng = np.random.default_rng(seed)
    g = build_graph(street_network(5, 4, rng))
    src = rng.integers(0, g.n_nodes, n_src)
    tgt = rng.integers(0, g.n_nodes, n_tgt)
    ref = ref_matrix(nx_reference(g), src, tgt)
    if limit is not None:
        ref[ref > limit] = np.inf
    for flag in (True, False):
        ours = travel_time_matrix(g, src, tgt, limit_s=limit, use_hierarchy=flag)
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-9)


def test_hierarchy_shrinks_the_core():
    g = build_graph(street_network(6, 6, np.random.default_rng(1)))
    h = g.hierarchy
    assert len(h.core) < 0.3 * g.n_nodes  # chains, dead ends and most junctions are eliminated
    assert g.hierarchy is h  # cached
