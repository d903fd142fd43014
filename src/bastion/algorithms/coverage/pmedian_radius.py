"""p-median by the radius (covering) formulation with iterative radius aggregation.

Radius formulation (Elloumi 2010, "A tighter formulation of the p-median problem", J. Comb. Optim. 19):
for client i let D_i^1 < D_i^2 < ... < D_i^K be its distinct distances to the candidates (capped at the
nearest existing unit and at the distance within which some open unit is guaranteed, see below), and
S_i^k = {j : t_ij <= D_i^k}. With y_j (open a new unit at j) and z_i^k >= 0 ("i is not served within D_i^k"):

    min  sum_i w_i (D_i^1 + sum_k (D_i^{k+1} - D_i^k) z_i^k)
    s.t. z_i^k + sum_{j in S_i^k} y_j >= 1   for all i, k < K;     sum_j y_j = p;   y binary.

Its LP bound equals that of the classical assignment model but it needs no assignment variables, and
radii that no optimum needs can be left out. Aggregation (García, Labbé & Marín 2011, "Solving large
p-median problems with a radius formulation", INFORMS J. Comput. 23(4)): keep only a subset R_i of each
client's radii, charging z_i^{r_t} the coefficient D_i^{r_t + 1} - D_i^{r_{t-1} + 1}. That model is a
relaxation (its optimum is a lower bound); a solution whose true cost equals its model cost is optimal.

Algorithm: (1) greedy + interchange heuristic (upper bound, warm start, first radii); (2) LP row
generation: solve the aggregated LP, add every radius at which the LP solution's uncovered share drops
(this makes the aggregated LP value exact at that point), until the aggregated LP equals the full radius
LP; (3) MIP: solve the aggregated MIP, add for each client the radius just below its true distance in the
MIP solution, until the MIP cost equals the true cost (proven optimal) or time runs out.

Exact reductions: existing units cap each client's distance (radii at or beyond the nearest existing unit
are never needed); since only k - p of the k free candidates stay closed, any set S_i^k with more than
k - p candidates holds an open unit, so radii from there on are never needed either.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from dataclasses import replace

import highspy
import numpy as np
from scipy.sparse import coo_array
from scipy.sparse import csc_array

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.optim import highs
from bastion.algorithms.optim.highs import MilpBackend
from bastion.algorithms.optim.highs import MilpModel
from bastion.algorithms.optim.highs import MilpSolution
from bastion.algorithms.optim.highs import highs_from_model
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import SolverError

log = logging.getLogger(__name__)
_INF = highspy.kHighsInf

_LP_ROUNDS = 60  # at most this many LP row-generation rounds (only the bound's strength depends on it)
_SWAP_MAX_WORK = 2e8  # interchange heuristic: stop a pass above rows * candidates * p evaluations in total
_NEIGHBOUR_WINDOW = 3.0  # before the MIP, add the radii of one-swap neighbours within UB + this * (UB - LP)
_NEIGHBOURS_MAX = 200  # ... at most this many of them, cheapest first
_RESTRICT_MIN_SHARE = 0.2  # rebuild the model when reduced-cost fixing closes at least this share of candidates


@dataclass(frozen=True)
class RadiusOutcome:
    """Result of the radius solve on the reduced model (columns = free candidates)."""

    picks: IntArray  # chosen free candidate columns, sorted
    objective: float  # true sum w * t of picks (with the existing units)
    bound: float  # proven lower bound
    status: str  # "optimal" | "time_limit"
    solver: str
    heuristic: float | None
    rounds_lp: int
    rounds_mip: int
    radii: int  # radius rows in the last model
    nodes: int


@dataclass(frozen=True)
class _Levels:
    """Per client (row) its sorted distinct distances; flat arrays indexed by level id."""

    start: IntArray  # (g + 1,) level ids of row i are start[i]:start[i+1]
    value: FloatArray  # D_i^l
    nxt: FloatArray  # D_i^{l+1} (inf: the client has no unit beyond this level -> hard row)
    row: IntArray  # client of the level
    sorted_cols: IntArray  # (g, k) candidate order by distance per row
    count: IntArray  # |S_i^l| (number of candidates within D_i^l), prefix length into sorted_cols
    floor: FloatArray  # (g,) D_i^1 (charged always)
    cap: FloatArray  # (g,) largest distance ever needed (nearest existing unit or guaranteed level)


def _levels(tn: FloatArray, t_fix: FloatArray, p: int) -> _Levels:
    g, k = tn.shape
    order = np.argsort(tn, axis=1, kind="stable")
    sv = np.take_along_axis(tn, order, axis=1)
    limit = k - p  # a set of more than k - p free candidates always holds an open one
    starts, values, nexts, rows, counts = [0], [], [], [], []
    floor = np.empty(g)
    cap = np.empty(g)
    for i in range(g):
        v = sv[i]
        fin = v[np.isfinite(v) & (v < t_fix[i])]
        if fin.size:
            last = np.flatnonzero(np.r_[fin[1:] != fin[:-1], True])  # last position of each distinct value
            dv, cnt = fin[last], last + 1
        else:
            dv, cnt = np.zeros(0), np.zeros(0, np.int64)
        guaranteed = np.flatnonzero(cnt > limit)
        end = guaranteed[0] + 1 if guaranteed.size else dv.size  # levels [0, end) are possible distances
        top = dv[end - 1] if guaranteed.size else t_fix[i]  # the largest possible distance (inf: none)
        dv, cnt = dv[:end], cnt[:end]
        if guaranteed.size:
            dv, cnt = dv[:-1], cnt[:-1]  # at the guaranteed level nothing is uncovered: no row
        if dv.size == 0:
            if not np.isfinite(top):
                raise Infeasible(f"demand row {i} is unreachable from every candidate and has no existing unit")
            floor[i] = cap[i] = top
        else:
            floor[i] = dv[0]
            cap[i] = top
        nx = np.r_[dv[1:], top] if dv.size else np.zeros(0)
        values.append(dv)
        nexts.append(nx)
        counts.append(cnt)
        rows.append(np.full(dv.size, i, np.int64))
        starts.append(starts[-1] + dv.size)
    return _Levels(
        start=np.asarray(starts, np.int64), value=np.concatenate(values), nxt=np.concatenate(nexts),
        row=np.concatenate(rows), sorted_cols=order, count=np.concatenate(counts).astype(np.int64),
        floor=floor, cap=cap,
    )


def _tol(value: float) -> float:
    """Absolute tolerance for comparing objectives near ``value`` (finite even when value is inf)."""
    return 1e-9 * max(1.0, abs(value)) if np.isfinite(value) else 1e-9


def _dist(tn: FloatArray, t_fix: FloatArray, picks: IntArray) -> FloatArray:
    d = t_fix.copy()
    if len(picks):
        d = np.minimum(d, tn[:, picks].min(axis=1))
    return d


def _greedy_swap(tn: FloatArray, t_fix: FloatArray, wg: FloatArray, p: int, deadline: float) -> IntArray:
    """Greedy add, then best-improvement interchange (Teitz & Bart 1968) until no swap improves."""
    g, k = tn.shape
    big = np.where(np.isfinite(tn), tn, 1e15)
    cur = np.where(np.isfinite(t_fix), t_fix, 1e15)
    picks: list[int] = []
    for _ in range(p):
        cost = wg @ np.minimum(cur[:, None], big)
        cost[picks] = np.inf
        j = int(np.argmin(cost))
        picks.append(j)
        cur = np.minimum(cur, big[:, j])
    sel = np.array(picks, np.int64)
    fix = np.where(np.isfinite(t_fix), t_fix, 1e15)
    work = 0.0
    while time.perf_counter() < deadline and work < _SWAP_MAX_WORK and 0 < p < k:
        sub = big[:, sel]
        best_pos = np.argmin(sub, axis=1)
        d1 = np.minimum(sub[np.arange(g), best_pos], fix)
        base = float(wg @ d1)
        sub2 = sub.copy()
        sub2[np.arange(g), best_pos] = 1e15
        d2 = np.minimum(sub2.min(axis=1), fix) if p > 1 else fix  # distance without the nearest pick
        gain_best, move = 0.0, None
        for pos in range(p):
            d_wo = np.where(best_pos == pos, d2, d1)  # distances after removing pick `pos`
            cost = wg @ np.minimum(d_wo[:, None], big)
            cost[sel] = np.inf
            j = int(np.argmin(cost))
            if base - cost[j] > gain_best + 1e-9 * max(1.0, abs(base)):
                gain_best, move = base - float(cost[j]), (pos, j)
        work += float(g) * k * p
        if move is None:
            break
        sel[move[0]] = move[1]
    return np.sort(sel)


def _model(
    lv: _Levels, chosen: np.ndarray, wg: FloatArray, k: int, p: int, integer: bool
) -> tuple[MilpModel, IntArray]:
    """Aggregated radius model on the level ids flagged in ``chosen`` (sorted per row). Returns (model, ids)."""
    ids = np.flatnonzero(chosen)
    rows = lv.row[ids]
    coef = _coefficients(lv, ids, wg)
    hard = ~np.isfinite(lv.nxt[ids])
    m = len(ids)
    cnt = lv.count[ids]
    rr = np.repeat(np.arange(m), cnt)
    offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    cc = lv.sorted_cols[np.repeat(rows, cnt), offs]
    ri = np.concatenate([rr, np.arange(m), np.zeros(k, np.int64) + m])
    ci = np.concatenate([cc, k + np.arange(m), np.arange(k)])
    a = csc_array(coo_array((np.ones(len(ri)), (ri, ci)), shape=(m + 1, k + m)))
    model = MilpModel(
        c=np.concatenate([np.zeros(k), coef]), a=a,
        row_lower=np.concatenate([np.ones(m), [float(p)]]), row_upper=np.concatenate([np.full(m, np.inf), [float(p)]]),
        col_lower=np.zeros(k + m), col_upper=np.concatenate([np.ones(k), np.where(hard, 0.0, 1.0)]),
        integer=np.concatenate([np.full(k, integer), np.zeros(m, bool)]),
        offset=float(wg @ lv.floor),
    )
    return model, ids


def _coefficients(lv: _Levels, ids: IntArray, wg: FloatArray) -> FloatArray:
    """Cost of z for the chosen level ids (sorted): w_i (D^{r_t + 1} - D^{r_{t-1} + 1}), the first against D^1."""
    rows = lv.row[ids]
    nxt = lv.nxt[ids]
    if len(ids) == 0:
        return np.zeros(0)
    first = np.r_[True, rows[1:] != rows[:-1]]
    prev = np.where(first, lv.floor[rows], np.r_[0.0, nxt[:-1]])
    hard = ~np.isfinite(nxt)
    return np.where(hard, 0.0, wg[rows] * (np.where(hard, 0.0, nxt) - prev))


def _uncovered(lv: _Levels, y: FloatArray) -> FloatArray:
    """max(0, 1 - sum_{j in S^l} y_j) for every level id."""
    if len(lv.row) == 0:
        return np.zeros(0)
    cum = np.cumsum(y[lv.sorted_cols], axis=1)  # (g, k)
    return np.maximum(0.0, 1.0 - cum[lv.row, lv.count - 1])


def _breakpoints(lv: _Levels, f: FloatArray, tol: float = 1e-9) -> np.ndarray:
    """Level ids where the uncovered share f drops to the next level (or is the row's last level with f > 0)."""
    nxt_same = np.r_[lv.row[1:] == lv.row[:-1], False]
    f_next = np.where(nxt_same, np.r_[f[1:], 0.0], 0.0)
    return (f > tol) & (f > f_next + tol)


def _true_level_mask(lv: _Levels, d: FloatArray) -> np.ndarray:
    """Level ids l with D^l < d_i <= D^{l+1}: the radius that charges a client its true distance d_i."""
    di = d[lv.row]
    return (lv.value < di) & (lv.nxt >= di)


def solve_radius(
    tn: FloatArray, t_fix: FloatArray, wg: FloatArray, p: int, *, time_limit_s: float | None,
    backend: MilpBackend | None,
) -> RadiusOutcome:
    """Exact p-median on a reduced matrix tn (groups x free candidates, inf = unreachable), t_fix = distance
    to the nearest existing unit (inf: none), wg = group weights (> 0), p >= 1 new units."""
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s if time_limit_s else np.inf
    g, k = tn.shape
    _levels(tn, t_fix, p)  # raises Infeasible for a client nobody can reach
    best = _greedy_swap(tn, t_fix, wg, p, min(deadline, t0 + 30.0))
    best_obj = heur_obj = float(wg @ _dist(tn, t_fix, best))
    log.debug("p-median radius p=%d on %dx%d: heuristic %.6g after %.3f s", p, g, k, heur_obj, time.perf_counter() - t0)
    rounds_lp = 0
    cols = np.arange(k)  # candidates still allowed: the others provably cannot beat the incumbent
    while True:
        lv = _levels(tn[:, cols], t_fix, p)
        local_best = np.searchsorted(cols, best)
        chosen = _true_level_mask(lv, _dist(tn, t_fix, best)) | ~np.isfinite(lv.nxt)
        lp_value, y_lp, rc, n_lp = _lp_rounds(lv, chosen, wg, len(cols), p, deadline)
        rounds_lp += n_lp
        log.debug("  LP %.6g on %d candidates after %d rounds, %d radii, %.3f s", lp_value, len(cols), n_lp,
                  int(chosen.sum()), time.perf_counter() - t0)
        tol = _tol(best_obj)
        integral = bool(np.all((y_lp < 1e-9) | (y_lp > 1 - 1e-9)))
        if integral and np.isfinite(lp_value):
            picks = cols[np.flatnonzero(y_lp > 0.5)]
            obj = float(wg @ _dist(tn, t_fix, picks))
            if obj < best_obj - tol:
                best, best_obj = picks, obj
            if obj <= lp_value + tol:  # the LP optimum is integral: nothing in `cols` beats it
                log.debug("p-median radius p=%d on %dx%d: LP optimum is integral (%.6g) on %d candidates, "
                          "%d LP rounds, %.3f s", p, g, k, best_obj, len(cols), rounds_lp, time.perf_counter() - t0)
                return RadiusOutcome(picks=np.sort(best), objective=best_obj, bound=best_obj, status="optimal",
                                     solver="highs", heuristic=heur_obj, rounds_lp=rounds_lp, rounds_mip=0,
                                     radii=int(chosen.sum()), nodes=0)
        # reduced-cost fixing: a candidate whose opening costs more than the incumbent (in the LP relaxation,
        # a lower bound) is never needed; rebuild the model without it when that removes enough of them
        closed = ((y_lp < 1e-9) & (lp_value + rc > best_obj + tol) if np.isfinite(lp_value)
                  else np.zeros(len(cols), bool))
        closed[local_best] = False
        if closed.sum() < max(1, _RESTRICT_MIN_SHARE * len(cols)) or time.perf_counter() > deadline:
            break
        keep = cols[~closed]
        if not (np.isfinite(tn[:, keep]).any(axis=1) | np.isfinite(t_fix)).all():
            # some client is only reachable through closed candidates: no solution beats the incumbent
            return RadiusOutcome(picks=np.sort(best), objective=best_obj, bound=best_obj, status="optimal",
                                 solver="highs", heuristic=heur_obj, rounds_lp=rounds_lp, rounds_mip=0,
                                 radii=int(chosen.sum()), nodes=0)
        cols = keep
    ub_restricted = best_obj  # any solution cheaper than this uses only `cols` (and none of `closed`)
    if np.isfinite(lp_value) and np.isfinite(best_obj):
        before = int(chosen.sum())
        chosen |= _neighbour_radii(lv, tn[:, cols], t_fix, wg, np.searchsorted(cols, best), closed,
                                   best_obj + _NEIGHBOUR_WINDOW * (best_obj - lp_value))
        log.debug("  neighbour radii: %d -> %d", before, int(chosen.sum()))
    status, bound, solver, rounds_mip, nodes, best, best_obj, radii = _mip_rounds(
        tn, t_fix, wg, p, cols, lv, chosen, closed, best, best_obj, backend or highs.backend(presolve=False), deadline)
    bound = min(bound, ub_restricted)
    if best_obj <= bound + _tol(best_obj):
        status, bound = "optimal", best_obj
    log.debug("p-median radius p=%d on %dx%d: %.6g (bound %.6g) %s on %d candidates, %d LP + %d MIP rounds, "
              "%d radii, %.3f s", p, g, k, best_obj, bound, status, len(cols), rounds_lp, rounds_mip, radii,
              time.perf_counter() - t0)
    return RadiusOutcome(picks=np.sort(best), objective=best_obj, bound=bound, status=status, solver=solver,
                         heuristic=heur_obj, rounds_lp=rounds_lp, rounds_mip=rounds_mip, radii=radii, nodes=nodes)


def _lp_rounds(
    lv: _Levels, chosen: np.ndarray, wg: FloatArray, k: int, p: int, deadline: float,
) -> tuple[float, FloatArray, FloatArray, int]:
    """Row generation on the aggregated LP until it equals the full radius LP (``chosen`` grows in place).
    Returns (LP value, y, reduced costs of y, rounds); value -inf if time ran out before the first solve."""
    lp = _LpRounds(lv, chosen, wg, k, p)
    value, y, rc, rounds = -np.inf, np.zeros(k), np.zeros(k), 0
    for rounds in range(1, _LP_ROUNDS + 1):  # noqa: B007 - the count is returned
        if time.perf_counter() > deadline:
            break
        value, y, rc = lp.solve()
        add = _breakpoints(lv, _uncovered(lv, y)) & ~chosen
        if not add.any():
            break
        chosen |= add
        lp.add(add, chosen)
    return value, y, rc, rounds


def _neighbour_radii(
    lv: _Levels, sub: FloatArray, t_fix: FloatArray, wg: FloatArray, picks: IntArray, closed: np.ndarray,
    window: float,
) -> np.ndarray:
    """Radii that charge the one-swap neighbours of ``picks`` costing at most ``window`` their true cost:
    such near-optimal solutions are the ones an aggregated MIP would otherwise under-charge."""
    out = np.zeros(len(lv.row), bool)
    d_all = _dist(sub, t_fix, picks)
    found: list[tuple[float, int, int]] = []
    for pos in range(len(picks)):
        d_wo = _dist(sub, t_fix, np.delete(picks, pos))
        cost = wg @ np.minimum(d_wo[:, None], sub)
        cost[picks] = np.inf
        cost[closed] = np.inf
        found += [(float(cost[j]), pos, int(j)) for j in np.flatnonzero(cost <= window)]
    for _, pos, j in sorted(found)[:_NEIGHBOURS_MAX]:
        d = np.minimum(_dist(sub, t_fix, np.delete(picks, pos)), sub[:, j])
        out |= _true_level_mask(lv, d) & (d != d_all)[lv.row]
    return out


def _mip_rounds(
    tn: FloatArray, t_fix: FloatArray, wg: FloatArray, p: int, cols: IntArray, lv: _Levels, chosen: np.ndarray,
    closed: np.ndarray, best: IntArray, best_obj: float, backend: MilpBackend, deadline: float,
) -> tuple[str, float, str, int, int, IntArray, float, int]:
    """Aggregated MIP on candidates ``cols``, refined with each solution's true radii until its model cost is
    its true cost. Returns (status, bound, solver, rounds, nodes, best, best_obj, radii)."""
    rounds, nodes, bound, status, solver = 0, 0, -np.inf, "time_limit", "highs"
    sub = tn[:, cols]
    while True:
        left = None if deadline == np.inf else deadline - time.perf_counter()
        if left is not None and left <= 0:
            break
        rounds += 1
        model, ids = _model(lv, chosen, wg, len(cols), p, integer=True)
        if closed.any():
            model = replace(model, col_upper=np.concatenate([np.where(closed, 0.0, 1.0), model.col_upper[len(cols):]]))
        warm = _warm(lv, ids, sub, t_fix, np.searchsorted(cols, best), len(cols))
        sol: MilpSolution = backend(model, left, warm)
        solver, nodes = sol.solver, nodes + sol.nodes
        bound = max(bound, float(sol.bound))
        local = np.flatnonzero(sol.x[: len(cols)] > 0.5)
        d = _dist(sub, t_fix, local)
        obj = float(wg @ d)
        if obj < best_obj - _tol(best_obj):
            best, best_obj = cols[local], obj
        if sol.status != "optimal" or best_obj <= bound + _tol(best_obj):
            status = "optimal" if sol.status == "optimal" else "time_limit"
            break
        add = _true_level_mask(lv, d) & ~chosen
        if not add.any():  # model cost < true cost always adds a radius; guard against float noise
            status = "optimal" if best_obj - bound <= 1e3 * _tol(best_obj) else "time_limit"
            break
        chosen |= add
    return status, bound, solver, rounds, nodes, best, best_obj, int(chosen.sum())


class _LpRounds:
    """The aggregated LP relaxation in one HiGHS instance; new radii are added as rows and columns so that
    each round warm-starts from the previous basis (dual simplex)."""

    def __init__(self, lv: _Levels, chosen: np.ndarray, wg: FloatArray, k: int, p: int) -> None:
        self.lv, self.wg, self.k = lv, wg, k
        model, ids = _model(lv, chosen, wg, k, p, integer=False)
        self.h = highs_from_model(model)
        self.h.setOptionValue("threads", 1)
        self.h.setOptionValue("random_seed", 0)
        self.h.setOptionValue("presolve", "off")
        self.col_of = np.full(len(lv.row), -1, np.int64)
        self.col_of[ids] = k + np.arange(len(ids))
        self.n_cols = k + len(ids)

    def add(self, new: np.ndarray, chosen: np.ndarray) -> None:
        lv = self.lv
        ids = np.flatnonzero(new)
        m = len(ids)
        hard = ~np.isfinite(lv.nxt[ids])
        self.h.addCols(m, np.zeros(m), np.zeros(m), np.where(hard, 0.0, 1.0), 0,
                       np.zeros(m, np.int32), np.zeros(0, np.int32), np.zeros(0))
        cols = self.n_cols + np.arange(m)
        self.col_of[ids] = cols
        self.n_cols += m
        cnt = lv.count[ids]
        offs = np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)
        y_cols = lv.sorted_cols[np.repeat(lv.row[ids], cnt), offs]
        starts = np.r_[0, np.cumsum(cnt + 1)[:-1]].astype(np.int32)
        idx = np.empty(int(cnt.sum()) + m, np.int64)
        pos_z = starts + cnt
        mask = np.ones(len(idx), bool)
        mask[pos_z] = False
        idx[mask] = y_cols
        idx[pos_z] = cols
        self.h.addRows(m, np.ones(m), np.full(m, _INF), len(idx), starts, idx.astype(np.int32), np.ones(len(idx)))
        all_ids = np.flatnonzero(chosen)
        coef = _coefficients(lv, all_ids, self.wg)
        self.h.changeColsCost(len(all_ids), self.col_of[all_ids].astype(np.int32), coef)

    def solve(self) -> tuple[float, FloatArray, FloatArray]:
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"HiGHS: p-median LP relaxation {self.h.modelStatusToString(self.h.getModelStatus())}")
        sol = self.h.getSolution()
        x = np.asarray(sol.col_value, dtype=np.float64)
        self.reduced_cost = np.asarray(sol.col_dual, dtype=np.float64)[: self.k]
        return float(self.h.getInfo().objective_function_value), x[: self.k], self.reduced_cost


def _warm(lv: _Levels, ids: IntArray, tn: FloatArray, t_fix: FloatArray, picks: IntArray, k: int) -> FloatArray:
    d = _dist(tn, t_fix, picks)
    y = np.zeros(k)
    y[picks] = 1.0
    z = (d[lv.row[ids]] > lv.value[ids]).astype(float)
    return np.concatenate([y, z])
