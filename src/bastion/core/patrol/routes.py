"""Patrol routes: the schedule side of a schedule-constrained security game.

A route is one team's shift: leave the depot (index 0 of the travel-time matrix), visit sites in order,
dwell at each, return to the depot, all within ``shift_s``. A route covers the sites it dwells at. Sites are
numbered 0..n_sites-1; in the travel-time matrix site i is row/column i + 1. Travel times are plain arrays
(seconds), e.g. shortest road-network paths; no road-network dependency here.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from bastion.core.patrol import _highs
from bastion.core.patrol.game import FloatArray, SecurityGame
from bastion.errors import InvalidInput

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    stops: tuple[int, ...]  # site indices in visiting order
    duration_s: float  # depot -> stops (with dwell) -> depot


@dataclass(frozen=True)
class JointSchedule:
    """One day's plan for all teams: up to n_teams site-disjoint routes (a pure strategy of the defender)."""

    routes: tuple[Route, ...]

    @property
    def stops(self) -> tuple[int, ...]:
        return tuple(s for r in self.routes for s in r.stops)


@dataclass(frozen=True)
class Stop:
    site: int
    arrival_s: float  # seconds after the shift start
    departure_s: float


@dataclass(frozen=True)
class PatrolProblem:
    """A security game whose resources are patrol teams doing routes. Build with :meth:`from_arrays`."""

    game: SecurityGame  # one target per site; game.n_resources = number of teams
    travel_time_s: FloatArray  # (n_sites + 1, n_sites + 1); index 0 is the depot
    dwell_s: FloatArray  # (n_sites,) time spent at each visited site
    shift_s: float
    max_stops: int | None  # longest route in sites; None = limited only by the shift

    @classmethod
    def from_arrays(
        cls,
        game: SecurityGame,
        travel_time_s: npt.ArrayLike,
        dwell_s: npt.ArrayLike,
        shift_s: float,
        *,
        max_stops: int | None = None,
    ) -> PatrolProblem:
        n = game.n_targets
        if game.n_resources != round(game.n_resources):
            raise InvalidInput(
                f"game.n_resources is the number of teams and must be whole, got {game.n_resources}", field="n_resources"
            )
        tt = np.asarray(travel_time_s, dtype=np.float64)
        if tt.shape != (n + 1, n + 1):
            raise InvalidInput(
                f"travel_time_s must have shape ({n + 1}, {n + 1}) (depot first, then one row per site), got {tt.shape}",
                field="travel_time_s",
            )
        if not np.all(np.isfinite(tt)) or np.any(tt < 0):
            raise InvalidInput(
                "travel_time_s must hold finite, non-negative seconds; drop sites unreachable from the depot",
                field="travel_time_s",
            )
        dw = np.asarray(dwell_s, dtype=np.float64)
        if dw.shape != (n,) or not np.all(np.isfinite(dw)) or np.any(dw < 0):
            raise InvalidInput(f"dwell_s must be {n} finite non-negative seconds (one per site), got shape {dw.shape}", field="dwell_s")
        if not np.isfinite(shift_s) or shift_s <= 0:
            raise InvalidInput(f"shift_s must be a positive number of seconds, got {shift_s}", field="shift_s")
        if max_stops is not None and max_stops < 1:
            raise InvalidInput(f"max_stops must be at least 1 or None, got {max_stops}", field="max_stops")
        tt.setflags(write=False)
        dw.setflags(write=False)
        return cls(game, tt, dw, float(shift_s), max_stops)

    @property
    def n_sites(self) -> int:
        return self.game.n_targets

    @property
    def n_teams(self) -> int:
        return int(round(self.game.n_resources))

    def route_duration_s(self, stops: tuple[int, ...]) -> float:
        if not stops:
            return 0.0
        idx = np.asarray(stops) + 1
        path = np.concatenate(([0], idx, [0]))
        return float(self.travel_time_s[path[:-1], path[1:]].sum() + self.dwell_s[np.asarray(stops)].sum())

    def reachable(self) -> npt.NDArray[np.bool_]:
        """Sites a single-stop route can visit within the shift."""
        alone = self.travel_time_s[0, 1:] + self.dwell_s + self.travel_time_s[1:, 0]
        return alone <= self.shift_s + 1e-9

    def timeline(self, route: Route) -> tuple[Stop, ...]:
        """Arrival and departure times (seconds after the shift start) of each stop of ``route``."""
        out = []
        clock = 0.0
        prev = 0
        for site in route.stops:
            clock += float(self.travel_time_s[prev, site + 1])
            out.append(Stop(site, clock, clock + float(self.dwell_s[site])))
            clock += float(self.dwell_s[site])
            prev = site + 1
        return tuple(out)


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


