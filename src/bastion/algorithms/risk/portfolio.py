"""Budget allocation: with budget B, which measures where?

Each site s has a small candidate set K_s of missing measures (at most ``max_candidates``, the best by
stand-alone reduction per unit cost). Every subset S of K_s is an option with cost c_s(S) (sum of measure
costs) and reduction r_s(S) = risk(now) - risk(with S), computed by the full T x V x C model, so the
interaction between measures at one site is exact. The allocation is a multiple-choice knapsack:

    max  sum_s sum_S r_s(S) x_sS
    s.t. sum_S x_sS <= 1             for every site s   (one option per site; "nothing" is implicit)
         sum_s sum_S c_s(S) x_sS <= B
         x binary

solved with HiGHS (options dominated within their site - no cheaper and no better - are removed first).
``solve_greedy`` adds one (site, measure) at a time by marginal reduction per marginal cost; its answer is
an option of the same model, so the exact optimum is never below it. ``solve_brute_force`` enumerates
every combination (tiny instances, tests only).
"""

from __future__ import annotations

import heapq
import itertools
import logging
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from bastion.algorithms.optim import highs
from bastion.algorithms.risk.measures import CATALOGUE
from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.measures import proposed
from bastion.algorithms.risk.scoring import RiskParameters
from bastion.algorithms.risk.scoring import assess_site
from bastion.algorithms.risk.scoring import total_risk
from bastion.algorithms.risk.site import SiteProfile
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import SolverError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteOptions:
    """Candidates of one site and the cost/reduction of every subset (index = bit mask over candidates)."""

    site_id: str
    candidates: tuple[str, ...]
    cost: np.ndarray  # shape (2**k,), cost units (EUR by default)
    reduction: np.ndarray  # shape (2**k,), risk units

    def __post_init__(self) -> None:
        k = len(self.candidates)
        n = 1 << k
        for name in ("cost", "reduction"):
            a = np.asarray(getattr(self, name), dtype=float)
            if a.shape != (n,):
                msg = f"{name} of site {self.site_id!r} must have 2**{k} = {n} entries (one per subset), got {a.shape}"
                raise InvalidInput(msg, field=name)
            if not np.all(np.isfinite(a)):
                msg = f"{name} of site {self.site_id!r} must be finite"
                raise InvalidInput(msg, field=name)
            a.setflags(write=False)
            object.__setattr__(self, name, a)
        if self.cost[0] != 0 or self.reduction[0] != 0:
            msg = f"site {self.site_id!r}: the empty option must cost 0 and reduce 0"
            raise InvalidInput(msg, field="cost")
        if np.any(self.cost < 0):
            msg = f"cost of site {self.site_id!r} must be >= 0"
            raise InvalidInput(msg, field="cost")

    def measures(self, mask: int) -> tuple[str, ...]:
        return tuple(c for i, c in enumerate(self.candidates) if mask >> i & 1)


@dataclass(frozen=True)
class PortfolioProblem:
    sites: tuple[SiteOptions, ...]

    @classmethod
    def from_model(cls, site_ids: Sequence[str], candidates: Sequence[Sequence[str]],
                   measure_cost: Callable[[str, str], float],
                   risk_with: Callable[[int, tuple[str, ...]], float]) -> PortfolioProblem:
        """Build the table for every subset: ``risk_with(i, measures)`` is site i's risk with ``measures`` added,
        ``measure_cost(site_id, kind)`` the cost of one measure at that site."""
        if len(site_ids) != len(candidates):
            msg = f"candidates must have one entry per site ({len(site_ids)}), got {len(candidates)}"
            raise InvalidInput(msg, field="candidates")
        out = []
        for i, (sid, cands) in enumerate(zip(site_ids, candidates, strict=True)):
            k = len(cands)
            base = risk_with(i, ())
            cost = np.zeros(1 << k)
            red = np.zeros(1 << k)
            unit = [measure_cost(sid, c) for c in cands]
            for mask in range(1, 1 << k):
                ms = tuple(c for j, c in enumerate(cands) if mask >> j & 1)
                cost[mask] = sum(u for j, u in enumerate(unit) if mask >> j & 1)
                red[mask] = base - risk_with(i, ms)
            out.append(SiteOptions(sid, tuple(cands), cost, red))
        return cls(tuple(out))


@dataclass(frozen=True)
class Allocation:
    site_id: str
    measures: tuple[str, ...]
    cost: float
    risk_reduction: float


@dataclass(frozen=True)
class PortfolioResult:
    method: str  # "highs", "greedy" or "brute_force"
    status: str
    budget: float
    objective: float  # total risk reduction
    bound: float  # proven upper bound on the reduction (= objective for greedy: no bound)
    gap: float  # relative gap reported by the solver (0 for exact methods at optimality)
    total_cost: float
    allocations: tuple[Allocation, ...]  # sites that get something, by site order
    runtime_s: float
    n_options: int


def _check_budget(budget: float) -> None:
    if not np.isfinite(budget) or budget < 0:
        msg = f"budget must be a finite amount >= 0, got {budget!r}"
        raise InvalidInput(msg, field="budget")


