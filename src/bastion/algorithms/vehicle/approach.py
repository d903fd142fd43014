"""Worst-case hostile-vehicle approach to each entry point of a protected perimeter.

Impact speed of a path (physics.py), written from the perimeter backwards (r = distance to the perimeter):
    v_impact^2 = min( v0^2 + 2 a r_start, vmax^2, min_j ( f g R_j + 2 a r_j ) )
so a suffix of a path (from a node to the perimeter) is summarised by a label (r, m): its length r and the
min of its bend terms m. Extending the suffix backwards by edge p (turn radius R_pe at the node):
    r' = r + L_p,   m' = min(m, f g R_pe + 2 a r, 2 a r + min_k (f g R_k + 2 a dh_k))
and starting at p's tail gives min(m', v0^2 + 2 a r'). The start may also be where the run-up budget D
ends, inside an edge (then only the bends within D count and the start term is v0^2 + 2 a D).

Dominance: at the same edge, (r1, m1) dominates (r2, m2) if r1 >= r2 and m1 >= m2. Proof: any backward
extension X feasible for label 2 either fits label 1's budget too, and then every term is >= (bend terms
grow with r, the start term too), or it does not, and then label 1 starts at its budget limit inside X:
its start term v0^2 + 2 a D >= v0^2 + 2 a (r2 + |X|) and its bends are a subset of X's with larger terms.
Pruning: a label with m <= the best value found cannot lead to better (every value is <= m).
The labels describe walks; the argmax walk is checked to be a simple path (no repeated node) and, in the
rare case it is not, the entry is re-solved by an exact depth-first search over simple paths with the
same bound. So the result equals the maximum over simple paths (as the baseline enumerates).
"""

from __future__ import annotations

import heapq
import logging
import math
from dataclasses import dataclass

import numpy as np

from bastion.algorithms.vehicle.network import Entry
from bastion.algorithms.vehicle.network import VehicleNetwork
from bastion.algorithms.vehicle.physics import Dynamics
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

DEFAULT_MAX_DISTANCE_M = 300.0  # run-up considered, metres along the road


@dataclass(frozen=True)
class ApproachPath:
    entry: Entry
    edges: tuple[int, ...]  # search edges from the start to the one before the entry edge
    start_offset_m: float  # the start lies this far after the first edge's tail (0: at a node)
    speed_sq: float  # impact speed squared, (m/s)^2 (top speed applied)
    labels_created: int
    fallback: bool  # True when the exact simple-path DFS was needed

    @property
    def impact_speed_mps(self) -> float:
        return math.sqrt(self.speed_sq)


def _check(max_distance_m: float) -> None:
    if not (max_distance_m > 0 and math.isfinite(max_distance_m)):
        raise InvalidInput(f"max_distance_m must be a finite number > 0 metres, got {max_distance_m}")


@dataclass
class _Best:
    """The best approach found so far: squared impact speed, edges (start to entry), start offset."""

    best: float
    path: tuple[int, ...] = ()
    off: float = 0.0


