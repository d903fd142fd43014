"""Schedule-constrained security games: teams do patrol routes (ASPEN-style column generation).

Two models (Kiekintveld et al. 2009 ERASER-C; Jain et al. AAMAS 2010 ASPEN; Korzhyk, Conitzer & Parr AAAI 2010):

* ``model="joint"`` (default, implementable): a pure strategy is a day plan J of at most R site-disjoint routes
  (a team covering a site already covered adds nothing, and dropping a stop keeps a route feasible when travel
  times obey the triangle inequality). y_J >= 0, sum_J y_J <= 1 (the rest: all teams in reserve),
  c_t = sum_J [t in J] y_J. Sampling a day = drawing one plan, so realised coverage equals c exactly.
* ``model="marginal"`` (ERASER-C relaxation): x_r >= 0 = expected number of teams on route r, sum_r x_r <= R,
  c = A x <= 1. An upper bound on the joint model; with routes of >= 3 stops c may not be implementable
  (Korzhyk et al.: NP-hard in general), which :func:`bastion.algorithms.games.sampling.comb_route_coverage` measures.

The strong Stackelberg equilibrium is the best of one LP per candidate attacked target t* (the multiple-LPs
method, Conitzer & Sandholm 2006):

    LP(t*):  max  Du_t* + g_t* c_t*
             s.t. Au_t* - d_t* c_t* >= Au_t - d_t c_t   for all t   (t* is a best response)
                  c = coverage of the column mix (above)

Each LP is solved by column generation: the restricted master (HiGHS simplex, warm-started) holds a pool of
columns; its duals y give each site a weight w_t; pricing finds the column of largest total weight, exactly:
:func:`bastion.algorithms.games.routes.best_routes` (one route, prize-collecting orienteering by branch and bound)
for the marginal model, :func:`bastion.algorithms.games.routes.best_joint_schedules` (greedy, then exact set
packing over routes on the positive-weight sites) for the joint model. No column with positive reduced profit
proves the LP optimal. Phase 1 (minimise artificial slack on the incentive rows) proves LP(t*) infeasible
when t* cannot be made a best response. A candidate whose upper bound (Dc_t*) cannot beat the incumbent is
pruned, and the search stops when the incumbent reaches the ORIGAMI value of the game with R * max_stops free
resources. If ``max_iterations`` stops an LP early its Lagrangian bound z + K * max(0, best reduced profit)
(K = R marginal, 1 joint) is reported as the bound.

The baseline, :func:`solve_schedules_milp`, is ERASER-C (ERASER with one column per route) over every route
from :func:`bastion.algorithms.games.routes.enumerate_routes`; it solves the marginal model.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.origami import solve_origami
from bastion.algorithms.games.pricing import best_joint_schedules
from bastion.algorithms.games.pricing import best_routes
from bastion.algorithms.games.routes import JointSchedule
from bastion.algorithms.games.routes import PatrolProblem
from bastion.algorithms.games.routes import Route
from bastion.algorithms.games.routes import RouteTable
from bastion.algorithms.games.routes import route_table
from bastion.algorithms.optim import highs
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import SolverError

log = logging.getLogger(__name__)

_TOL = 1e-9


@dataclass(frozen=True)
class ScheduleSolution:
    coverage: FloatArray  # (n_sites,) c = A x
    attacked_target: int
    defender_utility: float
    attacker_utility: float
    model: str  # "joint" (implementable day plans) or "marginal" (route weights, a relaxation)
    plans: tuple[JointSchedule, ...]  # joint: day plans; marginal: one single-route plan per route
    weights: FloatArray  # joint: probability of each plan (sum <= 1; the rest = all teams in reserve)
    #                      marginal: expected number of teams on each route (sum <= n_teams)
    status: str  # "optimal" or "iteration_limit"
    runtime_s: float
    method: str
    objective: float
    bound: float  # proven upper bound on the defender's utility
    gap: float
    n_columns: int  # routes generated (column generation) or enumerated (MILP)
    n_lps: int  # master LPs solved (column generation); 0 for the MILP

    @property
    def routes(self) -> tuple[Route, ...]:
        """All routes of all plans (marginal model: aligned with ``weights``)."""
        return tuple(r for plan in self.plans for r in plan.routes)


@dataclass
class _LPResult:
    status: str  # "optimal", "infeasible", "iteration_limit"
    objective: float
    bound: float
    x: FloatArray


def _site_matrix(game: SecurityGame, tstar: int) -> sp.csc_matrix:
    """Contribution of covering one site to the master rows: cap rows (n), incentive rows (n), team row."""
    n = game.n_targets
    d = game.attacker_uncovered - game.attacker_covered
    others = np.array([t for t in range(n) if t != tstar], dtype=np.int64)
    rows = np.concatenate([np.arange(n), n + others, n + others])
    cols = np.concatenate([np.arange(n), others, np.full(others.size, tstar)])
    vals = np.concatenate([np.ones(n), d[others], np.full(others.size, -d[tstar])])
    return sp.csc_matrix((vals, (rows, cols)), shape=(2 * n + 1, n))


def _route_columns(e: sp.csc_matrix, routes: Sequence[Route | JointSchedule], n: int) -> sp.csc_matrix:
    if not routes:
        return sp.csc_matrix((e.shape[0], 0))
    cols = np.concatenate([np.full(len(r.stops), j) for j, r in enumerate(routes)])
    sites = np.concatenate([np.asarray(r.stops, dtype=np.int64) for r in routes])
    incidence = sp.csc_matrix((np.ones(sites.size), (sites, cols)), shape=(n, len(routes)))
    team = sp.csc_matrix(
        (np.ones(len(routes)), (np.full(len(routes), 2 * n), np.arange(len(routes)))), shape=(e.shape[0], len(routes))
    )
    out = sp.csc_matrix(e @ incidence + team)
    out.sort_indices()
    return out


def _add_routes(lp: highs.LpSession, e: sp.csc_matrix, routes: Sequence[Route | JointSchedule], n: int,
                cost_site: FloatArray) -> None:
    cost = np.array([cost_site[list(r.stops)].sum() for r in routes], dtype=np.float64)
    lp.add_columns(cost, np.zeros(len(routes)), np.full(len(routes), highs.INF), _route_columns(e, routes, n))


def _solve_target(
    problem: PatrolProblem, tstar: int, pool: list[Route | JointSchedule], *, joint: bool, max_iterations: int,
    columns_per_pricing: int, table: RouteTable | None,
) -> _LPResult:
    game = problem.game
    n = game.n_targets
    au = game.attacker_uncovered
    gain = game.defender_covered - game.defender_uncovered
    e = _site_matrix(game, tstar)
    row_lo = np.concatenate([np.full(n, -highs.INF), au - au[tstar], [-highs.INF]])
    row_lo[n + tstar] = -highs.INF
    capacity = 1.0 if joint else float(problem.n_teams)
    row_hi = np.concatenate([np.ones(n), np.full(n, highs.INF), [capacity]])
    lp = highs.LpSession(maximize=True, presolve=False, feasibility_tol=highs.EXACT["feasibility_tol"],
                         what=f"master LP for target {tstar}")
    lp.add_empty_rows(row_lo, row_hi)
    # Artificial slack on incentive rows (phase 1), columns 0..n-1; then routes from column n on.
    slack_hi = np.ones(n) * highs.INF
    slack_hi[tstar] = 0.0
    lp.add_columns(-np.ones(n), np.zeros(n), slack_hi,
                   sp.csc_matrix((np.ones(n), (n + np.arange(n), np.arange(n))), shape=(2 * n + 1, n)))
    zero = np.zeros(n)
    phase2_cost = np.zeros(n)
    phase2_cost[tstar] = gain[tstar]
    _add_routes(lp, e, pool, n, zero)

    iterations = 0
    for phase, cost_site in ((1, zero), (2, phase2_cost)):
        if phase == 2:
            lp.set_bounds(np.arange(n), np.zeros(n), np.zeros(n))
            lp.set_costs(np.arange(n), np.zeros(n))
            route_cost = np.array([cost_site[list(r.stops)].sum() for r in pool])
            lp.set_costs(n + np.arange(len(pool)), route_cost)
        while True:
            z, y = lp.solve()
            w = cost_site - e.T @ y  # reduced profit of covering each site
            new: list[tuple[float, Route]] | list[tuple[float, JointSchedule]]
            if joint:
                new = best_joint_schedules(
                    problem, w, min_value=float(y[2 * n]) + 1e-7, limit=columns_per_pricing, table=table
                )
            else:
                new = best_routes(problem, w, min_value=float(y[2 * n]) + 1e-7, limit=columns_per_pricing)
            if not new:
                break
            iterations += 1
            if iterations > max_iterations:
                if phase == 1:
                    raise SolverError(
                        f"column generation for target {tstar} hit max_iterations={max_iterations} in phase 1"
                    )
                if joint:  # the greedy answer may not be the best plan: price exactly for the bound
                    new = best_joint_schedules(problem, w, min_value=float(y[2 * n]), table=table, exact=True)
                best_rc = (new[0][0] - float(y[2 * n])) if new else 0.0
                bound = z + capacity * max(0.0, best_rc)
                x = lp.x()[n:]
                base = game.defender_uncovered[tstar]
                return _LPResult("iteration_limit", base + z, base + bound, x)
            columns = [r for _, r in new]
            pool.extend(columns)
            _add_routes(lp, e, columns, n, cost_site)
        if phase == 1 and z < -1e-7:
            return _LPResult("infeasible", -np.inf, -np.inf, np.zeros(0))
    x = lp.x()[n:]
    obj = float(game.defender_uncovered[tstar] + z)
    return _LPResult("optimal", obj, obj, x)


def _as_plan(column: Route | JointSchedule) -> JointSchedule:
    return column if isinstance(column, JointSchedule) else JointSchedule((column,))


def _finish(
    problem: PatrolProblem,
    columns: Sequence[Route | JointSchedule],
    x: FloatArray,
    tstar: int,
    *,
    model: str,
    status: str,
    t0: float,
    method: str,
    objective: float,
    bound: float,
    n_columns: int,
    n_lps: int,
) -> ScheduleSolution:
    game = problem.game
    keep = np.flatnonzero(x > 1e-9)
    coverage = np.zeros(problem.n_sites)
    for j in keep:
        coverage[list(columns[int(j)].stops)] += x[j]
    coverage = np.clip(coverage, 0.0, 1.0)
    gap = highs.relative_gap(objective, bound, maximize=True)
    return ScheduleSolution(
        coverage=coverage,
        attacked_target=tstar,
        defender_utility=float(game.defender_utilities(coverage)[tstar]),
        attacker_utility=float(game.attacker_utilities(coverage)[tstar]),
        model=model,
        plans=tuple(_as_plan(columns[int(j)]) for j in keep),
        weights=x[keep].copy(),
        status=status,
        runtime_s=time.perf_counter() - t0,
        method=method,
        objective=objective,
        bound=bound,
        gap=gap,
        n_columns=n_columns,
        n_lps=n_lps,
    )


def solve_schedules(
    problem: PatrolProblem,
    *,
    model: Literal["joint", "marginal"] = "joint",
    max_iterations: int = 500,
    columns_per_pricing: int = 8,
) -> ScheduleSolution:
    """SSE of a patrol-route game by column generation (one master LP per candidate target, pruned)."""
    if model not in ("joint", "marginal"):
        raise InvalidInput(f"model must be 'joint' or 'marginal', got {model!r}", field="model")
    joint = model == "joint"
    # Joint pricing works on the table of feasible routes (built once; needs max_stops).
    table = route_table(problem) if joint and problem.max_stops is not None else None
    t0 = time.perf_counter()
    game = problem.game
    n = game.n_targets
    reach = problem.reachable()
    singles = [Route((int(t),), problem.route_duration_s((int(t),))) for t in np.flatnonzero(reach)]
    pool: list[Route | JointSchedule] = [JointSchedule((r,)) for r in singles] if joint else list(singles)
    k_eff = problem.max_stops if problem.max_stops is not None else n
    relaxed = SecurityGame.from_arrays(
        game.defender_covered,
        game.defender_uncovered,
        game.attacker_covered,
        game.attacker_uncovered,
        min(n, problem.n_teams * k_eff),
    )
    ceiling = solve_origami(relaxed).defender_utility
    upper = np.where(reach, game.defender_covered, game.defender_uncovered)
    order = np.argsort(-upper, kind="stable")
    best: tuple[float, int, FloatArray, int] | None = None
    open_bound = -np.inf
    n_lps = 0
    for tstar in order:
        tstar = int(tstar)
        if best is not None and (upper[tstar] <= best[0] + _TOL or best[0] >= ceiling - 1e-9):
            continue
        res = _solve_target(
            problem,
            tstar,
            pool,
            joint=joint,
            max_iterations=max_iterations,
            columns_per_pricing=columns_per_pricing,
            table=table,
        )
        n_lps += 1
        if res.status == "infeasible":
            continue
        if res.status == "iteration_limit":
            open_bound = max(open_bound, res.bound)
        if best is None or res.objective > best[0]:
            best = (res.objective, tstar, res.x, len(pool))
    if best is None:
        raise Infeasible("no target can be made the attacker's best response; check payoffs and reachability")
    objective, tstar, x, n_cols = best
    bound = max(objective, open_bound)
    status = "optimal" if bound <= objective + 1e-9 else "iteration_limit"
    log.debug(
        "column generation: %d sites, %d teams, %d LPs, %d routes, obj %.6g",
        n,
        problem.n_teams,
        n_lps,
        len(pool),
        objective,
    )
    return _finish(
        problem,
        pool[:n_cols],
        x,
        tstar,
        model=model,
        status=status,
        t0=t0,
        method="column-generation",
        objective=objective,
        bound=bound,
        n_columns=len(pool),
        n_lps=n_lps,
    )


def solve_schedules_milp(
    problem: PatrolProblem,
    routes: Sequence[Route | JointSchedule],
    *,
    n_teams: int | None = None,
    time_limit_s: float | None = None,
) -> ScheduleSolution:
    """ERASER-C: the ERASER MILP with one continuous column per route (the full-enumeration baseline).

    Marginal model with ``problem.n_teams``; given joint schedules and ``n_teams=1`` it solves the joint model.
    """
    teams = problem.n_teams if n_teams is None else n_teams
    t0 = time.perf_counter()
    game = problem.game
    n, nr = game.n_targets, len(routes)
    cols = np.concatenate([np.full(len(r.stops), j) for j, r in enumerate(routes)])
    sites = np.concatenate([np.asarray(r.stops, dtype=np.int64) for r in routes])
    a = sp.csr_matrix((np.ones(sites.size), (sites, cols)), shape=(n, nr))
    gain = game.defender_covered - game.defender_uncovered
    drop = game.attacker_uncovered - game.attacker_covered
    m_d = game.defender_covered.max() - game.defender_uncovered
    m_a = game.attacker_uncovered.max() - game.attacker_covered
    ones = np.ones((n, 1))
    z_n = sp.csr_matrix((n, n))
    # columns: x (nr), a (n), d, k
    blocks = [
        [a, z_n, None, None],  # A x <= 1
        [sp.csr_matrix(np.ones((1, nr))), None, None, None],  # sum x <= R
        [-sp.diags(gain) @ a, sp.diags(m_d), ones, None],  # d - g (Ax) + M a <= Du + M
        [sp.diags(drop) @ a, None, None, ones],  # k + d (Ax) >= Au
        [sp.diags(drop) @ a, sp.diags(m_a), None, ones],  # k + d (Ax) + M' a <= Au + M'
        [None, sp.csr_matrix(np.ones((1, n))), None, None],  # sum a = 1
    ]
    mat = sp.bmat(blocks, format="csc")
    inf = highs.INF
    row_lo = np.concatenate(
        [np.full(n, -inf), [-inf], np.full(n, -inf), game.attacker_uncovered, np.full(n, -inf), [1.0]]
    )
    row_hi = np.concatenate(
        [
            np.ones(n),
            [float(teams)],
            game.defender_uncovered + m_d,
            np.full(n, inf),
            game.attacker_uncovered + m_a,
            [1.0],
        ]
    )
    n_cols = nr + n + 2
    cost = np.zeros(n_cols)
    cost[nr + n] = 1.0
    col_lo = np.concatenate([np.zeros(nr + n), [game.defender_uncovered.min(), game.attacker_covered.min()]])
    col_hi = np.concatenate(
        [np.full(nr, inf), np.ones(n), [game.defender_covered.max(), game.attacker_uncovered.max()]]
    )
    integer = np.zeros(n_cols, dtype=bool)
    integer[nr : nr + n] = True
    model = highs.MilpModel(cost, mat, row_lo, row_hi, col_lo, col_hi, integer, maximize=True)
    res = highs.solve(model, time_limit_s=time_limit_s, what="ERASER-C route MILP", **highs.EXACT)
    tstar = int(np.argmax(res.x[nr : nr + n]))
    return _finish(
        problem,
        routes,
        res.x[:nr],
        tstar,
        model="marginal",
        status=res.status,
        t0=t0,
        method="route-enumeration-milp",
        objective=res.objective,
        bound=res.bound,
        n_columns=nr,
        n_lps=0,
    )
