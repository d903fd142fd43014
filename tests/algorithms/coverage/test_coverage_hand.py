"""Tiny instances solved by hand (see the comments for the arithmetic)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_array

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import MilpSolution
from bastion.algorithms.coverage import analyze_coverage
from bastion.algorithms.coverage import solve_lscp
from bastion.algorithms.coverage import solve_mclp
from bastion.algorithms.coverage import solve_p_median
from bastion.algorithms.coverage.reduction import dominated_columns
from bastion.algorithms.coverage.reduction import merge_rows
from bastion.algorithms.coverage.reduction import reduce_covering
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput

# demand weights and coverage sets: c0={0,1}, c1={1,2,3}, c2={3,4}, c3={0,4}
W = np.array([10.0, 20.0, 30.0, 40.0, 55.0])
SETS = [{0, 1}, {1, 2, 3}, {3, 4}, {0, 4}]


def times(sets=SETS, n=5, inside=100.0, outside=500.0):
    t = np.full((n, len(sets)), outside)
    for j, s in enumerate(sets):
        for i in s:
            t[i, j] = inside
    return t


def problem(**kw):
    return CoverageProblem.from_arrays(times(), W, 180.0, **kw)


def test_mclp_by_hand():
    # p=1: c0 30, c1 90, c2 95, c3 65 -> c2 (95)
    r1 = solve_mclp(problem(), 1)
    assert r1.chosen == (2,) and r1.objective == pytest.approx(95.0) and r1.status == "optimal"
    # p=2: c1+c3 cover everything (155); c1+c2 145; c0+c2 125
    r2 = solve_mclp(problem(), 2)
    assert r2.chosen == (1, 3) and r2.objective == pytest.approx(155.0)
    assert r2.covered_share == pytest.approx(1.0) and r2.gap == pytest.approx(0.0)
    assert r2.bound == pytest.approx(155.0, abs=1e-6)


def test_mclp_with_existing_unit_by_hand():
    # c2 exists (covers 3,4 = 95); one more: c0 +30, c1 +50, c3 +10 -> c1, 145
    r = solve_mclp(problem(fixed=[2]), 1)
    assert r.chosen == (1,) and r.open == (1, 2) and r.objective == pytest.approx(145.0)
    # p=0 analyses the existing units only
    assert solve_mclp(problem(fixed=[2]), 0).objective == pytest.approx(95.0)


def test_backup_by_hand():
    # beta=0.5, p=2: {1,3} 155 + 0; {1,2} 145 + 0.5*40 = 165; {0,2} 125; {2,3} 105 + 0.5*55 = 132.5
    r = solve_mclp(problem(), 2, backup=True, backup_weight=0.5)
    assert r.chosen == (1, 2) and r.objective == pytest.approx(165.0)
    assert r.covered_weight == pytest.approx(145.0) and r.backup_covered_weight == pytest.approx(40.0)
    assert r.model == "mclp_backup"


def test_lscp_by_hand():
    # no single candidate covers all 5; c1+c3 does -> 2
    r = solve_lscp(problem())
    assert r.objective == 2 and r.chosen == (1, 3) and r.covered_share == pytest.approx(1.0)
    # with c3 existing, {1,2} are left -> c1 alone
    r2 = solve_lscp(problem(fixed=[3]))
    assert r2.chosen == (1,) and r2.objective == 1 and r2.open == (1, 3)


def test_lscp_infeasible_names_the_points():
    t = times()
    t[2, :] = 999.0  # point 2 out of reach of everyone
    with pytest.raises(Infeasible, match=r"rows \[2\]"):
        solve_lscp(CoverageProblem.from_arrays(t, W, 180.0))


def test_p_median_by_hand():
    # 3 points, 3 candidates; p=1: col sums w*t: c0 = 1*0+2*10+3*20 = 80, c1 = 10+0+30=40... see below
    t = np.array([[0.0, 10.0, 50.0], [10.0, 0.0, 40.0], [20.0, 10.0, 0.0]])
    w = np.array([1.0, 2.0, 3.0])
    # p=1: c0 = 0+20+60 = 80; c1 = 10+0+30 = 40; c2 = 50+80+0 = 130 -> c1, 40
    r = solve_p_median(CoverageProblem.from_arrays(t, w, 60.0), 1)
    assert r.chosen == (1,) and r.objective == pytest.approx(40.0)
    # p=2: {0,1}: 0+0+30 = 30; {1,2}: 10+0+0 = 10; {0,2}: 0+20+0 = 20 -> {1,2}, 10
    r2 = solve_p_median(CoverageProblem.from_arrays(t, w, 60.0), 2)
    assert r2.chosen == (1, 2) and r2.objective == pytest.approx(10.0) and r2.bound == pytest.approx(10.0)
    # c0 exists; one more: {0,1} 30, {0,2} 20 -> c2
    r3 = solve_p_median(CoverageProblem.from_arrays(t, w, 60.0, fixed=[0]), 1)
    assert r3.chosen == (2,) and r3.objective == pytest.approx(20.0)


def test_analysis_by_hand():
    # 3 sites, 2 units; unit 0 is a 1-minute post, unit 1 a 5-minute district unit
    t = np.array([[30.0, 100.0], [200.0, 150.0], [400.0, np.inf]])
    w = np.array([100.0, 50.0, 10.0])
    a = analyze_coverage(t, w, standards_s=(60, 180, 300), unit_standard_s=[60.0, 300.0])
    assert list(a.fastest_unit) == [0, 1, 0] and list(a.fastest_time_s) == [30.0, 150.0, 400.0]
    s60, s180, s300 = a.by_standard
    assert list(s60.covered) == [True, False, False] and s60.share_weight == pytest.approx(100 / 160)
    # the district unit does not count for the 3-minute ring: site 1 (post at 200 s) is uncovered
    assert list(s180.covered) == [True, False, False] and s180.uncovered == (2, 1)
    assert list(s300.unit) == [0, 1, 0] and list(s300.covered) == [True, True, False]
    assert s300.share_points == pytest.approx(2 / 3) and s300.share_weight == pytest.approx(150 / 160)
    b = analyze_coverage(t, w)  # every unit counts everywhere
    assert list(b.by_standard[1].covered) == [True, True, False]


def test_reductions_by_hand():
    a = csr_array(np.array([[1, 0, 1], [1, 0, 1], [0, 1, 1], [0, 0, 1]]))
    m, w, g = merge_rows(a, np.array([1.0, 2.0, 3.0, 4.0]))
    assert m.shape[0] == 3 and list(w) == [3.0, 3.0, 4.0] and list(g) == [0, 0, 1, 2]
    # columns 0 and 1 are subsets of column 2
    assert list(dominated_columns(a)) == [True, True, False]
    r = reduce_covering(a, np.ones(4))
    assert list(r.candidates) == [2] and r.a.shape == (1, 1) and r.weight.tolist() == [4.0]


def test_validation_messages_name_the_argument():
    with pytest.raises(InvalidInput, match="travel_time_s"):
        CoverageProblem.from_arrays(np.zeros(3), np.ones(3), 60.0)
    with pytest.raises(InvalidInput, match="travel_time_s"):
        CoverageProblem.from_arrays(np.array([[np.nan]]), np.ones(1), 60.0)
    with pytest.raises(InvalidInput, match="demand_weight"):
        CoverageProblem.from_arrays(times(), np.ones(4), 60.0)
    with pytest.raises(InvalidInput, match="demand_weight"):
        CoverageProblem.from_arrays(times(), -W, 60.0)
    with pytest.raises(InvalidInput, match="standard_s"):
        CoverageProblem.from_arrays(times(), W, 0.0)
    with pytest.raises(InvalidInput, match="fixed"):
        CoverageProblem.from_arrays(times(), W, 60.0, fixed=[4])
    with pytest.raises(InvalidInput, match="fixed"):
        CoverageProblem.from_arrays(times(), W, 60.0, fixed=[1, 1])
    with pytest.raises(InvalidInput, match="p must"):
        solve_mclp(problem(), 5)
    with pytest.raises(InvalidInput, match="p must"):
        solve_mclp(problem(), -1)
    with pytest.raises(InvalidInput, match="backup_weight"):
        solve_mclp(problem(), 1, backup=True, backup_weight=0.0)
    with pytest.raises(InvalidInput, match="time_limit_s"):
        solve_mclp(problem(), 1, time_limit_s=0.0)


def test_time_limited_solution_is_reported_with_its_gap():
    def stopped(model, time_limit_s, warm):  # a backend that hit its limit with the warm start
        return MilpSolution("time_limit", np.asarray(warm), float(model.c @ warm), -160.0, 0.03, 0.01, "fake")

    r = solve_mclp(problem(), 1, time_limit_s=1.0, backend=stopped)
    assert r.status == "time_limit" and r.gap == pytest.approx(0.03)
    assert r.objective == pytest.approx(95.0) and r.bound == pytest.approx(160.0)


def test_real_time_limit_is_honoured_and_reported():
    # a random dense instance that takes HiGHS far longer than 0.05 s to prove
    rng = np.random.default_rng(0)
    t = rng.uniform(0, 600, size=(300, 80))
    w = rng.integers(1, 50, 300).astype(float)
    r = solve_mclp(CoverageProblem.from_arrays(t, w, 150.0), 8, time_limit_s=0.05)
    assert r.status in ("optimal", "time_limit")
    assert r.runtime_s < 2.0
    assert r.bound >= r.objective - 1e-6 and r.gap >= 0.0
    assert r.objective >= r.heuristic_objective - 1e-9  # never worse than the warm start
    if r.status == "optimal":
        assert r.gap == pytest.approx(0.0, abs=1e-9)
