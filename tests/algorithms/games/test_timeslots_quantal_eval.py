"""Site x time-slot weights, default payoffs, quantal response and the Monte-Carlo evaluation."""

from __future__ import annotations

import numpy as np
import pytest

from bastion.algorithms.games.evaluation import compare_with_baselines
from bastion.algorithms.games.evaluation import proportional_coverage
from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.origami import solve_origami
from bastion.algorithms.games.quantal import quantal_value
from bastion.algorithms.games.quantal import solve_quantal
from bastion.algorithms.games.timeslots import default_payoffs
from bastion.algorithms.games.timeslots import slot_consequences
from bastion.kernel.errors import InvalidInput

DAY = 24 * 60


def test_mall_weighs_more_at_18_than_at_06() -> None:
    # Mall (2000 people) open Mon-Sun 09:00-21:00; station (500) always open. Shift Monday 05:00-20:00, hourly.
    mall = [(d * DAY + 9 * 60, d * DAY + 21 * 60) for d in range(7)]
    w = slot_consequences([2000, 500], [mall, []], 5 * 60, 15 * 60, closed_fraction=0.05)
    assert w.shape == (2, 15)
    at = lambda hour: hour - 5  # noqa: E731
    assert w[0, at(6)] == pytest.approx(2000 * 0.05)
    assert w[0, at(18)] == pytest.approx(2000)
    assert w[0, at(18)] > w[0, at(6)]
    np.testing.assert_allclose(w[1], 500)


def test_partial_slot_and_week_wrap() -> None:
    # Open Sunday 23:30 -> Monday 00:30 (wraps the week). Slot Sunday 23:00-24:00 is half open.
    w = slot_consequences([100], [[(7 * DAY - 30, 30)]], 7 * DAY - 60, 120, closed_fraction=0.0)
    np.testing.assert_allclose(w[0], [50.0, 50.0])
    with pytest.raises(InvalidInput, match="one list per site"):
        slot_consequences([1, 2], [[]], 0, 60)


def test_default_payoffs_make_a_valid_game() -> None:
    dc, du, ac, au = default_payoffs([[100, 0], [10, 50]])
    np.testing.assert_allclose(du, [-100, -0.1, -10, -50])
    np.testing.assert_allclose(dc, 0.2 * du)
    np.testing.assert_allclose(ac, -0.5 * au)
    g = SecurityGame.from_arrays(dc, du, ac, au, 1)
    assert solve_origami(g).attacked_target in (0, 3)


def random_game(seed: int, n: int = 8, m: int = 2) -> SecurityGame:
    rng = np.random.default_rng(seed)
    return SecurityGame.from_arrays(
        rng.uniform(0, 10, n), rng.uniform(-10, 0, n), rng.uniform(-10, 0, n), rng.uniform(0, 10, n), m
    )


def test_quantal_random_attacker_covers_largest_gains() -> None:
    # lam = 0: the attacker picks uniformly, V = mean(Du + g c): put the m resources on the largest g = Dc - Du.
    g = random_game(1)
    sol = solve_quantal(g, lam=0.0)
    gain = g.defender_covered - g.defender_uncovered
    top = np.argsort(-gain)[:2]
    expected = np.mean(g.defender_uncovered) + gain[top].sum() / g.n_targets
    assert sol.defender_utility == pytest.approx(expected, abs=1e-6)


def test_quantal_approaches_sse_and_beats_its_starts() -> None:
    g = random_game(2)
    sse = solve_origami(g)
    for lam in (0.5, 2.0):
        sol = solve_quantal(g, lam=lam)
        assert sol.coverage.sum() <= g.n_resources + 1e-6
        assert sol.defender_utility >= quantal_value(g, sse.coverage, lam) - 1e-9
    sharp = solve_quantal(g, lam=50.0)
    assert sharp.defender_utility == pytest.approx(sse.defender_utility, abs=0.2)
    with pytest.raises(InvalidInput, match="lam must be"):
        solve_quantal(g, lam=-1)


def test_proportional_coverage_caps_at_one() -> None:
    c = proportional_coverage([10, 1, 1], 2)
    np.testing.assert_allclose(c, [1.0, 0.5, 0.5])


def test_monte_carlo_optimal_beats_uniform_and_proportional() -> None:
    g = random_game(3, n=20, m=4)
    table = compare_with_baselines(g, g.attacker_uncovered, n_days=365, n_trials=20, rng=np.random.default_rng(0))
    rows = {r.strategy: r for r in table.rows}
    opt = rows["optimal (SSE)"]
    assert opt.analytic_defender_utility == pytest.approx(solve_origami(g).defender_utility)
    for other in ("uniform", "risk-proportional"):
        assert opt.analytic_attacker_utility <= rows[other].analytic_attacker_utility + 1e-9
        assert opt.defender_loss < rows[other].defender_loss
    assert "risk-proportional" in table.as_text()
