"""The one HiGHS adapter: status policy and gap formula on hand-checkable models."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from bastion.algorithms.optim import highs
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import SolverError


def knapsack(maximize: bool = True) -> highs.MilpModel:
    # max 5a + 4b + 3c  s.t. 2a + 3b + c <= 4, binary: optimum a + c = 8
    sign = 1.0 if maximize else -1.0
    return highs.MilpModel(
        sign * np.array([5.0, 4.0, 3.0]), sp.csc_matrix([[2.0, 3.0, 1.0]]), np.array([-np.inf]), np.array([4.0]),
        np.zeros(3), np.ones(3), np.ones(3, dtype=bool), maximize=maximize,
    )


def test_optimal_in_either_sense() -> None:
    up, down = highs.solve(knapsack(True)), highs.solve(knapsack(False))
    assert up.status == highs.SolveStatus.OPTIMAL and up.objective == pytest.approx(8.0)
    assert down.objective == pytest.approx(-8.0) and np.allclose(up.x, down.x)
    assert up.gap == 0.0 and down.gap == 0.0


def test_infeasible_raises_infeasible() -> None:
    m = highs.MilpModel(np.ones(1), sp.csc_matrix([[1.0]]), np.array([2.0]), np.array([3.0]),
                        np.zeros(1), np.ones(1))
    with pytest.raises(Infeasible, match="HiGHS status: Infeasible"):
        highs.solve(m)


def test_bad_time_limit_is_invalid_input() -> None:
    with pytest.raises(InvalidInput, match="time_limit_s"):
        highs.solve(knapsack(), time_limit_s=0.0)


def test_relative_gap_is_one_formula() -> None:
    assert highs.relative_gap(100.0, 90.0) == pytest.approx(0.1)
    assert highs.relative_gap(90.0, 100.0, maximize=True) == pytest.approx(1 / 9)
    assert highs.relative_gap(1.0, 1.0) == 0.0 and highs.relative_gap(1.0, -np.inf) == np.inf


def test_lp_session_column_generation_and_duals() -> None:
    # max x + 2y s.t. x + y <= 1 (added column by column): y = 1, dual 2
    lp = highs.LpSession(maximize=True, what="toy master")
    lp.add_empty_rows(np.array([-np.inf]), np.array([1.0]))
    lp.add_columns(np.array([1.0]), np.zeros(1), np.array([np.inf]), sp.csc_matrix([[1.0]]))
    z, y = lp.solve()
    assert z == pytest.approx(1.0) and y[0] == pytest.approx(1.0)
    lp.add_columns(np.array([2.0]), np.zeros(1), np.array([np.inf]), sp.csc_matrix([[1.0]]))
    z, y = lp.solve()
    assert z == pytest.approx(2.0) and y[0] == pytest.approx(2.0) and lp.x() == pytest.approx([0.0, 1.0])
    lp.set_bounds(np.array([0, 1]), np.array([2.0, 0.0]), np.array([3.0, 0.0]))  # x >= 2 breaks the row
    with pytest.raises(SolverError, match="toy master not optimal"):
        lp.solve()
