"""The CBC backend gives the same optima as HiGHS on hand instances and random ones."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import solve_lscp
from bastion.algorithms.coverage import solve_mclp
from bastion.algorithms.coverage import solve_p_median
from bastion.algorithms.optim.cbc import solve_cbc


def hand_problem(**kw):
    w = np.array([10.0, 20.0, 30.0, 40.0, 55.0])
    sets = [{0, 1}, {1, 2, 3}, {3, 4}, {0, 4}]
    t = np.full((5, 4), 500.0)
    for j, s in enumerate(sets):
        t[list(s), j] = 100.0
    return CoverageProblem.from_arrays(t, w, 180.0, **kw)


def test_cbc_hand_optima():
    r = solve_mclp(hand_problem(), 2, backend=solve_cbc)
    assert r.solver == "cbc" and r.status == "optimal" and r.chosen == (1, 3) and r.objective == 155.0
    assert solve_mclp(hand_problem(fixed=[2]), 1, backend=solve_cbc).chosen == (1,)
    assert solve_mclp(hand_problem(), 2, backup=True, backend=solve_cbc).objective == pytest.approx(165.0)
    assert solve_lscp(hand_problem(), backend=solve_cbc).chosen == (1, 3)


def test_cbc_matches_highs_on_random_instances():
    rng = np.random.default_rng(3)
    for _ in range(3):
        t = rng.uniform(0, 600, size=(40, 15))
        w = rng.integers(1, 50, 40).astype(float)
        prob = CoverageProblem.from_arrays(t, w, 150.0, fixed=[0])
        assert solve_mclp(prob, 4, backend=solve_cbc).objective == pytest.approx(solve_mclp(prob, 4).objective)
        assert solve_p_median(prob, 3, backend=solve_cbc).objective == pytest.approx(solve_p_median(prob, 3).objective)
