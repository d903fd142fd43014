"""Exact graph contraction for many-source Dijkstra: peel dead-end trees, splice degree-2 chains.

Road networks carry many nodes no shortest path between two other nodes needs to branch at:
dead-end trees (cul-de-sacs, driveways: no path goes through them) and chains of degree-2 nodes (a way
split where two ways meet, a bend kept by the importer). Keeping the search roots ("protected" nodes)
in the core, every other node's distance follows from its core anchors:
- chain node x between core ends A and B: d(s, x) = min(d(s, A) + f_x, d(s, B) + g_x), where f_x / g_x are
  the along-chain times from A / B (inf against a one-way);
- tree node x hanging from parent y: d(s, x) = d(s, y) + w(y, x).
So Dijkstra runs on the (much smaller) core with chain shortcuts, and the rest is filled in with numpy.
The result is identical to Dijkstra on the full graph (tests compare with networkx).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from bastion.core.routing.network import FloatArray, IntArray

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contraction:
    """Core graph plus, for every node x, two core anchors: d(s, x) = min(d(s, a_x) + f_x, d(s, b_x) + g_x)."""

    n: int
    core: IntArray  # (c,) full-graph ids of core nodes
    core_id: IntArray  # (n,) core index of each node, -1 if spliced/peeled
    core_csr: csr_array = field(repr=False)  # (c, c) core edges + chain shortcuts
    anchor_a: IntArray = field(repr=False)  # (n,) core index of anchor A (itself for core nodes)
    anchor_b: IntArray = field(repr=False)  # (n,) core index of anchor B
    offset_a: FloatArray = field(repr=False)  # (n,) time A -> x (inf if x cannot be entered from A)
    offset_b: FloatArray = field(repr=False)  # (n,) time B -> x


def contract(csr: csr_array, protected: IntArray) -> Contraction:
    """Contract ``csr`` (fastest-edge CSR, no self loops) keeping ``protected`` nodes in the core."""
    n = csr.shape[0]
    coo = csr.tocoo()
    u, v, w = coo.row.astype(np.int64), coo.col.astype(np.int64), coo.data.astype(np.float64)
    weight = {(int(a), int(b)): float(c) for a, b, c in zip(u, v, w, strict=True)}
    sym = csr_array((np.ones(len(u) * 2), (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n))
    sym.sum_duplicates()
    ip, ix = sym.indptr, sym.indices
    nbrs = [set(ix[ip[i] : ip[i + 1]].tolist()) for i in range(n)]
    keep = np.zeros(n, dtype=bool)
    keep[protected] = True
    alive = np.ones(n, dtype=bool)
    degree = np.array([len(s) for s in nbrs], dtype=np.int64)

    # 1. peel dead-end trees (never the last node)
    parent = np.full(n, -1, dtype=np.int64)
    order: list[int] = []
    stack = [i for i in range(n) if degree[i] == 1 and not keep[i]]
    n_alive = n
    while stack and n_alive > 1:
        x = stack.pop()
        if not alive[x] or degree[x] != 1:
            continue
        (y,) = [z for z in nbrs[x] if alive[z]]
        if (y, x) not in weight:  # cannot be reached from its only neighbour: not a dead end
            continue
        alive[x] = False
        n_alive -= 1
        parent[x] = y
        order.append(x)
        degree[y] -= 1
        if degree[y] == 1 and not keep[y]:
            stack.append(y)

    # 2. splice chains of degree-2 nodes
    chainable = alive & ~keep & (degree == 2)
    seen = np.zeros(n, dtype=bool)
    ch_node: list[int] = []
    ch_a: list[int] = []
    ch_b: list[int] = []
    ch_f: list[float] = []
    ch_g: list[float] = []
    shortcuts: list[tuple[int, int, float]] = []
    inf = float("inf")
    for start in np.flatnonzero(chainable):
        if seen[start]:
            continue
        left, right = [z for z in nbrs[start] if alive[z]]
        # walk to both ends
        seq = [int(start)]
        seen[start] = True
        ends = []
        for first in (left, right):
            prev, cur, part = int(start), int(first), []
            while chainable[cur] and not seen[cur]:
                seen[cur] = True
                part.append(cur)
                nxt = [z for z in nbrs[cur] if alive[z] and z != prev]
                prev, cur = cur, nxt[0]
            ends.append((cur, part))
        (a, part_a), (b, part_b) = ends
        if chainable[a] or chainable[b]:  # a cycle of chain nodes with no end: leave it to the core
            for z in [*seq, *part_a, *part_b]:
                chainable[z] = False
            continue
        path = [a, *reversed(part_a), *seq, *part_b, b]
        f = [0.0]
        for p_, q_ in zip(path[:-1], path[1:], strict=True):
            f.append(f[-1] + weight.get((p_, q_), inf))
        g = [0.0]
        for p_, q_ in zip(path[:0:-1], path[-2::-1], strict=True):
            g.append(g[-1] + weight.get((p_, q_), inf))
        g = g[::-1]
        for i, x in enumerate(path[1:-1], start=1):
            ch_node.append(x)
            ch_a.append(a)
            ch_b.append(b)
            ch_f.append(f[i])
            ch_g.append(g[i])
        if a != b:
            if f[-1] < inf:
                shortcuts.append((a, b, f[-1]))
            if g[0] < inf:
                shortcuts.append((b, a, g[0]))
    core_mask = alive & ~chainable
    core = np.flatnonzero(core_mask).astype(np.int64)
    core_id = np.full(n, -1, dtype=np.int64)
    core_id[core] = np.arange(len(core))
    e = core_mask[u] & core_mask[v]
    su = np.array([s[0] for s in shortcuts], dtype=np.int64)
    sv = np.array([s[1] for s in shortcuts], dtype=np.int64)
    sw = np.array([s[2] for s in shortcuts], dtype=np.float64)
    from bastion.core.routing.graph import _csr_min

    core_csr = _csr_min(core_id[np.concatenate([u[e], su])], core_id[np.concatenate([v[e], sv])],
                        np.concatenate([w[e], sw]), len(core))
    # 3. anchors: core nodes anchor themselves, chain nodes their two ends, tree nodes their parent's anchors
    anchor_a = np.full(n, -1, dtype=np.int64)
    anchor_a[core] = np.arange(len(core))
    anchor_b = anchor_a.copy()
    offset_a = np.where(core_mask, 0.0, np.inf)
    offset_b = offset_a.copy()
    if ch_node:
        cn = np.array(ch_node, dtype=np.int64)
        anchor_a[cn] = core_id[np.array(ch_a, dtype=np.int64)]
        anchor_b[cn] = core_id[np.array(ch_b, dtype=np.int64)]
        offset_a[cn] = ch_f
        offset_b[cn] = ch_g
    for x in reversed(order):
        y = int(parent[x])
        wyx = weight[(y, x)]
        anchor_a[x], anchor_b[x] = anchor_a[y], anchor_b[y]
        offset_a[x], offset_b[x] = offset_a[y] + wyx, offset_b[y] + wyx
    log.debug("contraction: %d nodes -> core %d (%d chain, %d tree), %d core edges",
              n, len(core), len(ch_node), len(order), core_csr.nnz)
    return Contraction(
        n=n, core=core, core_id=core_id, core_csr=core_csr,
        anchor_a=anchor_a, anchor_b=anchor_b, offset_a=offset_a, offset_b=offset_b,
    )


def contracted_dijkstra(c: Contraction, roots: IntArray, targets: IntArray, *, limit: float = np.inf) -> FloatArray:
    """Distances (len(roots), len(targets)) from protected ``roots``, identical to Dijkstra on the full graph."""
    rid = c.core_id[roots]
    if (rid < 0).any():
        raise ValueError("every root must be a protected (core) node")
    d = dijkstra(c.core_csr, directed=True, indices=rid, limit=limit)
    out = np.minimum(d[:, c.anchor_a[targets]] + c.offset_a[targets], d[:, c.anchor_b[targets]] + c.offset_b[targets])
    if np.isfinite(limit):
        out[out > limit] = np.inf
    return out
