"""Location Set Covering (LSCP) and Maximal Covering (MCLP, optionally with backup coverage).

Formulations and sources: docs/models/coverage.md (Toregas et al. 1971; Church & ReVelle 1974;
Hogan & ReVelle 1986). Pipeline: remove demand already covered by existing units -> merge identical
rows -> drop dominated candidates -> greedy(+swap) warm start -> exact MILP (HiGHS by default).
"""

from __future__ import annotations

import logging
import time

import numpy as np
from scipy.sparse import csc_array
from scipy.sparse import csr_array
from scipy.sparse import eye
from scipy.sparse import hstack
from scipy.sparse import vstack

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.coverage.greedy import greedy_lscp
from bastion.algorithms.coverage.greedy import greedy_mclp
from bastion.algorithms.coverage.problem import CoverageProblem
from bastion.algorithms.coverage.reduction import Reduced
from bastion.algorithms.coverage.reduction import merge_rows
from bastion.algorithms.coverage.reduction import reduce_covering
from bastion.algorithms.coverage.result import PlacementResult
from bastion.algorithms.optim import highs
from bastion.algorithms.optim.highs import MilpBackend
from bastion.algorithms.optim.highs import MilpModel
from bastion.algorithms.optim.highs import MilpSolution
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

_HIGHS_NO_PRESOLVE = highs.backend(presolve=False)
"""Default backend of the covering solvers: their models arrive already reduced (see optim.highs.solve)."""


def _check_p(problem: CoverageProblem, p: int) -> None:
    if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
        raise InvalidInput(f"p must be a whole number of new units >= 0, got {p!r}", field="p")
    n_free = problem.n_candidates - len(problem.fixed)
    if p > n_free:
        raise InvalidInput(
            f"p must be at most {n_free} (candidates that are not existing units), got {p}; add candidates or lower p",
            field="p",
        )


def _nonfixed(problem: CoverageProblem) -> IntArray:
    mask = np.ones(problem.n_candidates, dtype=bool)
    mask[problem.fixed] = False
    return np.flatnonzero(mask)


def _result(
    problem: CoverageProblem, model: str, chosen: IntArray, sol: MilpSolution | None, *, objective: float,
    bound: float, t0: float, rows: int, cols: int, heuristic: float | None, backup: float | None = None,
) -> PlacementResult:
    chosen = np.unique(chosen.astype(np.int64))
    open_ = np.union1d(problem.fixed, chosen)
    total = float(problem.demand_weight.sum())
    cw = problem.covered_weight(open_)
    gap = 0.0 if sol is None else sol.gap
    return PlacementResult(
        model=model, status="optimal" if sol is None else sol.status, objective=objective, bound=bound, gap=gap,
        chosen=tuple(int(c) for c in chosen), open=tuple(int(c) for c in open_), covered_weight=cw,
        covered_share=cw / total if total > 0 else 1.0, runtime_s=time.perf_counter() - t0,
        solver="trivial" if sol is None else sol.solver, model_rows=rows, model_candidates=cols,
        heuristic_objective=heuristic, backup_covered_weight=backup,
    )


def solve_lscp(
    problem: CoverageProblem, *, time_limit_s: float | None = None, reduce: bool = True,
    backend: MilpBackend | None = None,
) -> PlacementResult:
    """Fewest new units so that every demand point is within standard_s of an open unit.

    Raises Infeasible if some demand point is out of reach of every candidate (weights are ignored:
    every listed point must be covered; drop points you accept leaving uncovered)."""
    t0 = time.perf_counter()
    backend = backend or _HIGHS_NO_PRESOLVE
    reach_any = np.asarray(problem.cover.sum(axis=1)).ravel() > 0
    if not reach_any.all():
        bad = np.flatnonzero(~reach_any)
        raise Infeasible(
            f"{len(bad)} demand point(s) (e.g. rows {bad[:5].tolist()}) are farther than standard_s="
            f"{problem.standard_s:.0f} s from every candidate; add candidates near them or drop them"
        )
    rows = problem.coverage_count(problem.fixed) == 0
    nf = _nonfixed(problem)
    if not rows.any():
        return _result(
            problem, "lscp", np.zeros(0, np.int64), None, objective=0.0, bound=0.0, t0=t0, rows=0, cols=0, heuristic=0.0
        )
    a = csr_array(problem.cover[np.flatnonzero(rows)][:, nf])
    red = _reduce(a, np.ones(a.shape[0]), reduce=reduce, dominated=True)
    ra = red.a
    g, k = ra.shape
    x0 = greedy_lscp(ra)
    heur = float(len(x0))
    if g == 0:
        chosen_cols = np.zeros(0, np.int64)
        sol = None
        obj = bound = 0.0
    else:
        warm = np.zeros(k)
        warm[x0] = 1.0
        model = MilpModel(
            c=np.ones(k), a=csc_array(ra, dtype=np.float64), row_lower=np.ones(g), row_upper=np.full(g, np.inf),
            col_lower=np.zeros(k), col_upper=np.ones(k), integer=np.ones(k, dtype=bool),
        )
        sol = backend(model, time_limit_s, warm)
        chosen_cols = np.flatnonzero(sol.x > 0.5)
        obj, bound = float(len(chosen_cols)), float(np.ceil(sol.bound - 1e-6))
    chosen = nf[red.candidates[chosen_cols]]
    res = _result(problem, "lscp", chosen, sol, objective=obj, bound=bound, t0=t0, rows=g, cols=k, heuristic=heur)
    log.debug("lscp: %d new units (greedy %d), %s, %.3f s", obj, heur, res.status, res.runtime_s)
    return res


