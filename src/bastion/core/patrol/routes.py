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

from bastion.core.patrol.game import FloatArray, SecurityGame
from bastion.errors import InvalidInput

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Route:
    stops: tuple[int, ...]  # site indices in visiting order
    duration_s: float  # depot -> stops (with dwell) -> depot


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


def enumerate_routes(problem: PatrolProblem, *, max_stops: int | None = None) -> list[Route]:
    """Every feasible set of at most ``max_stops`` sites (default: the problem's), each in its fastest order.

    Exhaustive (vectorised over combinations and their orders): the baseline that column generation avoids.
    """
    k_max = max_stops if max_stops is not None else problem.max_stops
    if k_max is None:
        raise InvalidInput("max_stops must be given to enumerate routes (the count grows as n^k)", field="max_stops")
    tt = problem.travel_time_s
    sites = np.flatnonzero(problem.reachable())
    routes: list[Route] = []
    for k in range(1, k_max + 1):
        combos = np.array(list(itertools.combinations(sites.tolist(), k)), dtype=np.int64).reshape(-1, k)
        if combos.size == 0:
            break
        dwell = problem.dwell_s[combos].sum(axis=1)
        best_dur = np.full(combos.shape[0], np.inf)
        best_perm = np.zeros(combos.shape[0], dtype=np.int64)
        perms = list(itertools.permutations(range(k)))
        for p_i, perm in enumerate(perms):
            seq = combos[:, perm] + 1
            dur = tt[0, seq[:, 0]] + tt[seq[:, -1], 0]
            for s in range(k - 1):
                dur = dur + tt[seq[:, s], seq[:, s + 1]]
            better = dur < best_dur
            best_dur[better] = dur[better]
            best_perm[better] = p_i
        total = best_dur + dwell
        ok = np.flatnonzero(total <= problem.shift_s + 1e-9)
        for i in ok:
            perm = perms[int(best_perm[i])]
            routes.append(Route(tuple(int(combos[i, p]) for p in perm), float(total[i])))
        log.debug("enumerate_routes: %d stops -> %d feasible of %d sets", k, ok.size, combos.shape[0])
        if ok.size == 0:
            break
    return routes
