"""Pricing problems for column generation over patrol routes (see :mod:`bastion.algorithms.games.schedules`).

* :func:`best_routes`: the single feasible route of largest total site weight (prize-collecting orienteering),
  exact depth-first branch and bound.
* :func:`best_joint_schedules`: the best day plan of up to n_teams site-disjoint routes: bound, greedy, then an
  exact set-packing MILP on HiGHS.
"""

from __future__ import annotations

import heapq
import logging

import numpy as np
import scipy.sparse as sp

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.games.routes import JointSchedule
from bastion.algorithms.games.routes import PatrolProblem
from bastion.algorithms.games.routes import Route
from bastion.algorithms.games.routes import RouteTable
from bastion.algorithms.games.routes import route_table
from bastion.algorithms.optim import highs

log = logging.getLogger(__name__)


def best_routes(
    problem: PatrolProblem, weights: FloatArray, *, min_value: float, limit: int = 8, tol: float = 1e-9
) -> list[tuple[float, Route]]:
    """Exact pricing: feasible routes of largest total site weight (prize-collecting orienteering).

    Depth-first branch and bound over visiting sequences of sites with positive weight: bound = value so far +
    the largest remaining weights that still fit in ``max_stops``; a (visited set, last site) label reached
    earlier at no later time dominates. Returns up to ``limit`` routes whose value exceeds ``min_value``,
    best first; empty when none does (which proves no column improves the master).
    """
    tt = problem.travel_time_s
    dwell = problem.dwell_s
    shift = problem.shift_s
    cand = np.flatnonzero((weights > tol) & problem.reachable())
    cand = cand[np.argsort(-weights[cand], kind="stable")]
    w = [float(weights[i]) for i in cand]
    sites = [int(i) for i in cand]
    k_max = problem.max_stops if problem.max_stops is not None else len(sites)
    back = [float(tt[s + 1, 0]) for s in sites]
    found: dict[frozenset[int], tuple[float, tuple[int, ...], float]] = {}
    seen: dict[tuple[frozenset[int], int], float] = {}
    top: list[float] = []  # min-heap of the values of the best ``limit`` distinct sites sets so far

    def bound(value: float, used: set[int], room: int) -> float:
        extra = 0.0
        for j in range(len(sites)):  # weights sorted descending
            if room == 0:
                break
            if j not in used:
                extra += w[j]
                room -= 1
        return value + extra

    def dfs(last: int, clock: float, value: float, used: set[int], path: list[int]) -> None:
        if path and value > min_value + tol:
            key = frozenset(path)
            dur = clock + back[path[-1]]
            old = found.get(key)
            if old is None:
                heapq.heappush(top, value)
                if len(top) > limit:
                    heapq.heappop(top)
            if old is None or dur < old[2]:
                found[key] = (value, tuple(sites[j] for j in path), dur)
        if len(path) >= k_max:
            return
        cutoff = top[0] if len(top) >= limit else min_value
        if bound(value, used, k_max - len(path)) <= cutoff + tol:
            return
        for j in range(len(sites)):
            if j in used:
                continue
            arrive = clock + float(tt[last, sites[j] + 1]) + float(dwell[sites[j]])
            if arrive + back[j] > shift + 1e-9:
                continue
            label = (frozenset(used | {j}), j)
            if seen.get(label, np.inf) <= arrive + 1e-12:
                continue
            seen[label] = arrive
            used.add(j)
            path.append(j)
            dfs(sites[j] + 1, arrive, value + w[j], used, path)
            path.pop()
            used.discard(j)

    dfs(0, 0.0, 0.0, set(), [])
    ranked = sorted(found.values(), key=lambda item: -item[0])[:limit]
    return [(value, Route(stops, dur)) for value, stops, dur in ranked]


def _plan(padded: IntArray, durations: FloatArray, picks: list[int], pad: int) -> JointSchedule:
    return JointSchedule(tuple(
        Route(tuple(int(v) for v in padded[j] if v != pad), float(durations[j])) for j in picks
    ))


def _first_free(sorted_routes: IntArray, used: BoolArray) -> int:
    """Index of the first route (in value order) that uses no used site, or -1; scans in growing chunks."""
    start, chunk = 0, 256
    while start < sorted_routes.shape[0]:
        free = ~used[sorted_routes[start : start + chunk]].any(axis=1)
        if free.any():
            return start + int(np.argmax(free))
        start += chunk
        chunk *= 2
    return -1


