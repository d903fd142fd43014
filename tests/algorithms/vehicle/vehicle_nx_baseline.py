"""Straightforward baseline: enumerate every simple approach path with networkx, evaluate each directly.

No labels, no dominance, no pruning: a depth-first enumeration over the networkx MultiDiGraph's in-edges
of every simple path of length <= max_distance_m that ends at the entry (starts at a node, or where the
budget ends inside an edge), each evaluated with VehicleNetwork.path_profile (forward physics).
Used by tests and bench/vehicle.py to check the label search gives identical speeds.
"""

from __future__ import annotations

import networkx as nx

from bastion.algorithms.vehicle.network import Entry
from bastion.algorithms.vehicle.network import VehicleNetwork
from bastion.algorithms.vehicle.physics import Dynamics


def build_graph(net: VehicleNetwork) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    g.add_nodes_from(range(net.roads.n_nodes))
    for e in range(net.n_edges):
        g.add_edge(int(net.tail[e]), int(net.head[e]), key=e, length=float(net.length[e]))
    return g


def enumerate_paths(
    g: nx.MultiDiGraph, net: VehicleNetwork, entry: Entry, *, blocked: set[int], max_distance_m: float,
    ignore_oneway: bool,
) -> list[tuple[tuple[int, ...], float]]:
    """All simple approach paths (edges from the start, start offset) ending at the entry."""
    out: list[tuple[tuple[int, ...], float]] = []
    start = int(net.tail[entry.edge])
    if entry.length_m > max_distance_m:
        return [((), entry.length_m - max_distance_m)]
    out.append(((), 0.0))

    def rec(node: int, r: float, visited: set[int], path: list[int]) -> None:
        for u, _, key, data in g.in_edges(node, keys=True, data=True):
            if (net.wrong_way[key] and not ignore_oneway) or key in blocked:
                continue
            r1 = r + data["length"]
            if r1 <= max_distance_m:
                if u in visited:
                    continue
                out.append((tuple([key, *reversed(path)]), 0.0))
                visited.add(u)
                path.append(key)
                rec(u, r1, visited, path)
                path.pop()
                visited.discard(u)
            else:
                out.append((tuple([key, *reversed(path)]), data["length"] - (max_distance_m - r)))

    rec(start, entry.length_m, {start}, [])
    return out


def baseline_speed_mps(
    g: nx.MultiDiGraph, net: VehicleNetwork, entry: Entry, dyn: Dynamics, *, blocked: set[int],
    max_distance_m: float, ignore_oneway: bool = False,
) -> tuple[float, int]:
    """Max impact speed over all enumerated paths (m/s) and the number of paths evaluated."""
    paths = enumerate_paths(g, net, entry, blocked=blocked, max_distance_m=max_distance_m,
                            ignore_oneway=ignore_oneway)
    best = 0.0
    for edges, off in paths:
        best = max(best, net.path_profile(entry, edges, off, dyn).impact_speed_mps)
    return best, len(paths)