def solve_mclp(
    problem: CoverageProblem,
    p: int,
    *,
    backup: bool = False,
    backup_weight: float = 0.5,
    time_limit_s: float | None = None,
    reduce: bool = True,
    warm_start: bool = True,
    backend: MilpBackend | None = None,
) -> PlacementResult:
    """Place p new units (existing units in problem.fixed stay) to maximise demand weight covered.

    backup=True maximises covered weight + backup_weight * weight covered at least twice
    (Hogan & ReVelle 1986, BACOP2-style weighting; 0 < backup_weight <= 1)."""
    t0 = time.perf_counter()
    _check_p(problem, p)
    backend = backend or _HIGHS_NO_PRESOLVE
    if backup and not (0.0 < backup_weight <= 1.0):
        raise InvalidInput(f"backup_weight must be in (0, 1], got {backup_weight}", field="backup_weight")
    if backup:
        return _solve_backup(problem, int(p), backup_weight, time_limit_s, reduce, warm_start, backend, t0)
    w = problem.demand_weight
    nf = _nonfixed(problem)
    by_fixed = problem.coverage_count(problem.fixed) > 0
    base = float(w[by_fixed].sum())
    a_nf = csr_array(problem.cover[:, nf])
    coverable = np.diff(a_nf.indptr) > 0
    rows = np.flatnonzero(~by_fixed & (w > 0) & coverable)
    a = csr_array(a_nf[rows])
    red = _reduce(a, w[rows], reduce=reduce, dominated=True)
    ra, rw = red.a, red.weight
    g, k = ra.shape
    heur_cols = greedy_mclp(ra, rw, p) if (warm_start and k) else np.zeros(0, np.int64)
    heur = base + _covered(ra, rw, heur_cols)
    if k <= p or g == 0:  # every useful candidate fits: take them all
        cols, sol = np.arange(k), None
        obj_red = bound_red = _covered(ra, rw, cols)
    else:
        model = MilpModel(
            c=np.concatenate([np.zeros(k), -rw]),
            a=csc_array(vstack([hstack([-ra.astype(np.float64), eye(g)]),
                                csr_array(np.concatenate([np.ones(k), np.zeros(g)])[None, :])])),
            row_lower=np.full(g + 1, -np.inf), row_upper=np.concatenate([np.zeros(g), [float(p)]]),
            col_lower=np.zeros(k + g), col_upper=np.ones(k + g),
            integer=np.concatenate([np.ones(k, bool), np.zeros(g, bool)]),
        )
        warm = None
        if warm_start:
            xw = np.zeros(k)
            xw[heur_cols] = 1.0
            warm = np.concatenate([xw, np.minimum(1.0, ra.astype(np.float64) @ xw)])
        sol = backend(model, time_limit_s, warm)
        cols = np.flatnonzero(sol.x[:k] > 0.5)
        obj_red, bound_red = _covered(ra, rw, cols), -sol.bound
    chosen = _pad(problem, nf[red.candidates[cols]], p)
    res = _result(problem, "mclp", chosen, sol, objective=base + obj_red, bound=base + bound_red, t0=t0,
                  rows=g, cols=k, heuristic=heur)
    log.debug("mclp p=%d: covered %.6g (greedy %.6g) bound %.6g %s %.3f s", p, res.objective, heur, res.bound,
              res.status, res.runtime_s)
    return res