@dataclass(frozen=True)
class RouteTable:
    """Every feasible route as arrays: for k = 1..K, ``stops[k-1]`` is (N_k, k) in visiting order."""

    stops: tuple[npt.NDArray[np.int64], ...]
    duration_s: tuple[FloatArray, ...]

    def __len__(self) -> int:
        return sum(a.shape[0] for a in self.stops)

    def routes(self) -> list[Route]:
        return [
            Route(tuple(int(v) for v in row), float(d))
            for arr, dur in zip(self.stops, self.duration_s, strict=True)
            for row, d in zip(arr, dur, strict=True)
        ]


def route_table(
    problem: PatrolProblem, *, max_stops: int | None = None, sites: npt.ArrayLike | None = None
) -> RouteTable:
    """Every feasible set of at most ``max_stops`` sites (default: the problem's), each in its fastest order.

    Exhaustive, vectorised over combinations and their orders: the baseline that column generation avoids.
    ``sites`` restricts the enumeration to those site indices.
    """
    k_max = max_stops if max_stops is not None else problem.max_stops
    if k_max is None:
        raise InvalidInput("max_stops must be given to enumerate routes (the count grows as n^k)", field="max_stops")
    tt = problem.travel_time_s
    allowed = problem.reachable()
    if sites is not None:
        only = np.zeros_like(allowed)
        only[np.asarray(sites, dtype=np.int64)] = True
        allowed &= only
    chosen = np.flatnonzero(allowed)
    stops: list[npt.NDArray[np.int64]] = []
    durations: list[FloatArray] = []
    for k in range(1, k_max + 1):
        combos = np.array(list(itertools.combinations(chosen.tolist(), k)), dtype=np.int64).reshape(-1, k)
        if combos.size == 0:
            break
        best_dur = np.full(combos.shape[0], np.inf)
        best_seq = combos.copy()
        for perm in itertools.permutations(range(k)):
            seq = combos[:, perm]
            dur = tt[0, seq[:, 0] + 1] + tt[seq[:, -1] + 1, 0]
            for i in range(k - 1):
                dur = dur + tt[seq[:, i] + 1, seq[:, i + 1] + 1]
            better = dur < best_dur
            best_dur[better] = dur[better]
            best_seq[better] = seq[better]
        total = best_dur + problem.dwell_s[combos].sum(axis=1)
        ok = total <= problem.shift_s + 1e-9
        log.debug("route_table: %d stops -> %d feasible of %d sets", k, int(ok.sum()), combos.shape[0])
        if not ok.any():
            break
        stops.append(best_seq[ok])
        durations.append(total[ok])
    return RouteTable(tuple(stops), tuple(durations))


def enumerate_routes(
    problem: PatrolProblem, *, max_stops: int | None = None, sites: npt.ArrayLike | None = None
) -> list[Route]:
    """:func:`route_table` as a list of :class:`Route`."""
    return route_table(problem, max_stops=max_stops, sites=sites).routes()


def _plan(padded: npt.NDArray[np.int64], durations: FloatArray, picks: list[int], pad: int) -> JointSchedule:
    return JointSchedule(tuple(
        Route(tuple(int(v) for v in padded[j] if v != pad), float(durations[j])) for j in picks
    ))


def _first_free(sorted_routes: npt.NDArray[np.int64], used: npt.NDArray[np.bool_]) -> int:
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
    values: FloatArray, padded: npt.NDArray[np.int64], durations: FloatArray, n_teams: int, starts: int, pad: int
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
) -> list[tuple[float, JointSchedule]]:
    """Pricing for joint schedules: up to ``n_teams`` site-disjoint routes of largest total site weight.

    Candidates are the feasible routes over the positive-weight sites (from ``table`` if given, else
    :func:`route_table` restricted to those sites; ``max_stops`` must then bound the route length). Quick exits:
    if the ``n_teams * max_stops`` largest weights cannot beat ``min_value`` nothing can; a greedy heuristic
    (from each of the ``limit`` best routes, add the best disjoint ones) answers when it beats ``min_value``.
    Otherwise a set-packing MILP on HiGHS (pick <= n_teams disjoint candidates of maximum weight) decides
    exactly. An empty answer proves no column improves.
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
    res = _highs.solve(
        values, a, np.full(n + 1, -_highs.INF), np.concatenate([np.ones(n), [float(problem.n_teams)]]),
        np.zeros(n_routes), np.ones(n_routes), integer=np.ones(n_routes, dtype=bool), maximize=True,
        what="joint-schedule pricing (set packing)",
    )
    log.debug("exact joint pricing: %d positive sites, %d routes, value %.6g", positive.size, n_routes, res.objective)
    if res.objective <= min_value + tol:
        return []
    pick = [int(j) for j in np.flatnonzero(res.x > 0.5)]
    return [(float(values[pick].sum()), _plan(padded, durations, pick, pad))]
