from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.portfolio import PortfolioProblem
from bastion.algorithms.risk.portfolio import SiteOptions
from bastion.algorithms.risk.portfolio import build_portfolio
from bastion.algorithms.risk.portfolio import solve_brute_force
from bastion.algorithms.risk.portfolio import solve_greedy
from bastion.algorithms.risk.portfolio import solve_portfolio
from bastion.algorithms.risk.site import SiteProfile
from bastion.kernel.errors import InvalidInput


def additive_site(sid: str, costs: list[float], reds: list[float]) -> SiteOptions:
    k = len(costs)
    masks = range(1 << k)
    c = np.array([sum(costs[j] for j in range(k) if m >> j & 1) for m in masks])
    r = np.array([sum(reds[j] for j in range(k) if m >> j & 1) for m in masks])
    return SiteOptions(sid, tuple(f"m{j}" for j in range(k)), c, r)


def test_classic_knapsack_where_greedy_is_suboptimal() -> None:
    # items (cost, value): (6, 7) ratio 1.17, (5, 5) 1.0, (5, 5) 1.0; budget 10 -> optimum 10, greedy 7
    p = PortfolioProblem((additive_site("a", [6], [7]), additive_site("b", [5], [5]), additive_site("c", [5], [5])))
    exact, greedy = solve_portfolio(p, 10), solve_greedy(p, 10)
    assert exact.objective == pytest.approx(10) and exact.status == "optimal" and exact.gap <= 1e-9
    assert {a.site_id for a in exact.allocations} == {"b", "c"}
    assert greedy.objective == pytest.approx(7)
    assert solve_brute_force(p, 10).objective == pytest.approx(10)
    assert solve_portfolio(p, 0).objective == 0 and solve_portfolio(p, 0).allocations == ()
    with pytest.raises(InvalidInput, match="budget"):
        solve_portfolio(p, -1)


def random_problem(seed: int, n_sites: int, k: int) -> PortfolioProblem:
    rng = np.random.default_rng(seed)
    sites = []
    for s in range(n_sites):
        costs = rng.integers(1, 10, k).astype(float)
        eff = rng.uniform(0, 0.6, k)
        base = rng.uniform(1, 10)
        masks = range(1 << k)
        c = np.array([sum(costs[j] for j in range(k) if m >> j & 1) for m in masks])
        # interacting measures: risk multiplies by (1 - e_j), so reductions are sub-additive
        r = np.array([base * (1 - np.prod([1 - eff[j] for j in range(k) if m >> j & 1])) for m in masks])
        sites.append(SiteOptions(str(s), tuple(f"m{j}" for j in range(k)), c, r))
    return PortfolioProblem(tuple(sites))


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 4), st.integers(1, 3), st.floats(0, 40))
def test_exact_equals_brute_force_and_beats_greedy(seed: int, n_sites: int, k: int, budget: float) -> None:
    p = random_problem(seed, n_sites, k)
    exact, greedy, brute = solve_portfolio(p, budget), solve_greedy(p, budget), solve_brute_force(p, budget)
    assert exact.objective == pytest.approx(brute.objective, rel=1e-7, abs=1e-9)
    assert exact.objective >= greedy.objective - 1e-9
    for res in (exact, greedy):
        assert res.total_cost <= budget + 1e-9
        assert res.objective == pytest.approx(sum(a.risk_reduction for a in res.allocations))


def test_build_from_the_risk_model() -> None:
    sites = [(SiteProfile("mall", "retail", "mall", capacity=3000), MeasureSet.of(["cctv"])),
             (SiteProfile("church", "worship", "place_of_worship", capacity=300), MeasureSet()),
             (SiteProfile("plant", "infrastructure", "power_plant", capacity=40), MeasureSet.of(["guards"]))]
    p = build_portfolio(sites, max_candidates=3)
    assert [len(s.candidates) for s in p.sites] == [3, 3, 3]
    assert "cctv" not in p.sites[0].candidates
    assert all(np.all(s.reduction >= 0) for s in p.sites)
    # sub-additivity: all three together buy no more than the sum of each alone
    s0 = p.sites[0]
    assert s0.reduction[7] <= s0.reduction[1] + s0.reduction[2] + s0.reduction[4] + 1e-12
    res = solve_portfolio(p, 150_000)
    assert res.objective == pytest.approx(solve_brute_force(p, 150_000).objective)
    assert res.objective >= solve_greedy(p, 150_000).objective - 1e-9


def test_options_validation() -> None:
    with pytest.raises(InvalidInput, match="2\\*\\*1 = 2 entries"):
        SiteOptions("x", ("a",), np.zeros(3), np.zeros(3))
    with pytest.raises(InvalidInput, match="empty option"):
        SiteOptions("x", ("a",), np.array([1.0, 2.0]), np.zeros(2))


def reference_greedy(p: PortfolioProblem, budget: float) -> float:
    """The plain O(steps x sites x k) greedy, to check the heap version picks the same plan."""
    masks = [0] * len(p.sites)
    left = budget
    while True:
        best = None
        for i, s in enumerate(p.sites):
            for j in range(len(s.candidates)):
                if masks[i] >> j & 1:
                    continue
                nm = masks[i] | 1 << j
                dc, dr = s.cost[nm] - s.cost[masks[i]], s.reduction[nm] - s.reduction[masks[i]]
                if dr <= 1e-12 or dc > left + 1e-9:
                    continue
                key = (float("inf") if dc <= 0 else dr / dc, dr, -i, -j)
                if best is None or key > best[0]:
                    best = (key, i, nm, dc)
        if best is None:
            return sum(float(s.reduction[m]) for s, m in zip(p.sites, masks, strict=True))
        _, i, nm, dc = best
        masks[i], left = nm, left - dc


@settings(max_examples=40, derandomize=True, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 8), st.integers(1, 4), st.floats(0, 60))
def test_heap_greedy_matches_plain_greedy(seed: int, n_sites: int, k: int, budget: float) -> None:
    p = random_problem(seed, n_sites, k)
    assert solve_greedy(p, budget).objective == pytest.approx(reference_greedy(p, budget), rel=1e-12, abs=1e-12)


def test_solver_status_is_not_ignored() -> None:
    from bastion.kernel.errors import SolverError

    p = random_problem(1, 300, 4)
    with pytest.raises(SolverError, match="Time limit reached"):
        solve_portfolio(p, 300.0, time_limit_s=1e-6, warm_start=False)
