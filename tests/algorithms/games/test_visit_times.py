"""Visit times of a sortie: each visit starts uniformly over its feasible window, the sortie always fits."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from scipy import stats

from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.routes import PatrolProblem
from bastion.algorithms.games.routes import Route
from bastion.algorithms.games.routes import visit_times
from bastion.kernel.errors import InvalidInput

LEGS = np.array([60.0, 120.0, 90.0, 30.0])  # depot -> a -> b -> c -> depot, s
DWELL = np.array([600.0, 300.0, 420.0])
HORIZON = 3600.0  # the sortie takes 1,620 s: 1,980 s of slack


def _windows(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Feasible window of each visit given the earlier ones (by hand, from the definitions)."""
    lo, hi = np.empty(3), np.empty(3)
    ready = 0.0
    for k in range(3):
        lo[k] = ready + LEGS[k]
        hi[k] = HORIZON - (DWELL[k:].sum() + LEGS[k + 1:].sum())
        ready = t[k] + DWELL[k]
    return lo, hi


def test_without_rng_every_visit_is_as_early_as_possible() -> None:
    assert visit_times(LEGS, DWELL, HORIZON).tolist() == [60.0, 780.0, 1170.0]


def test_each_visit_is_uniform_over_its_feasible_window() -> None:
    rng = np.random.default_rng(3)
    u = np.empty((4000, 3))
    for i in range(u.shape[0]):
        t = visit_times(LEGS, DWELL, HORIZON, rng=rng)
        lo, hi = _windows(t)
        assert np.all(t >= lo - 1e-9) and np.all(t <= hi + 1e-9)
        assert t[-1] + DWELL[-1] + LEGS[-1] <= HORIZON + 1e-9  # back at the base in time
        u[i] = (t - lo) / (hi - lo)
    for k in range(3):  # position within the window given the earlier visits: U(0, 1)
        assert stats.kstest(u[:, k], "uniform").pvalue > 0.01


def test_no_slack_means_no_choice() -> None:
    tight = float(LEGS.sum() + DWELL.sum())
    rng = np.random.default_rng(0)
    assert visit_times(LEGS, DWELL, tight, rng=rng).tolist() == [60.0, 780.0, 1170.0]


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(st.floats(0, 900), min_size=2, max_size=5), st.floats(0, 3600), st.integers(0, 2**31 - 1))
def test_always_feasible(legs: list[float], slack: float, seed: int) -> None:
    k = len(legs) - 1
    dwell = np.linspace(60.0, 600.0, k)
    horizon = sum(legs) + dwell.sum() + slack
    t = visit_times(legs, dwell, horizon, rng=np.random.default_rng(seed))
    ready = 0.0
    for j in range(k):
        assert t[j] >= ready + legs[j] - 1e-6
        ready = t[j] + dwell[j]
    assert ready + legs[-1] <= horizon + 1e-6


def test_timeline_draws_with_an_rng() -> None:
    game = SecurityGame.from_arrays([0.0, 0.0], [-1.0, -1.0], [-1.0, -1.0], [1.0, 1.0], 1)
    tt = np.array([[0, 100, 100], [100, 0, 100], [100, 100, 0]], dtype=float)
    p = PatrolProblem.from_arrays(game, tt, [60.0, 60.0], 3600.0)
    route = Route((0, 1), 420.0)
    assert [(s.arrival_s, s.departure_s) for s in p.timeline(route)] == [(100.0, 160.0), (260.0, 320.0)]
    drawn = p.timeline(route, rng=np.random.default_rng(1))
    assert drawn[0].arrival_s >= 100.0 and drawn[1].arrival_s >= drawn[0].departure_s + 100.0
    assert drawn[1].departure_s + 100.0 <= 3600.0


def test_bad_inputs_are_named() -> None:
    with pytest.raises(InvalidInput, match="legs_s must hold one travel time more than dwell_s"):
        visit_times([1.0, 2.0], [1.0, 2.0], 100.0)
    with pytest.raises(InvalidInput, match="longer than horizon_s"):
        visit_times([100.0, 100.0], [10.0], 100.0)
    with pytest.raises(InvalidInput, match="non-negative"):
        visit_times([-1.0, 1.0], [1.0], 100.0)