def _greedy_joint(
    values: FloatArray, padded: IntArray, durations: FloatArray, n_teams: int, starts: int, pad: int
) -> list[tuple[float, JointSchedule]]:
    """Greedy day plans: from each of the ``starts`` best routes, add the best disjoint routes in value order.

    ``padded`` is (N, K) stops with ``pad`` (= n_sites) filling short routes.
    """
    order = np.argsort(-values, kind="stable")
    sorted_routes = padded[order]
    out: dict[frozenset[int], tuple[float, JointSchedule]] = {}
    for first in range(min(starts, order.size)):
        used = np.zeros(pad + 1, dtype=bool)
        picks = [int(order[first])]
        used[sorted_routes[first]] = True
        used[pad] = False
        for _ in range(n_teams - 1):
            j = _first_free(sorted_routes, used)
            if j < 0:
                break
            picks.append(int(order[j]))
            used[sorted_routes[j]] = True
            used[pad] = False
        key = frozenset(int(v) for v in np.flatnonzero(used[:pad]))
        out.setdefault(key, (float(values[picks].sum()), _plan(padded, durations, picks, pad)))
    return sorted(out.values(), key=lambda item: -item[0])


def best_joint_schedules(
    problem: PatrolProblem,
    weights: FloatArray,
    *,
    min_value: float,
    limit: int = 4,
    tol: float = 1e-9,
    table: RouteTable | None = None,
    exact: bool = False,
) -> list[tuple[float, JointSchedule]]:
    """Pricing for joint schedules: up to ``n_teams`` site-disjoint routes of largest total site weight.

    Candidates are the feasible routes over the positive-weight sites (from ``table`` if given, else
    :func:`route_table` restricted to those sites; ``max_stops`` must then bound the route length). Quick exits:
    if the ``n_teams * max_stops`` largest weights cannot beat ``min_value`` nothing can; a greedy heuristic
    (from each of the ``limit`` best routes, add the best disjoint ones) answers when it beats ``min_value``.
    Otherwise a set-packing MILP on HiGHS (pick <= n_teams disjoint candidates of maximum weight) decides
    exactly. An empty answer proves no column improves. ``exact=True`` skips the greedy step, so the first
    answer is the best day plan (needed for a valid Lagrangian bound).
    """
    good = (weights > tol) & problem.reachable()
    positive = np.flatnonzero(good)
    if positive.size == 0:
        return []
    room = problem.n_teams * (problem.max_stops if problem.max_stops is not None else positive.size)
    if np.sort(weights[positive])[::-1][:room].sum() <= min_value + tol:
        return []
    if table is None:
        k = problem.max_stops if problem.max_stops is not None else int(positive.size)
        table = route_table(problem, max_stops=k, sites=positive)
    pad = problem.n_sites
    width = max(arr.shape[1] for arr in table.stops) if table.stops else 0
    blocks, values_l, dur_l = [], [], []
    for arr, dur in zip(table.stops, table.duration_s, strict=True):
        keep = good[arr].all(axis=1)
        block = np.full((int(keep.sum()), width), pad, dtype=np.int64)
        block[:, : arr.shape[1]] = arr[keep]
        blocks.append(block)
        values_l.append(weights[arr[keep]].sum(axis=1))
        dur_l.append(dur[keep])
    padded = np.concatenate(blocks) if blocks else np.zeros((0, width), dtype=np.int64)
    if padded.shape[0] == 0:
        return []
    values = np.concatenate(values_l)
    durations = np.concatenate(dur_l)
    if not exact:
        found = [
            item for item in _greedy_joint(values, padded, durations, problem.n_teams, limit, pad)
            if item[0] > min_value + tol
        ]
        if found:
            return found[:limit]
    n_routes = padded.shape[0]
    mask = padded != pad
    cols = np.broadcast_to(np.arange(n_routes)[:, None], padded.shape)[mask]
    sites = padded[mask]
    n = problem.n_sites
    a = sp.vstack([
        sp.csr_matrix((np.ones(sites.size), (sites, cols)), shape=(n, n_routes)),
        sp.csr_matrix(np.ones((1, n_routes))),
    ])
    model = highs.MilpModel(
        values, a, np.full(n + 1, -highs.INF), np.concatenate([np.ones(n), [float(problem.n_teams)]]),
        np.zeros(n_routes), np.ones(n_routes), np.ones(n_routes, dtype=bool), maximize=True,
    )
    res = highs.solve(model, what="joint-schedule pricing (set packing)", **highs.EXACT)
    log.debug("exact joint pricing: %d positive sites, %d routes, value %.6g", positive.size, n_routes, res.objective)
    if res.objective <= min_value + tol:
        return []
    pick = [int(j) for j in np.flatnonzero(res.x > 0.5)]
    return [(float(values[pick].sum()), _plan(padded, durations, pick, pad))]
