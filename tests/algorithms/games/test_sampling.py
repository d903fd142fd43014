"""Comb sampling keeps exactly m resources and matches the marginals; route sampling; reproducibility."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.origami import solve_origami
from bastion.algorithms.games.routes import PatrolProblem
from bastion.algorithms.games.routes import Route
from bastion.algorithms.games.sampling import IDLE
from bastion.algorithms.games.sampling import comb_route_coverage
from bastion.algorithms.games.sampling import comb_sample
from bastion.algorithms.games.sampling import comb_sample_routes
from bastion.algorithms.games.sampling import fill_slack
from bastion.algorithms.games.sampling import sample_plans
from bastion.algorithms.games.schedules import solve_schedules
from bastion.kernel.errors import InvalidInput


@settings(max_examples=40, derandomize=True, deadline=None)
@given(n=st.integers(2, 30), seed=st.integers(0, 2**31 - 1), frac=st.floats(0, 1))
def test_comb_sample_exact_m_distinct_and_converges(n: int, seed: int, frac: float) -> None:
    rng = np.random.default_rng(seed)
    m = 1 + int(frac * (n - 1))
    g = SecurityGame.from_arrays(
        rng.uniform(0, 10, n), rng.uniform(-10, 0, n), rng.uniform(-10, 0, n), rng.uniform(0, 10, n), m
    )
    sol = solve_origami(g)
    c = fill_slack(sol.coverage, m, keep=sol.attacked_target)
    assert c.sum() == pytest.approx(m) and np.all(c <= 1 + 1e-12)
    assert g.best_response(c)[0] == sol.attacked_target
    assert g.best_response(c)[1] == pytest.approx(sol.defender_utility, abs=1e-9)
    days = 4000
    sample = comb_sample(c, m, n_days=days, rng=np.random.default_rng(seed + 1))
    assert sample.shape == (days, m)
    assert all(len(set(row)) == m for row in sample.tolist())
    freq = np.bincount(sample.ravel(), minlength=n) / days
    # Hoeffding: P(|freq - c| > eps) <= 2 exp(-2 days eps^2); eps below gives <= 1e-9 per target.
    eps = np.sqrt(np.log(2e9) / (2 * days))
    assert np.max(np.abs(freq - c)) <= eps


def test_comb_sample_is_reproducible_and_validates() -> None:
    c = np.array([0.5, 0.25, 0.75, 0.5])
    a = comb_sample(c, 2, n_days=10, rng=np.random.default_rng(1))
    b = comb_sample(c, 2, n_days=10, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(a, b)
    with pytest.raises(InvalidInput, match="must sum to n_resources=3"):
        comb_sample(c, 3, n_days=1, rng=np.random.default_rng(1))
    with pytest.raises(InvalidInput, match="more than n_resources=1"):
        fill_slack(c, 1)


def test_route_sampling_matches_weights_and_exact_coverage() -> None:
    rng = np.random.default_rng(4)
    n = 7
    pts = rng.uniform(0, 1000, (n + 1, 2))
    tt = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    g = SecurityGame.from_arrays(
        rng.uniform(0, 10, n), rng.uniform(-10, 0, n), rng.uniform(-10, 0, n), rng.uniform(0, 10, n), 2
    )
    p = PatrolProblem.from_arrays(g, tt, np.full(n, 60.0), 2500.0, max_stops=3)
    sol = solve_schedules(p, model="marginal")
    days = 5000
    picks = comb_sample_routes(sol.weights, 2, n_days=days, rng=np.random.default_rng(9))
    assert picks.shape == (days, 2)
    freq = np.array([(picks == j).sum() for j in range(len(sol.routes))]) / days
    eps = np.sqrt(np.log(2e9) / (2 * days))
    assert np.max(np.abs(freq - sol.weights)) <= eps
    visited = np.zeros(n)
    for row in picks:
        for s in {s for j in row if j != IDLE for s in sol.routes[j].stops}:
            visited[s] += 1
    exact = comb_route_coverage(sol.routes, sol.weights, 2, n)
    assert np.max(np.abs(visited / days - exact)) <= eps
    assert np.all(exact <= sol.coverage + 1e-9)  # overlaps can only lose coverage


def test_comb_route_coverage_by_hand() -> None:
    # Two teams, routes {0,1} w.p. 1 and {1} w.p. 0.5 -> site 0 always, site 1 always, site 2 never.
    routes = [Route((0, 1), 1.0), Route((1,), 1.0), Route((2,), 1.0)]
    cov = comb_route_coverage(routes, [1.0, 0.5, 0.0], 2, 3)
    np.testing.assert_allclose(cov, [1.0, 1.0, 0.0])


def test_joint_plans_sampling_realises_the_coverage() -> None:
    rng = np.random.default_rng(6)
    n = 7
    pts = rng.uniform(0, 1000, (n + 1, 2))
    tt = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    g = SecurityGame.from_arrays(
        rng.uniform(0, 10, n), rng.uniform(-10, 0, n), rng.uniform(-10, 0, n), rng.uniform(0, 10, n), 2
    )
    p = PatrolProblem.from_arrays(g, tt, np.full(n, 60.0), 2500.0, max_stops=3)
    sol = solve_schedules(p)
    days = 5000
    picks = sample_plans(sol.weights, n_days=days, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(picks, sample_plans(sol.weights, n_days=days, rng=np.random.default_rng(3)))
    visited = np.zeros(n)
    for j in picks:
        if j != IDLE:
            visited[list(sol.plans[j].stops)] += 1
    eps = np.sqrt(np.log(2e9) / (2 * days))
    assert np.max(np.abs(visited / days - sol.coverage)) <= eps
    with pytest.raises(InvalidInput, match="summing to at most 1"):
        sample_plans([0.7, 0.6], n_days=1, rng=rng)