def _solve_backup(
    problem: CoverageProblem, p: int, beta: float, time_limit_s: float | None, reduce: bool, warm_start: bool,
    backend: MilpBackend, t0: float,
) -> PlacementResult:
    w = problem.demand_weight
    nf = _nonfixed(problem)
    f = np.minimum(problem.coverage_count(problem.fixed), 2)
    a_all = csr_array(problem.cover[:, nf])
    reach = np.asarray(a_all.sum(axis=1)).ravel() > 0
    in_model = (w > 0) & (f < 2) & reach
    out = ~in_model
    base = float((w[out] * ((f[out] >= 1) + beta * (f[out] >= 2))).sum())
    rows = np.flatnonzero(in_model)
    a = csr_array(a_all[rows])
    if reduce:
        ra, rw, grp = merge_rows(a, w[rows], extra_key=f[rows])
        fg = np.zeros(ra.shape[0], dtype=np.int64)
        fg[grp] = f[rows]  # fixed-unit count of each group (identical within a group by construction)
    else:
        ra, rw, fg = a, w[rows], f[rows]
    keep = np.flatnonzero(np.asarray(ra.sum(axis=0)).ravel() > 0)
    ra = csr_array(ra[:, keep])
    g, k = ra.shape
    primary_heur = greedy_mclp(ra, rw, p) if (warm_start and k) else np.zeros(0, np.int64)

    def value(cols: IntArray) -> tuple[float, float]:
        x = np.zeros(k)
        x[cols] = 1.0
        n = fg + (ra.astype(np.float64) @ x if k else 0)
        return float(rw[n >= 1].sum()), float(rw[n >= 2].sum())

    h1, h2 = value(primary_heur)
    heur = base + h1 + beta * h2
    if k <= p or g == 0:
        cols, sol = np.arange(k), None
        c1, c2 = value(cols)
        bound = base + c1 + beta * c2
    else:
        af = ra.astype(np.float64)
        ident = eye(g, format="csr")
        top = hstack([-af, ident, ident])  # y + b - sum x <= f
        mid = hstack([csr_array((g, k)), -ident, ident])  # b - y <= 0
        last = csr_array(np.concatenate([np.ones(k), np.zeros(2 * g)])[None, :])
        model = MilpModel(
            c=np.concatenate([np.zeros(k), -rw, -beta * rw]),
            a=csc_array(vstack([top, mid, last])),
            row_lower=np.full(2 * g + 1, -np.inf),
            row_upper=np.concatenate([fg.astype(np.float64), np.zeros(g), [float(p)]]),
            col_lower=np.zeros(k + 2 * g), col_upper=np.ones(k + 2 * g),
            integer=np.concatenate([np.ones(k, bool), np.zeros(2 * g, bool)]),
        )
        warm = None
        if warm_start:
            xw = np.zeros(k)
            xw[primary_heur] = 1.0
            n = fg + af @ xw
            warm = np.concatenate([xw, (n >= 1).astype(float), (n >= 2).astype(float)])
        sol = backend(model, time_limit_s, warm)
        cols = np.flatnonzero(sol.x[:k] > 0.5)
        bound = base - sol.bound
    c1, c2 = value(cols)
    chosen = _pad(problem, nf[keep[cols]], p)
    res = _result(problem, "mclp_backup", chosen, sol, objective=base + c1 + beta * c2, bound=bound, t0=t0,
                  rows=g, cols=k, heuristic=heur)
    twice = float(w[problem.coverage_count(np.array(res.open, dtype=np.int64)) >= 2].sum())
    return PlacementResult(**{**res.__dict__, "backup_covered_weight": twice})


def _reduce(a: csr_array, w: FloatArray, *, reduce: bool, dominated: bool) -> Reduced:
    if reduce:
        return reduce_covering(a, w, drop_dominated=dominated)
    return Reduced(a=csr_array(a, dtype=np.int8), weight=np.asarray(w, dtype=np.float64),
                   group_of=np.arange(a.shape[0]), candidates=np.arange(a.shape[1]))


def _covered(a: csr_array, w: FloatArray, cols: IntArray) -> float:
    if len(cols) == 0 or a.shape[0] == 0:
        return 0.0
    x = np.zeros(a.shape[1])
    x[cols] = 1.0
    return float(w[(a.astype(np.float64) @ x) > 0].sum())


def _pad(problem: CoverageProblem, chosen: IntArray, p: int) -> IntArray:
    """Fill up to p new units when fewer were needed: largest own coverage first, then lowest index."""
    if len(chosen) >= p:
        return chosen
    nf = _nonfixed(problem)
    rest = np.setdiff1d(nf, chosen)
    own = np.asarray(problem.cover[:, rest].T.astype(np.float64) @ problem.demand_weight).ravel()
    order = rest[np.lexsort((rest, -own))]
    return np.concatenate([chosen, order[: p - len(chosen)]])
