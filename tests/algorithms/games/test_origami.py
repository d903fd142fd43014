"""ORIGAMI (O(n log n)) against hand-solved games and the ERASER MILP oracle."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.milp import BayesianGame
from bastion.algorithms.games.milp import solve_bayesian_milp
from bastion.algorithms.games.milp import solve_eraser
from bastion.algorithms.games.origami import solve_origami
from bastion.kernel.errors import InvalidInput


def random_game(rng: np.random.Generator, n: int, m: int) -> SecurityGame:
    return SecurityGame.from_arrays(
        rng.uniform(0, 10, n), rng.uniform(-10, 0, n), rng.uniform(-10, 0, n), rng.uniform(0, 10, n), m
    )


def test_two_targets_zero_sum_by_hand() -> None:
    # Attacker: A (Au=10, Ac=0), B (Au=5, Ac=0); one resource; defender loses what the attacker gains.
    # Holding the attacker to k with both targets in the attack set needs (10-k)/10 + (5-k)/5 = 1 -> k = 10/3,
    # c = (2/3, 1/3); f(5) = 0.5 < 1 so B is indeed in the attack set. Defender: -(1-2/3)*10 = -10/3.
    g = SecurityGame.from_arrays([0, 0], [-10, -5], [0, 0], [10, 5], 1)
    for sol in (solve_origami(g), solve_eraser(g)):
        assert sol.attacker_utility == pytest.approx(10 / 3, abs=1e-9)
        assert sol.defender_utility == pytest.approx(-10 / 3, abs=1e-9)
    np.testing.assert_allclose(solve_origami(g).coverage, [2 / 3, 1 / 3], atol=1e-12)


def test_ties_broken_in_defenders_favour() -> None:
    # Symmetric attacker (Au=1, Ac=-1) -> c = (1/2, 1/2), k = 0 at both targets. Defender loses 10 at A and
    # 1 at B when uncovered: U_d = (-5, -0.5). The strong SSE lets the attacker pick B: defender gets -0.5.
    g = SecurityGame.from_arrays([0, 0], [-10, -1], [-1, -1], [1, 1], 1)
    for sol in (solve_origami(g), solve_eraser(g)):
        assert sol.attacked_target == 1
        assert sol.defender_utility == pytest.approx(-0.5, abs=1e-9)
        assert sol.attacker_utility == pytest.approx(0.0, abs=1e-9)


def test_attacker_floor_leaves_spare_resources() -> None:
    # Three targets, two resources. Attacker Au=(4,2,1), Ac=(1,0,0): never below L = max Ac = 1.
    # At k=1: c = ((4-1)/3, (2-1)/2, 0) = (1, 0.5, 0), using 1.5 < 2 resources. All three give the attacker 1;
    # defender Dc=0, Du=(-5,-3,-2): U_d = (0, -1.5, -2) -> attacker steered to A, defender gets 0.
    g = SecurityGame.from_arrays([0, 0, 0], [-5, -3, -2], [1, 0, 0], [4, 2, 1], 2)
    o = solve_origami(g)
    np.testing.assert_allclose(o.coverage, [1, 0.5, 0], atol=1e-12)
    assert (o.attacked_target, o.defender_utility, o.attacker_utility) == (0, pytest.approx(0.0), pytest.approx(1.0))
    e = solve_eraser(g)
    assert e.defender_utility == pytest.approx(0.0, abs=1e-9)


def test_origami_equals_eraser_on_200_random_games() -> None:
    rng = np.random.default_rng(20240601)
    for _ in range(200):
        n = int(rng.integers(2, 9))
        g = random_game(rng, n, int(rng.integers(1, n + 1)))
        o, e = solve_origami(g), solve_eraser(g)
        assert abs(o.defender_utility - e.defender_utility) < 1e-6
        assert abs(o.attacker_utility - e.attacker_utility) < 1e-6


def test_origami_equals_eraser_with_integer_payoffs_and_ties() -> None:
    # Integer payoffs create many exact ties between targets: the tie-breaking must still match the MILP.
    rng = np.random.default_rng(7)
    for _ in range(60):
        n = int(rng.integers(2, 7))
        g = SecurityGame.from_arrays(
            rng.integers(1, 4, n), rng.integers(-3, 0, n), rng.integers(-3, 0, n), rng.integers(1, 4, n),
            int(rng.integers(1, n + 1)),
        )
        assert abs(solve_origami(g).defender_utility - solve_eraser(g).defender_utility) < 1e-6


@settings(max_examples=60, derandomize=True, deadline=None)
@given(n=st.integers(1, 40), seed=st.integers(0, 2**31 - 1), frac=st.floats(0, 1))
def test_origami_properties(n: int, seed: int, frac: float) -> None:
    rng = np.random.default_rng(seed)
    m = 1 + int(frac * (n - 1))
    g = random_game(rng, n, m)
    sol = solve_origami(g)
    c = sol.coverage
    assert np.all(c >= 0) and np.all(c <= 1)
    assert c.sum() <= m + 1e-9
    ua = g.attacker_utilities(c)
    assert sol.attacker_utility == pytest.approx(ua.max(), abs=1e-9)
    assert ua[sol.attacked_target] >= ua.max() - 1e-9
    # No better than the SSE: uniform coverage never gives the defender more, nor the attacker less.
    uniform = np.full(n, m / n)
    _, ud_u, ua_u = g.best_response(uniform)
    assert sol.defender_utility >= ud_u - 1e-9
    assert sol.attacker_utility <= ua_u + 1e-9


def test_bayesian_reduces_to_single_type_and_beats_single_type_plans() -> None:
    rng = np.random.default_rng(3)
    n = 6
    pay = [rng.uniform(0, 10, (2, n)), rng.uniform(-10, 0, (2, n)), rng.uniform(-10, 0, (2, n)),
           rng.uniform(0, 10, (2, n))]
    bg = BayesianGame.from_arrays(*pay, [0.3, 0.7], 2)
    sol = solve_bayesian_milp(bg)
    assert sol.coverage.sum() <= 2 + 1e-7
    # Expected utility of the coverage each type alone would get, facing the mixture of types.
    for single in bg.types:
        c = solve_origami(single).coverage
        value = sum(p * g.best_response(c)[1] for p, g in zip(bg.priors, bg.types, strict=True))
        assert sol.defender_utility >= value - 1e-6
    # A prior that puts all weight on type 0 gives ERASER's answer for type 0.
    only0 = solve_bayesian_milp(BayesianGame.from_arrays(*pay, [1.0, 0.0], 2))
    assert only0.defender_utility == pytest.approx(solve_origami(bg.types[0]).defender_utility, abs=1e-6)


@pytest.mark.parametrize(
    ("kwargs", "needle"),
    [
        ({"attacker_covered": [5, 0]}, "attacker_uncovered[0] must be greater than attacker_covered[0]"),
        ({"defender_uncovered": [1, -1]}, "defender_covered[0] must be greater than defender_uncovered[0]"),
        ({"n_resources": 3}, "n_resources must be between 1 and 2"),
        ({"n_resources": 0}, "n_resources must be between 1 and 2"),
        ({"attacker_uncovered": [1, 2, 3]}, "attacker_uncovered must have one value per target (2)"),
        ({"defender_covered": [[1, 2]]}, "defender_covered must be a 1-D array"),
        ({"attacker_uncovered": [np.nan, 2]}, "attacker_uncovered[0] must be finite"),
    ],
)
def test_invalid_input_names_argument(kwargs: dict[str, object], needle: str) -> None:
    args: dict[str, object] = {
        "defender_covered": [0, 0], "defender_uncovered": [-1, -1],
        "attacker_covered": [0, 0], "attacker_uncovered": [1, 1], "n_resources": 1,
    }
    args.update(kwargs)
    with pytest.raises(InvalidInput) as exc:
        SecurityGame.from_arrays(**args)  # type: ignore[arg-type]
    assert needle in str(exc.value)


@pytest.fixture
def tiny_selection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run the selection loop even on tiny games (it normally starts above 4096 targets)."""
    import bastion.algorithms.games.origami as origami

    monkeypatch.setattr(origami, "_SMALL", 1)
    monkeypatch.setattr(origami, "_SAMPLE", 3)