def worst_path(
    net: VehicleNetwork,
    entry: Entry,
    dyn: Dynamics,
    *,
    blocked: frozenset[int] | set[int],
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    ignore_oneway: bool = False,
) -> ApproachPath:
    """The approach ending at `entry` with the highest impact speed (label-setting search, see module doc).

    blocked: search edges that meet the protected zone (cannot be used before the entry).
    """
    _check(max_distance_m)
    D = max_distance_m
    a2 = 2.0 * dyn.accel_mps2
    v0sq = dyn.v0_mps**2
    vmax_sq = dyn.max_speed_mps**2
    ceiling = min(vmax_sq, v0sq + a2 * D)  # no path can exceed this
    emin = net.edge_min_term(dyn)
    caps_e = dyn.cap_sq(entry.bend_r) + a2 * (entry.length_m - entry.bend_st)

    # label arrays: state edge (-1 = the entry edge), r, m, parent
    lab_e: list[int] = []
    lab_r: list[float] = []
    lab_m: list[float] = []
    lab_par: list[int] = []
    best = -math.inf
    best_ref: tuple[int, int, float] = (-1, -1, 0.0)  # (label, truncated edge or -1, offset)

    if entry.length_m > D:
        return _entry_only(entry, dyn, D)
    m0 = float(np.min(caps_e)) if len(caps_e) else math.inf
    lab_e.append(-1)
    lab_r.append(entry.length_m)
    lab_m.append(m0)
    lab_par.append(-1)
    best = min(m0, v0sq + a2 * entry.length_m)
    best_ref = (0, -1, 0.0)
    pareto: dict[int, list[tuple[float, float]]] = {-1: [(entry.length_m, m0)]}
    heap: list[tuple[float, int]] = [(-m0, 0)]
    wrong_way = net.wrong_way
    length = net.length
    while heap and best < ceiling:
        negm, li = heapq.heappop(heap)
        m = -negm
        if m <= best:
            break  # heap is ordered by m: nothing left can improve
        e, r = lab_e[li], lab_r[li]
        node = int(net.tail[entry.edge]) if e < 0 else int(net.tail[e])
        for p in net.in_edges(node):
            p = int(p)
            if (wrong_way[p] and not ignore_oneway) or p in blocked:
                continue
            jr = net.junction(p, entry.edge, entry) if e < 0 else net.junction(p, e)
            m1 = min(m, dyn.friction * dyn.g_mps2 * jr + a2 * r) if math.isfinite(jr) else m
            if m1 <= best:
                continue
            r1 = r + length[p]
            if r1 <= D:
                m2 = min(m1, a2 * r + emin[p])
                if m2 <= best:
                    continue
                cand = min(m2, v0sq + a2 * r1)
                front = pareto.setdefault(p, [])
                if any(fr >= r1 and fm >= m2 for fr, fm in front):
                    continue
                front[:] = [(fr, fm) for fr, fm in front if not (r1 >= fr and m2 >= fm)]
                front.append((r1, m2))
                lab_e.append(p)
                lab_r.append(r1)
                lab_m.append(m2)
                lab_par.append(li)
                new = len(lab_e) - 1
                if cand > best:
                    best, best_ref = cand, (new, -1, 0.0)
                heapq.heappush(heap, (-m2, new))
            else:
                dh, br = net.bend_dh[p], net.bend_r[p]
                keep = r + dh <= D
                m2 = min(m1, float(np.min(dyn.cap_sq(br[keep]) + a2 * (r + dh[keep])))) if keep.any() else m1
                cand = min(m2, v0sq + a2 * D)
                if cand > best:
                    best, best_ref = cand, (li, p, float(length[p] - (D - r)))
    li, trunc, off = best_ref
    edges: list[int] = [] if trunc < 0 else [trunc]
    nodes: list[int] = []
    k = li
    while k >= 0:
        e = lab_e[k]
        if e >= 0:
            edges.append(e)
            nodes.append(int(net.tail[e]))
        k = lab_par[k]
    nodes.append(int(net.tail[entry.edge]))
    if len(set(nodes)) == len(nodes):
        return ApproachPath(entry, tuple(edges), off, min(best, vmax_sq), len(lab_e), False)
    log.debug("entry %d: best walk repeats a node; exact simple-path search", entry.edge)
    return _simple_dfs(net, entry, dyn, blocked=blocked, max_distance_m=D, ignore_oneway=ignore_oneway,
                       labels=len(lab_e))


def _entry_only(entry: Entry, dyn: Dynamics, D: float) -> ApproachPath:
    """The run-up budget ends inside the entry edge itself: start there."""
    a2 = 2.0 * dyn.accel_mps2
    caps_e = dyn.cap_sq(entry.bend_r) + a2 * (entry.length_m - entry.bend_st)
    keep = entry.bend_st >= entry.length_m - D
    m_t = float(np.min(caps_e[keep])) if keep.any() else math.inf
    best = min(m_t, dyn.v0_mps**2 + a2 * D, dyn.max_speed_mps**2)
    return ApproachPath(entry, (), entry.length_m - D, best, 0, False)


