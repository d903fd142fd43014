"""p-median: place p new units to minimise the demand-weighted travel time to the nearest open unit.

Two exact formulations (docs/models/coverage.md):
- ``"radius"`` (default): Elloumi's (2010) covering-based radius formulation with radius aggregation
  (García, Labbé & Marín 2011), LP row generation and reduced-cost fixing — ``pmedian_radius.py``.
- ``"assignment"``: ReVelle & Swain (1970), strong linking z_ij <= x_j; kept for comparison (bench/pmedian.py).
Exact reductions for both: identical travel-time rows merge (weights add); with existing units, an
assignment slower than the nearest existing unit is never needed, so those pairs are not generated.
"""

from __future__ import annotations

import logging
import time

import numpy as np
from scipy.sparse import coo_array
from scipy.sparse import csc_array

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.coverage.covering import _check_p
from bastion.algorithms.coverage.covering import _nonfixed
from bastion.algorithms.coverage.covering import _result
from bastion.algorithms.coverage.pmedian_radius import solve_radius
from bastion.algorithms.coverage.problem import CoverageProblem
from bastion.algorithms.coverage.result import PlacementResult
from bastion.algorithms.optim import highs
from bastion.algorithms.optim.highs import MilpBackend
from bastion.algorithms.optim.highs import MilpModel
from bastion.algorithms.optim.highs import MilpSolution
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

_GREEDY_MAX_WORK = 50_000_000  # skip the greedy warm start above rows * candidates * p
FORMULATIONS = ("radius", "assignment")


def total_weighted_time(problem: CoverageProblem, open_: IntArray) -> float:
    """sum_i w_i * min_{j open} t_ij, seconds (inf if some weighted point is unreachable)."""
    if len(open_) == 0:
        return float("inf")
    best = problem.travel_time_s[:, np.asarray(open_, dtype=np.int64)].min(axis=1)
    w = problem.demand_weight
    return float((w[w > 0] * best[w > 0]).sum())


def solve_p_median(
    problem: CoverageProblem, p: int, *, time_limit_s: float | None = None, backend: MilpBackend | None = None,
    formulation: str = "radius",
) -> PlacementResult:
    """Exact p-median with existing units (problem.fixed) kept open. objective = sum w*t in seconds.

    formulation: "radius" (default, fast for small p) or "assignment" (the classical model, for comparison);
    both prove optimality (status "optimal", gap 0) unless time_limit_s stops them."""
    t0 = time.perf_counter()
    _check_p(problem, p)
    if formulation not in FORMULATIONS:
        raise InvalidInput(f"formulation must be one of {FORMULATIONS}, got {formulation!r}", field="formulation")
    w = problem.demand_weight
    t_all = problem.travel_time_s
    nf = _nonfixed(problem)
    rows = np.flatnonzero(w > 0)
    t = t_all[rows]
    if len(rows) == 0:
        return _result(
            problem, "p_median", nf[:p], None, objective=0.0, bound=0.0, t0=t0, rows=0, cols=0, heuristic=0.0
        )
    reach_new = np.isfinite(t[:, nf]).any(axis=1) if (p > 0 and len(nf)) else np.zeros(len(rows), bool)
    reach_fixed = np.isfinite(t[:, problem.fixed]).any(axis=1) if len(problem.fixed) else np.zeros(len(rows), bool)
    if not (reach_fixed | reach_new).all():
        bad = rows[~(reach_fixed | reach_new)]
        raise Infeasible(
            f"{len(bad)} weighted demand point(s) (e.g. rows {bad[:5].tolist()}) are unreachable from every candidate"
        )
    uniq, inv = np.unique(t, axis=0, return_inverse=True)
    inv = np.asarray(inv).ravel()
    wg = np.bincount(inv, weights=w[rows]).astype(np.float64)
    g = uniq.shape[0]
    t_fix = uniq[:, problem.fixed].min(axis=1) if len(problem.fixed) else np.full(g, np.inf)
    tn = uniq[:, nf]
    if formulation == "radius":
        return _solve_radius(problem, p, tn, t_fix, wg, nf, time_limit_s, backend, t0)
    backend = backend or highs.backend()
    pair = np.isfinite(tn) & (tn < t_fix[:, None])  # only pairs that can beat the nearest existing unit
    pi, pj = np.nonzero(pair)
    k, npair = len(nf), len(pi)
    has_fix = np.isfinite(t_fix)
    fi = np.flatnonzero(has_fix)
    # columns: x (k) | z pairs (npair) | z to nearest existing unit (len(fi))
    n_col = k + npair + len(fi)
    cost = np.concatenate([np.zeros(k), wg[pi] * tn[pi, pj], wg[fi] * t_fix[fi]])
    r_assign = np.concatenate([pi, fi])  # row i: sum z = 1
    c_assign = np.concatenate([k + np.arange(npair), k + npair + np.arange(len(fi))])
    rows_link = g + np.arange(npair)  # z_ij - x_j <= 0
    data = np.concatenate([np.ones(len(r_assign)), np.ones(npair), -np.ones(npair), np.ones(k)])
    ri = np.concatenate([r_assign, rows_link, rows_link, np.full(k, g + npair)])
    ci = np.concatenate([c_assign, k + np.arange(npair), pj, np.arange(k)])
    a = csc_array(coo_array((data, (ri, ci)), shape=(g + npair + 1, n_col)))
    n_new = min(p, k)
    model = MilpModel(
        c=cost, a=a,
        row_lower=np.concatenate([np.ones(g), np.full(npair, -np.inf), [float(n_new)]]),
        row_upper=np.concatenate([np.ones(g), np.zeros(npair), [float(n_new)]]),
        col_lower=np.zeros(n_col), col_upper=np.ones(n_col),
        integer=np.concatenate([np.ones(k, bool), np.zeros(npair + len(fi), bool)]),
    )
    warm, heur = None, None
    if g * k * max(n_new, 1) <= _GREEDY_MAX_WORK and n_new > 0:
        picks = _greedy(tn, t_fix, wg, n_new)
        heur = float((wg * np.minimum(t_fix, tn[:, picks].min(axis=1))).sum())
        warm = _warm_vector(picks, tn, t_fix, pi, pj, fi, k)
    sol = backend(model, time_limit_s, warm)
    chosen = nf[np.flatnonzero(sol.x[:k] > 0.5)]
    obj = total_weighted_time(problem, np.union1d(problem.fixed, chosen))
    res = _result(
        problem, "p_median", chosen, sol, objective=obj, bound=sol.bound, t0=t0, rows=g, cols=k, heuristic=heur
    )
    log.debug("p-median p=%d: %.6g s (bound %.6g) %s %.3f s", p, obj, sol.bound, res.status, res.runtime_s)
    return res


