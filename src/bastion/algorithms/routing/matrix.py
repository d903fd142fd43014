"""Travel-time matrices and time-bounded multi-source searches on a RoutingGraph.

Engine: scipy.sparse.csgraph.dijkstra (Fibonacci-heap Dijkstra in C) with ``limit`` to stop at the
time bound; for many roots, the exact node-elimination hierarchy of hierarchy.py (upward search, SciPy
Dijkstra on a small core, vectorised downward sweep), built once per graph and cached. Chosen by
measurement (bench/travel_matrix.py, docs/models/routing.md). Searches run from whichever side is smaller: many
sources -> few targets runs backwards on the transposed graph.
Unreachable (or beyond ``limit_s``) entries are ``inf``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse.csgraph import dijkstra

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.routing.graph import RoutingGraph
from bastion.algorithms.routing.hierarchy import hierarchy_distances
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

_MAX_CELLS = 20_000_000  # cap on one dijkstra output block (rows x n_nodes float64 = 160 MB)
HIERARCHY_MIN_ROOTS = 16  # below this many search roots, plain (bounded) Dijkstra is as fast


def _nodes(graph: RoutingGraph, nodes: npt.ArrayLike, name: str) -> IntArray:
    a = np.atleast_1d(np.asarray(nodes))
    if a.ndim != 1 or (a.size and not np.issubdtype(a.dtype, np.integer)):
        raise InvalidInput(f"{name} must be a 1-D array of graph node indices, got dtype {a.dtype} shape {a.shape}")
    a = a.astype(np.int64)
    if a.size and (a.min() < 0 or a.max() >= graph.n_nodes):
        raise InvalidInput(
            f"{name} must be graph node indices in [0, {graph.n_nodes}), got range [{a.min()}, {a.max()}]; "
            "snap points first and drop flagged ones (node == -1)"
        )
    return a


def _limit(limit_s: float | None) -> float:
    if limit_s is None:
        return np.inf
    if not limit_s > 0:
        raise InvalidInput(f"limit_s must be > 0 seconds or None, got {limit_s}")
    return float(limit_s)


def travel_time_matrix(
    graph: RoutingGraph,
    sources: npt.ArrayLike,
    targets: npt.ArrayLike,
    *,
    limit_s: float | None = None,
    use_hierarchy: bool | None = None,
) -> FloatArray:
    """Fastest travel time from each source to each target node, seconds, shape (len(sources), len(targets)).

    Entries above ``limit_s`` (or unreachable) are inf; with a limit the search stops early.
    ``use_hierarchy``: None = automatic (when there are >= HIERARCHY_MIN_ROOTS search roots).
    """
    src = _nodes(graph, sources, "sources")
    tgt = _nodes(graph, targets, "targets")
    lim = _limit(limit_s)
    out = np.full((len(src), len(tgt)), np.inf)
    if len(src) == 0 or len(tgt) == 0:
        return out
    backward = len(tgt) < len(src)
    csr = graph.csr_reverse if backward else graph.csr
    roots, ends = (tgt, src) if backward else (src, tgt)
    uniq, inv = np.unique(roots, return_inverse=True)
    step = max(1, _MAX_CELLS // max(graph.n_nodes, 1))
    block = np.empty((len(uniq), len(ends)))
    auto = len(uniq) >= HIERARCHY_MIN_ROOTS
    hier = None
    if (auto if use_hierarchy is None else use_hierarchy):
        hier = graph.hierarchy_reverse if backward else graph.hierarchy
    for lo in range(0, len(uniq), step):
        if hier is not None:
            block[lo : lo + step] = hierarchy_distances(hier, uniq[lo : lo + step], limit=lim)[:, ends]
        else:
            block[lo : lo + step] = dijkstra(csr, directed=True, indices=uniq[lo : lo + step], limit=lim)[:, ends]
    res = block[inv]
    out[:] = res.T if backward else res
    log.debug("travel matrix %dx%d (%s, limit %s s)", len(src), len(tgt), "backward" if backward else "forward", lim)
    return out


@dataclass(frozen=True)
class Reach:
    """Result of a multi-source bounded search: per graph node, the fastest source and its time."""

    time_s: FloatArray  # (n,) seconds from the nearest source, inf beyond the limit
    source: IntArray  # (n,) position in ``sources`` of the fastest source, -1 if unreached
    limit_s: float


def multi_source_reach(
    graph: RoutingGraph, sources: npt.ArrayLike, *, limit_s: float | None = None, reverse: bool = False
) -> Reach:
    """One bounded Dijkstra from all ``sources`` at once (time to the nearest source).

    ``reverse=False``: time from the sources to every node (units driving out).
    ``reverse=True``: time from every node to the nearest source (on the transposed graph).
    """
    src = _nodes(graph, sources, "sources")
    lim = _limit(limit_s)
    n = graph.n_nodes
    if len(src) == 0:
        return Reach(np.full(n, np.inf), np.full(n, -1, dtype=np.int64), lim)
    csr = graph.csr_reverse if reverse else graph.csr
    d, _, origin = dijkstra(csr, directed=True, indices=src, limit=lim, min_only=True, return_predecessors=True)
    origin = np.asarray(origin, dtype=np.int64)
    # origin holds the graph node of the source; map back to its first position in ``sources``
    first_pos = np.full(n, -1, dtype=np.int64)
    first_pos[src[::-1]] = np.arange(len(src) - 1, -1, -1)
    pos = np.where(origin >= 0, first_pos[np.maximum(origin, 0)], -1)
    return Reach(np.asarray(d, dtype=np.float64), pos, lim)


@dataclass(frozen=True)
class Nearest:
    """The sources that reach one target fastest (a dispatch query), fastest first."""

    position: IntArray  # (k,) positions in ``sources``
    time_s: FloatArray  # (k,) travel time from that source to the target, seconds


def nearest_sources(
    graph: RoutingGraph, sources: npt.ArrayLike, target: int, *, k: int = 5, limit_s: float | None = None
) -> Nearest:
    """The ``k`` sources with the shortest travel time to ``target`` (one Dijkstra backwards from the target).

    Ties are broken by position in ``sources``; sources beyond ``limit_s`` (or unreachable) are left out.
    """
    src = _nodes(graph, sources, "sources")
    tgt = _nodes(graph, [target], "target")
    if k < 1:
        raise InvalidInput(f"k must be >= 1, got {k}")
    lim = _limit(limit_s)
    d = np.asarray(dijkstra(graph.csr_reverse, directed=True, indices=int(tgt[0]), limit=lim), dtype=np.float64)
    t = d[src] if len(src) else np.zeros(0)
    order = np.lexsort((np.arange(len(t)), t))
    order = order[np.isfinite(t[order])][:k]
    return Nearest(order.astype(np.int64), t[order])
