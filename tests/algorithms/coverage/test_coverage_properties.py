"""Properties against brute force on small random instances."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import analyze_coverage
from bastion.algorithms.coverage import solve_lscp
from bastion.algorithms.coverage import solve_mclp
from bastion.algorithms.coverage import solve_p_median
from bastion.kernel.errors import Infeasible

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)


@st.composite
def instances(draw, max_demand=9, max_cand=6):
    n = draw(st.integers(1, max_demand))
    m = draw(st.integers(2, max_cand))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    t = rng.choice([30.0, 90.0, 150.0, 240.0, 400.0, np.inf], size=(n, m))
    # duplicate rows/columns on purpose so that merging and dominance have work to do
    if n > 2:
        t[-1] = t[0]
    if m > 2 and draw(st.booleans()):
        t[:, -1] = np.minimum(t[:, 0], 400.0)
    w = rng.integers(0, 10, size=n).astype(float)
    n_fixed = draw(st.integers(0, min(2, m - 1)))
    fixed = rng.choice(m, size=n_fixed, replace=False)
    p = draw(st.integers(0, m - n_fixed))
    return CoverageProblem.from_arrays(t, w, 180.0, fixed=fixed), p


def free(prob):
    return [j for j in range(prob.n_candidates) if j not in set(prob.fixed.tolist())]


def brute_mclp(prob, p, beta=None):
    best = -1.0
    for combo in combinations(free(prob), p):
        open_ = np.array(sorted(set(prob.fixed.tolist()) | set(combo)), dtype=np.int64)
        n = prob.coverage_count(open_)
        v = float(prob.demand_weight[n >= 1].sum())
        if beta is not None:
            v += beta * float(prob.demand_weight[n >= 2].sum())
        best = max(best, v)
    return best


@SETTINGS
@given(instances())
def test_mclp_equals_brute_force_and_reductions_do_not_change_it(inst):
    prob, p = inst
    r = solve_mclp(prob, p)
    assert r.objective == pytest.approx(brute_mclp(prob, p))
    assert r.covered_weight == pytest.approx(r.objective)
    assert len(r.chosen) == p and not set(r.chosen) & set(prob.fixed.tolist())
    assert solve_mclp(prob, p, reduce=False, warm_start=False).objective == pytest.approx(r.objective)
    assert r.heuristic_objective is None or r.heuristic_objective <= r.objective + 1e-9


@SETTINGS
@given(instances())
def test_coverage_never_drops_when_a_unit_is_added(inst):
    prob, p = inst
    if p + len(prob.fixed) >= prob.n_candidates:
        p -= 1
    if p < 0:
        return
    r = solve_mclp(prob, p)
    r_more = solve_mclp(prob, p + 1)
    assert r_more.objective >= r.objective - 1e-9
    # analysis: adding any one unit to a placement never lowers any ring's coverage
    t = prob.travel_time_s
    base = analyze_coverage(t[:, list(r.open)], prob.demand_weight)
    for j in free(prob):
        more = analyze_coverage(t[:, list(r.open) + [j]], prob.demand_weight)
        for b, m in zip(base.by_standard, more.by_standard, strict=True):
            assert m.share_weight >= b.share_weight - 1e-12 and m.share_points >= b.share_points - 1e-12
            assert np.all(m.covered >= b.covered)


@SETTINGS
@given(instances())
def test_backup_equals_brute_force(inst):
    prob, p = inst
    r = solve_mclp(prob, p, backup=True, backup_weight=0.5)
    assert r.objective == pytest.approx(brute_mclp(prob, p, beta=0.5))
    assert solve_mclp(prob, p, backup=True, reduce=False).objective == pytest.approx(r.objective)


@SETTINGS
@given(instances())
def test_lscp_covers_everything_it_claims_and_is_minimal(inst):
    prob, _ = inst
    try:
        r = solve_lscp(prob)
    except Infeasible:
        assert not (prob.cover.toarray().any(axis=1)).all()
        return
    n = prob.coverage_count(np.array(r.open, dtype=np.int64))
    assert np.all(n >= 1) and r.covered_share == pytest.approx(1.0)
    assert r.objective == len(r.chosen)
    # no smaller set of new units covers everything
    f = set(prob.fixed.tolist())
    for k in range(len(r.chosen)):
        for combo in combinations(free(prob), k):
            assert not np.all(prob.coverage_count(np.array(sorted(f | set(combo)), dtype=np.int64)) >= 1)
    assert solve_lscp(prob, reduce=False).objective == r.objective


@SETTINGS
@given(instances(max_demand=7, max_cand=5))
def test_p_median_equals_brute_force(inst):
    prob, p = inst
    t = np.where(np.isinf(prob.travel_time_s), 1000.0, prob.travel_time_s)  # keep every point reachable
    prob = CoverageProblem.from_arrays(t, prob.demand_weight, 180.0, fixed=prob.fixed)
    if p == 0 and len(prob.fixed) == 0:
        p = 1
    best = min(
        float((prob.demand_weight * t[:, sorted(set(prob.fixed.tolist()) | set(c))].min(axis=1)).sum())
        for c in combinations(free(prob), p)
    )
    r = solve_p_median(prob, p)
    assert r.objective == pytest.approx(best) and len(r.chosen) == p
