"""Directed, turn-free routing graph built from a RoadNetwork and a per-vehicle speed profile.

Model (see docs/models/routing.md):
- one graph edge per directed road edge; weight = length_m / speed (seconds); no turn costs, no
  traffic signals, no congestion (free flow);
- the speed of an edge comes from the vehicle's RoadSpeedProfile (tagged maxspeed or per-class default,
  times a factor, capped);
- ``foot`` ignores one-way restrictions (a one-way edge also yields its reverse) and walks at one speed;
- parallel edges keep the fastest; only the largest strongly connected component (LSCC) is kept, so
  that every kept node can reach and be reached from every other.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from functools import cached_property

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import connected_components

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.routing._sparse import csr_min_weight
from bastion.algorithms.routing.hierarchy import Hierarchy
from bastion.algorithms.routing.hierarchy import build_hierarchy
from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.routing.profiles import FOOT as FOOT
from bastion.algorithms.routing.profiles import MOTORCYCLE as MOTORCYCLE
from bastion.algorithms.routing.profiles import PATROL_CAR as PATROL_CAR
from bastion.algorithms.routing.profiles import PROFILES as PROFILES
from bastion.algorithms.routing.profiles import RoadSpeedProfile as RoadSpeedProfile
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)


def edge_speeds_kph(network: RoadNetwork, profile: RoadSpeedProfile) -> FloatArray:
    """Speed of every network edge for this profile, km/h (NaN where the class is excluded)."""
    m = network.n_edges
    highway = np.asarray(network.edge_highway, dtype=object)
    if profile.walking_speed_kph is not None:
        speed = np.full(m, float(profile.walking_speed_kph))
    else:
        speed = network.edge_speed_kph.astype(np.float64).copy()
        if profile.class_speed_kph:
            override = np.array([profile.class_speed_kph.get(h, np.nan) for h in highway], dtype=np.float64)
            use = ~np.isnan(override)
            if profile.use_maxspeed:
                use &= ~network.edge_speed_tagged
            speed[use] = override[use]
        speed = np.minimum(speed * profile.speed_factor, profile.max_speed_kph)
    if profile.excluded_highways and m:
        excluded = np.isin(highway, list(profile.excluded_highways))
        speed[excluded] = np.nan
    return speed


@dataclass(frozen=True)
class RoutingGraph:
    """The LSCC of a RoadNetwork as a CSR graph of travel times (seconds). Node ids are 0..n-1."""

    profile: RoadSpeedProfile
    csr: csr_array = field(repr=False)  # (n, n) travel time seconds, fastest of parallel edges
    node_net: IntArray = field(repr=False)  # (n,) RoadNetwork node index of each graph node
    net_to_graph: IntArray = field(repr=False)  # (N,) graph node of each network node, -1 if dropped
    node_lon: FloatArray = field(repr=False)
    node_lat: FloatArray = field(repr=False)
    edge_u: IntArray = field(repr=False)  # (e,) graph edges (before parallel-edge dedup)
    edge_v: IntArray = field(repr=False)
    edge_time_s: FloatArray = field(repr=False)
    edge_net: IntArray = field(repr=False)  # (e,) RoadNetwork edge the graph edge comes from
    edge_reversed: BoolArray = field(repr=False)  # (e,) True: traversed against its geometry (foot)
    # Where the hierarchies come from: called with reverse=False/True on first use. None = built here. The routing
    # cache (bastion.regions.graphs) passes a function that reads them from disk or builds and keeps them.
    hierarchy_source: Callable[[RoutingGraph, bool], Hierarchy] | None = field(default=None, repr=False, compare=False)

    @property
    def n_nodes(self) -> int:
        return len(self.node_net)

    @property
    def n_edges(self) -> int:
        return len(self.edge_u)

    @cached_property
    def hierarchy(self) -> Hierarchy:
        """Node-elimination hierarchy for many-source searches (built on first use, then cached)."""
        if self.hierarchy_source is not None:
            return self.hierarchy_source(self, False)
        return build_hierarchy(self.csr)

    @cached_property
    def csr_reverse(self) -> csr_array:
        """The transposed graph (edge u->v becomes v->u): one search from a target gives every node's time TO it."""
        return csr_array(self.csr.T.tocsr())

    @cached_property
    def hierarchy_reverse(self) -> Hierarchy:
        """The same on the transposed graph (searches towards a node)."""
        if self.hierarchy_source is not None:
            return self.hierarchy_source(self, True)
        return build_hierarchy(self.csr_reverse)


def build_graph(network: RoadNetwork, profile: RoadSpeedProfile = PATROL_CAR) -> RoutingGraph:
    """Directed travel-time graph of ``network`` for ``profile``, restricted to its LSCC."""
    if network.n_nodes == 0 or network.n_edges == 0:
        raise InvalidInput("network must have at least one node and one edge; import a non-empty extract")
    speed = edge_speeds_kph(network, profile)
    usable = ~np.isnan(speed)
    idx = np.flatnonzero(usable)
    t = network.edge_length_m[idx] / (speed[idx] / 3.6)
    u, v = network.edge_u[idx], network.edge_v[idx]
    rev = np.zeros(len(idx), dtype=bool)
    if profile.ignore_oneway:
        ow = network.edge_oneway[idx]
        u = np.concatenate([u, v[ow]])
        v = np.concatenate([v, network.edge_u[idx][ow]])
        t = np.concatenate([t, t[ow]])
        idx = np.concatenate([idx, idx[ow]])
        rev = np.concatenate([rev, np.ones(int(ow.sum()), dtype=bool)])
    loop = u == v
    u, v, t, idx, rev = u[~loop], v[~loop], t[~loop], idx[~loop], rev[~loop]
    if len(u) == 0:
        raise InvalidInput(f"profile {profile.name!r} can use no edge of this network; check excluded_highways")

    n_all = network.n_nodes
    full = csr_min_weight(u, v, t, n_all)
    n_comp, label = connected_components(full, directed=True, connection="strong")
    sizes = np.bincount(label, minlength=n_comp)
    # isolated nodes are singleton components; pick the biggest that has edges
    big = int(np.argmax(sizes))
    keep = label == big
    node_net = np.flatnonzero(keep).astype(np.int64)
    net_to_graph = np.full(n_all, -1, dtype=np.int64)
    net_to_graph[node_net] = np.arange(len(node_net), dtype=np.int64)
    ekeep = keep[u] & keep[v]
    gu, gv = net_to_graph[u[ekeep]], net_to_graph[v[ekeep]]
    gt = t[ekeep]
    csr = csr_min_weight(gu, gv, gt, len(node_net))
    log.debug(
        "routing graph %s: %d/%d nodes in LSCC (%d components), %d edges",
        profile.name, len(node_net), n_all, n_comp, len(gu),
    )
    return RoutingGraph(
        profile=profile,
        csr=csr,
        node_net=node_net,
        net_to_graph=net_to_graph,
        node_lon=network.node_lon[node_net].astype(np.float64),
        node_lat=network.node_lat[node_net].astype(np.float64),
        edge_u=gu.astype(np.int64),
        edge_v=gv.astype(np.int64),
        edge_time_s=gt.astype(np.float64),
        edge_net=idx[ekeep].astype(np.int64),
        edge_reversed=rev[ekeep],
    )