@pytest.mark.usefixtures("tiny_selection")
def test_selection_method_equals_eraser_and_sort() -> None:
    rng = np.random.default_rng(99)
    for i in range(120):
        n = int(rng.integers(2, 9))
        if i % 2:
            g = random_game(rng, n, int(rng.integers(1, n + 1)))
        else:  # integer payoffs: many equal Au (pivot ties)
            g = SecurityGame.from_arrays(
                rng.integers(1, 4, n), rng.integers(-3, 0, n), rng.integers(-3, 0, n), rng.integers(1, 4, n),
                int(rng.integers(1, n + 1)),
            )
        sel, srt = solve_origami(g, method="select"), solve_origami(g, method="sort")
        assert sel.attacker_utility == pytest.approx(srt.attacker_utility, abs=1e-9)
        assert sel.defender_utility == pytest.approx(srt.defender_utility, abs=1e-9)
        if i % 3 == 0:
            assert abs(sel.defender_utility - solve_eraser(g).defender_utility) < 1e-6


def test_selection_equals_sort_on_large_games() -> None:
    rng = np.random.default_rng(5)
    for n, m in ((20_000, 30), (50_000, 5_000), (30_000, 30_000)):
        g = random_game(rng, n, m)
        sel, srt = solve_origami(g, method="select"), solve_origami(g, method="sort")
        assert sel.attacker_utility == pytest.approx(srt.attacker_utility, rel=1e-12, abs=1e-9)
        assert sel.attacked_target == srt.attacked_target
        assert sel.coverage.sum() <= m + 1e-6
    with pytest.raises(InvalidInput, match="method must be"):
        solve_origami(g, method="bogus")  # type: ignore[arg-type]


def test_solver_status_is_never_ignored() -> None:
    # A time limit too short to finish must raise SolverError carrying HiGHS's status text, not return junk.
    from bastion.kernel.errors import SolverError

    g = random_game(np.random.default_rng(1), 400, 10)
    with pytest.raises(SolverError, match="HiGHS status: Time limit reached"):
        solve_eraser(g, time_limit_s=1e-4)


def test_bayesian_with_identical_types_is_the_single_game() -> None:
    # Two identical attacker types (any prior) face the same best response: same value as one type.
    g = SecurityGame.from_arrays([0, 0], [-10, -5], [0, 0], [10, 5], 1)
    rows = lambda v: [v, v]  # noqa: E731
    bg = BayesianGame.from_arrays(
        rows([0, 0]), rows([-10, -5]), rows([0, 0]), rows([10, 5]), [0.25, 0.75], 1
    )
    sol = solve_bayesian_milp(bg)
    assert sol.defender_utility == pytest.approx(solve_origami(g).defender_utility, abs=1e-9)
    ua = g.attacker_utilities(sol.coverage)
    assert all(ua[t] >= ua.max() - 1e-7 for t in sol.attacked_targets)  # each type best-responds (ties allowed)
    with pytest.raises(InvalidInput, match="priors must be 2 non-negative numbers summing to 1"):
        BayesianGame.from_arrays(rows([0, 0]), rows([-10, -5]), rows([0, 0]), rows([10, 5]), [0.5, 0.6], 1)