def _result(problem: PortfolioProblem, masks: Sequence[int], *, method: str, status: str, budget: float,
            bound: float | None, gap: float, runtime_s: float, n_options: int) -> PortfolioResult:
    allocs = tuple(Allocation(s.site_id, s.measures(m), float(s.cost[m]), float(s.reduction[m]))
                   for s, m in zip(problem.sites, masks, strict=True) if m)
    obj = sum(a.risk_reduction for a in allocs)
    return PortfolioResult(method, status, budget, obj, obj if bound is None else bound, gap,
                           sum(a.cost for a in allocs), allocs, runtime_s, n_options)


def _pareto_options(s: SiteOptions) -> list[int]:
    """Masks not dominated within the site (strictly positive reduction, no cheaper-and-better option)."""
    order = sorted(range(1, len(s.cost)), key=lambda m: (s.cost[m], -s.reduction[m]))
    kept, best = [], 0.0
    for m in order:
        if s.reduction[m] > best + 1e-12:
            kept.append(m)
            best = float(s.reduction[m])
    return kept


def solve_portfolio(problem: PortfolioProblem, budget: float, *, time_limit_s: float | None = None,
                    mip_rel_gap: float = 1e-9, warm_start: bool = True) -> PortfolioResult:
    """Exact allocation by HiGHS MIP (optimal up to ``mip_rel_gap``), under the status policy of
    :func:`bastion.algorithms.optim.highs.solve` (a time limit returns the incumbent with status "time_limit"
    and its gap). ``warm_start`` hands HiGHS the greedy plan as its first incumbent."""
    _check_budget(budget)
    t0 = time.perf_counter()
    cols: list[tuple[int, int]] = []
    for i, s in enumerate(problem.sites):
        cols.extend((i, m) for m in _pareto_options(s) if s.cost[m] <= budget)
    masks = [0] * len(problem.sites)
    if not cols:
        return _result(problem, masks, method="highs", status="optimal", budget=budget, bound=0.0, gap=0.0,
                       runtime_s=time.perf_counter() - t0, n_options=0)
    n = len(cols)
    red = np.array([problem.sites[i].reduction[m] for i, m in cols])
    cost = np.array([problem.sites[i].cost[m] for i, m in cols])
    site_of = np.array([i for i, _ in cols])
    # the budget row, then one option per site (only sites with 2+ options need a row; x <= 1 covers the others)
    starts = np.flatnonzero(np.r_[True, site_of[1:] != site_of[:-1]])
    ends = np.r_[starts[1:], n]
    multi = [(a, b) for a, b in zip(starts, ends, strict=True) if b - a > 1]
    rows = [sp.csr_matrix(cost[None, :])]
    rows += [sp.csr_matrix((np.ones(b - a), (np.zeros(b - a, np.int64), np.arange(a, b))), shape=(1, n))
             for a, b in multi]
    model = highs.MilpModel(
        red,
        sp.vstack(rows, format="csc"),
        np.full(len(rows), -highs.INF),
        np.r_[float(budget), np.ones(len(multi))],
        np.zeros(n),
        np.ones(n),
        np.ones(n, dtype=bool),
        maximize=True,
    )
    x0 = None
    if warm_start:
        # greedy's plan as the first incumbent (each greedy option mapped to a non-dominated one of its site)
        g = solve_greedy(problem, budget)
        picked = {a.site_id: a for a in g.allocations}
        x0 = np.zeros(n)
        for i, site in enumerate(problem.sites):
            alloc = picked.get(site.site_id)
            if alloc is None:
                continue
            js = [j for j in np.flatnonzero(site_of == i) if cost[j] <= alloc.cost + 1e-9]
            if js:
                x0[max(js, key=lambda j: (red[j], -cost[j]))] = 1.0
    sol = highs.solve(
        model, time_limit_s=time_limit_s, warm_start=x0, mip_rel_gap=mip_rel_gap, what="the portfolio MIP"
    )
    x = sol.x
    for j in np.flatnonzero(x > 0.5):
        masks[site_of[j]] = cols[j][1]
    res = _result(
        problem,
        masks,
        method="highs",
        status=sol.status,
        budget=budget,
        bound=sol.bound,
        gap=sol.gap,
        runtime_s=time.perf_counter() - t0,
        n_options=n,
    )
    if res.total_cost > budget * (1 + 1e-9) + 1e-9:
        msg = f"HiGHS returned a plan costing {res.total_cost} over budget {budget}"
        raise SolverError(msg)
    log.debug(
        "portfolio MIP: %d options, objective %.6g, bound %.6g, %.3fs", n, res.objective, res.bound, res.runtime_s
    )
    return res


def _best_move(s: SiteOptions, mask: int, left: float) -> tuple[float, float, int] | None:
    """Best (ratio, reduction, candidate) that can be added to ``mask`` within ``left``; None if nothing."""
    best: tuple[float, float, int] | None = None
    for j in range(len(s.candidates)):
        if mask >> j & 1:
            continue
        nm = mask | 1 << j
        dc, dr = float(s.cost[nm] - s.cost[mask]), float(s.reduction[nm] - s.reduction[mask])
        if dr <= 1e-12 or dc > left + 1e-9:
            continue
        ratio = float("inf") if dc <= 0 else dr / dc
        if best is None or (ratio, dr, -j) > (best[0], best[1], -best[2]):
            best = (ratio, dr, j)
    return best


