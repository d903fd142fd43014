"""Patrol routes: the schedule side of a schedule-constrained security game.

A route is one team's shift: leave the depot (index 0 of the travel-time matrix), visit sites in order,
dwell at each, return to the depot, all within ``shift_s``. A route covers the sites it dwells at. Sites are
numbered 0..n_sites-1; in the travel-time matrix site i is row/column i + 1. Travel times are plain arrays
(seconds), e.g. shortest road-network paths; no road-network dependency here.
"""

from __future__ import annotations

import itertools
import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.games.game import SecurityGame
from bastion.kernel.errors import InvalidInput

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
                f"game.n_resources is the number of teams and must be whole, got {game.n_resources}",
                field="n_resources",
            )
        tt = np.asarray(travel_time_s, dtype=np.float64)
        if tt.shape != (n + 1, n + 1):
            raise InvalidInput(
                f"travel_time_s must have shape ({n + 1}, {n + 1}) (depot first, then one row per site), "
                f"got {tt.shape}",
                field="travel_time_s",
            )
        if not np.all(np.isfinite(tt)) or np.any(tt < 0):
            raise InvalidInput(
                "travel_time_s must hold finite, non-negative seconds; drop sites unreachable from the depot",
                field="travel_time_s",
            )
        dw = np.asarray(dwell_s, dtype=np.float64)
        if dw.shape != (n,) or not np.all(np.isfinite(dw)) or np.any(dw < 0):
            raise InvalidInput(
                f"dwell_s must be {n} finite non-negative seconds (one per site), got shape {dw.shape}", field="dwell_s"
            )
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

    def reachable(self) -> BoolArray:
        """Sites a single-stop route can visit within the shift."""
        alone = self.travel_time_s[0, 1:] + self.dwell_s + self.travel_time_s[1:, 0]
        return alone <= self.shift_s + 1e-9

    def timeline(self, route: Route, *, rng: np.random.Generator | None = None) -> tuple[Stop, ...]:
        """Arrival and departure times (seconds after the shift start) of each stop of ``route``.

        Without ``rng`` every stop is reached as early as possible; with it, each visit's start is drawn
        uniformly over its feasible window (:func:`visit_times`).
        """
        path = np.concatenate(([0], np.asarray(route.stops, dtype=np.int64) + 1, [0]))
        legs = self.travel_time_s[path[:-1], path[1:]]
        dwell = self.dwell_s[np.asarray(route.stops, dtype=np.int64)]
        start = visit_times(legs, dwell, self.shift_s, rng=rng)
        return tuple(Stop(site, float(t), float(t + d)) for site, t, d in zip(route.stops, start, dwell, strict=True))


def visit_times(
    legs_s: npt.ArrayLike, dwell_s: npt.ArrayLike, horizon_s: float, *, rng: np.random.Generator | None = None
) -> FloatArray:
    """Start time of each visit of one sortie (seconds after it may leave the depot), drawn so it is unpredictable.

    ``legs_s``: the K + 1 travel times depot -> stop 1 -> ... -> stop K -> depot; ``dwell_s``: the K dwell times;
    the team must be back at the depot by ``horizon_s``. Visit k can start at the earliest when the team has
    left the previous stop (or the depot) and driven the leg, e_k = t_(k-1) + d_(k-1) + l_k, and at the latest
    when the rest of the sortie still fits, L_k = horizon - (d_k + l_(k+1) + d_(k+1) + ... + l_K). In visiting
    order, t_k ~ U[e_k, L_k] (the team waits before leaving, so it never loiters on site); the
    slack horizon - duration is shared at random. Without ``rng``: t_k = e_k (as early as possible).
    Which sites are visited is not touched: coverage is unchanged.
    """
    legs = np.asarray(legs_s, dtype=np.float64)
    dwell = np.asarray(dwell_s, dtype=np.float64)
    k = dwell.size
    if dwell.ndim != 1 or legs.shape != (k + 1,):
        raise InvalidInput(f"legs_s must hold one travel time more than dwell_s ({k + 1}), got {legs.shape}",
                           field="legs_s")
    if np.any(legs < 0) or np.any(dwell < 0) or not (np.all(np.isfinite(legs)) and np.all(np.isfinite(dwell))):
        raise InvalidInput("legs_s and dwell_s must be finite, non-negative seconds", field="legs_s")
    duration = float(legs.sum() + dwell.sum())
    if duration > horizon_s + 1e-6:
        raise InvalidInput(f"the sortie takes {duration:.0f} s, longer than horizon_s = {horizon_s:.0f} s",
                           field="horizon_s")
    # after starting visit j: its dwell, then every later leg and dwell
    after = dwell + np.cumsum((legs[1:] + np.append(dwell[1:], 0.0))[::-1])[::-1]
    out = np.empty(k)
    ready = 0.0
    for j in range(k):
        earliest = ready + legs[j]
        latest = max(earliest, horizon_s - after[j])
        out[j] = earliest if rng is None else rng.uniform(earliest, latest)
        ready = out[j] + dwell[j]
    return out


@dataclass(frozen=True)
class RouteTable:
    """Every feasible route as arrays: for k = 1..K, ``stops[k-1]`` is (N_k, k) in visiting order."""

    stops: tuple[IntArray, ...]
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
    stops: list[IntArray] = []
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