def _simple_dfs(
    net: VehicleNetwork, entry: Entry, dyn: Dynamics, *, blocked: frozenset[int] | set[int],
    max_distance_m: float, ignore_oneway: bool, labels: int,
) -> ApproachPath:
    """Exact maximum over simple paths by depth-first search with the bound m <= best pruned."""
    D = max_distance_m
    if entry.length_m > D:
        return _entry_only(entry, dyn, D)
    a2 = 2.0 * dyn.accel_mps2
    v0sq = dyn.v0_mps**2
    emin = net.edge_min_term(dyn)
    caps_e = dyn.cap_sq(entry.bend_r) + a2 * (entry.length_m - entry.bend_st)
    m0 = float(np.min(caps_e)) if len(caps_e) else math.inf
    state = _Best(min(m0, v0sq + a2 * entry.length_m))
    start = int(net.tail[entry.edge])

    def rec(e: int, r: float, m: float, visited: set[int], path: list[int]) -> None:
        node = start if e < 0 else int(net.tail[e])
        for p in net.in_edges(node):
            p = int(p)
            if (net.wrong_way[p] and not ignore_oneway) or p in blocked:
                continue
            jr = net.junction(p, entry.edge, entry) if e < 0 else net.junction(p, e)
            m1 = min(m, dyn.friction * dyn.g_mps2 * jr + a2 * r) if math.isfinite(jr) else m
            if m1 <= state.best:
                continue
            r1 = r + net.length[p]
            if r1 <= D:
                t = int(net.tail[p])
                if t in visited:
                    continue
                m2 = min(m1, a2 * r + emin[p])
                if m2 <= state.best:
                    continue
                cand = min(m2, v0sq + a2 * r1)
                if cand > state.best:
                    state.best, state.path, state.off = cand, tuple([p, *reversed(path)]), 0.0
                visited.add(t)
                path.append(p)
                rec(p, r1, m2, visited, path)
                path.pop()
                visited.discard(t)
            else:
                dh, br = net.bend_dh[p], net.bend_r[p]
                keep = r + dh <= D
                m2 = min(m1, float(np.min(dyn.cap_sq(br[keep]) + a2 * (r + dh[keep])))) if keep.any() else m1
                cand = min(m2, v0sq + a2 * D)
                if cand > state.best:
                    state.best, state.path = cand, tuple([p, *reversed(path)])
                    state.off = float(net.length[p] - (D - r))

    rec(-1, entry.length_m, m0, {start}, [])
    best = min(float(state.best), dyn.max_speed_mps**2)
    return ApproachPath(entry, state.path, float(state.off), best, labels, True)


def extend_run_up(
    net: VehicleNetwork, path: ApproachPath, *, blocked: frozenset[int] | set[int],
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M, ignore_oneway: bool = False,
) -> ApproachPath:
    """For display: lengthen a from-rest approach backwards to the full run-up budget where roads allow.

    With v0 = 0, prepending road never lowers the impact speed (every new term is >= 2 a r_start, the old
    start term), so an optimal path stays optimal. Each step takes the straightest simple continuation.
    """
    if path.start_offset_m > 0:
        return path  # already starts where the budget ends
    edges = list(path.edges)
    first = edges[0] if edges else path.entry.edge
    visited = {int(net.tail[e]) for e in edges} | {int(net.tail[path.entry.edge])}
    r = path.entry.length_m + float(sum(net.length[e] for e in edges))
    offset = 0.0
    while r < max_distance_m:
        node = int(net.tail[first])
        best_p, best_rad = -1, -1.0
        for p in net.in_edges(node):
            p = int(p)
            if (net.wrong_way[p] and not ignore_oneway) or p in blocked:
                continue
            if r + net.length[p] <= max_distance_m and int(net.tail[p]) in visited:
                continue
            rad = net.junction(p, first, path.entry) if not edges else net.junction(p, first)
            if rad > best_rad:
                best_p, best_rad = p, rad
        if best_p < 0:
            break
        edges.insert(0, best_p)
        first = best_p
        if r + net.length[best_p] > max_distance_m:
            offset = float(net.length[best_p] - (max_distance_m - r))
            break
        r += float(net.length[best_p])
        visited.add(int(net.tail[best_p]))
    return ApproachPath(path.entry, tuple(edges), offset, path.speed_sq, path.labels_created, path.fallback)