def solve_greedy(problem: PortfolioProblem, budget: float) -> PortfolioResult:
    """Add the (site, measure) with the best marginal reduction per marginal cost that still fits, until
    nothing with a positive reduction fits (a free measure with a positive reduction goes first).

    A lazy max-heap holds each site's best move; only the site just changed, or whose move no longer fits
    the shrinking budget, is re-evaluated. Ties: larger reduction, then lower site index, then lower
    candidate index.
    """
    _check_budget(budget)
    t0 = time.perf_counter()
    masks = [0] * len(problem.sites)
    left = float(budget)
    heap: list[tuple[float, float, int, int]] = []
    for i, s in enumerate(problem.sites):
        mv = _best_move(s, 0, left)
        if mv is not None:
            heap.append((-mv[0], -mv[1], i, mv[2]))
    heapq.heapify(heap)
    while heap:
        _, _, i, j = heapq.heappop(heap)
        s = problem.sites[i]
        m = masks[i]
        nm = m | 1 << j
        dc = float(s.cost[nm] - s.cost[m])
        if dc > left + 1e-9:  # no longer fits: this site's best fitting move may be another one
            mv = _best_move(s, m, left)
            if mv is not None:
                heapq.heappush(heap, (-mv[0], -mv[1], i, mv[2]))
            continue
        left -= dc
        masks[i] = nm
        mv = _best_move(s, nm, left)
        if mv is not None:
            heapq.heappush(heap, (-mv[0], -mv[1], i, mv[2]))
    n_opt = sum(len(s.cost) - 1 for s in problem.sites)
    return _result(
        problem,
        masks,
        method="greedy",
        status="heuristic",
        budget=budget,
        bound=None,
        gap=0.0,
        runtime_s=time.perf_counter() - t0,
        n_options=n_opt,
    )


def solve_brute_force(problem: PortfolioProblem, budget: float, *, max_combinations: int = 200_000) -> PortfolioResult:
    """Enumerate every option combination (the reference for tests on tiny instances)."""
    _check_budget(budget)
    t0 = time.perf_counter()
    sizes = [len(s.cost) for s in problem.sites]
    total = int(np.prod(sizes, dtype=float))
    if total > max_combinations:
        msg = f"problem has {total} option combinations, over max_combinations={max_combinations}; use solve_portfolio"
        raise InvalidInput(msg, field="problem")
    best_val, best = -1.0, [0] * len(sizes)
    for combo in itertools.product(*(range(n) for n in sizes)):
        c = sum(float(s.cost[m]) for s, m in zip(problem.sites, combo, strict=True))
        if c > budget + 1e-9:
            continue
        v = sum(float(s.reduction[m]) for s, m in zip(problem.sites, combo, strict=True))
        if v > best_val + 1e-12:
            best_val, best = v, list(combo)
    return _result(
        problem,
        best,
        method="brute_force",
        status="optimal",
        budget=budget,
        bound=None,
        gap=0.0,
        runtime_s=time.perf_counter() - t0,
        n_options=total,
    )


def build_portfolio(
    sites: Sequence[tuple[SiteProfile, MeasureSet]],
    *,
    params: RiskParameters | None = None,
    threat_level: str = "SUBSTANTIAL",
    max_candidates: int = 5,
    measure_cost: Callable[[str, str], float] | None = None,
    candidates: Sequence[str] | None = None,
) -> PortfolioProblem:
    """The portfolio table from the risk model: per site, the ``max_candidates`` missing measures with the best
    stand-alone reduction per unit cost (default cost: the catalogue's ``default_cost``), every subset scored
    with the full model."""
    if not 0 <= max_candidates <= 10:
        msg = f"max_candidates must be between 0 and 10 (2**k subsets per site), got {max_candidates}"
        raise InvalidInput(msg, field="max_candidates")
    p = params or RiskParameters()

    def default_cost(_sid: str, kind: str) -> float:
        return CATALOGUE[kind].default_cost

    cost_fn = measure_cost or default_cost
    cands: list[tuple[str, ...]] = []
    for site, ms in sites:
        a = assess_site(site, ms, params=p, threat_level=threat_level, candidates=candidates)
        ranked = sorted(
            a.gaps, key=lambda g: (-g.risk_reduction / max(cost_fn(site.site_id, g.measure), 1e-9), g.measure)
        )
        cands.append(tuple(g.measure for g in ranked[:max_candidates]))

    def risk_with(i: int, added: tuple[str, ...]) -> float:
        site, ms = sites[i]
        for kind in added:
            ms = ms.with_measure(proposed(kind))
        return total_risk(site, ms, params=p, threat_level=threat_level)

    return PortfolioProblem.from_model([s.site_id for s, _ in sites], cands, cost_fn, risk_with)