def _solve_radius(
    problem: CoverageProblem, p: int, tn: FloatArray, t_fix: FloatArray, wg: FloatArray, nf: IntArray,
    time_limit_s: float | None, backend: MilpBackend | None, t0: float,
) -> PlacementResult:
    g, k = tn.shape
    if p == 0:  # nothing to place: every weighted point goes to its nearest existing unit
        if not np.isfinite(t_fix).all():
            raise Infeasible("p = 0 new units but some weighted demand point is unreachable from every existing unit")
        obj = float(wg @ t_fix)
        return _result(problem, "p_median", np.zeros(0, np.int64), None, objective=obj, bound=obj, t0=t0,
                       rows=g, cols=k, heuristic=obj)
    out = solve_radius(tn, t_fix, wg, p, time_limit_s=time_limit_s, backend=backend)
    chosen = nf[out.picks]
    obj = total_weighted_time(problem, np.union1d(problem.fixed, chosen))
    gap = max(0.0, (obj - out.bound) / max(abs(obj), 1e-9)) if out.status != "optimal" else 0.0
    sol = MilpSolution(out.status, np.zeros(0), obj, out.bound, gap, time.perf_counter() - t0, out.solver, out.nodes)
    res = _result(problem, "p_median", chosen, sol, objective=obj, bound=out.bound, t0=t0, rows=g, cols=k,
                  heuristic=out.heuristic)
    log.debug("p-median (radius) p=%d: %.6g s (bound %.6g) %s, %d LP + %d MIP rounds, %.3f s", p, obj, out.bound,
              res.status, out.rounds_lp, out.rounds_mip, res.runtime_s)
    return res


def _greedy(tn: FloatArray, t_fix: FloatArray, wg: FloatArray, p: int) -> IntArray:
    cur = t_fix.copy()
    picks: list[int] = []
    for _ in range(p):
        cand = np.minimum(cur[:, None], tn)
        cand = np.where(np.isinf(cand), 1e12, cand)
        cost = wg @ cand
        cost[picks] = np.inf
        j = int(np.argmin(cost))
        picks.append(j)
        cur = np.minimum(cur, tn[:, j])
    return np.array(picks, dtype=np.int64)


def _warm_vector(
    picks: IntArray, tn: FloatArray, t_fix: FloatArray, pi: IntArray, pj: IntArray, fi: IntArray, k: int
) -> FloatArray:
    sub = tn[:, picks]
    best_j = picks[np.argmin(sub, axis=1)]
    best_t = sub.min(axis=1)
    use_new = best_t < t_fix
    x = np.zeros(k)
    x[picks] = 1.0
    z = (use_new[pi]) & (pj == best_j[pi])
    zf = ~use_new[fi]
    return np.concatenate([x, z.astype(float), zf.astype(float)])
