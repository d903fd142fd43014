"""Patrol-route games: column generation vs full route enumeration, pricing vs brute force, hand cases."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.origami import solve_origami
from bastion.algorithms.games.pricing import best_joint_schedules
from bastion.algorithms.games.pricing import best_routes
from bastion.algorithms.games.routes import JointSchedule
from bastion.algorithms.games.routes import PatrolProblem
from bastion.algorithms.games.routes import enumerate_routes
from bastion.algorithms.games.schedules import solve_schedules
from bastion.algorithms.games.schedules import solve_schedules_milp
from bastion.kernel.errors import InvalidInput


def random_problem(
    rng: np.random.Generator, n: int, teams: int, shift_s: float, max_stops: int | None
) -> PatrolProblem:
    pts = rng.uniform(0, 1000, (n + 1, 2))
    tt = np.linalg.norm(pts[:, None] - pts[None], axis=2)  # metres at 1 m/s: seconds, triangle inequality holds
    g = SecurityGame.from_arrays(
        rng.uniform(0, 10, n), rng.uniform(-10, 0, n), rng.uniform(-10, 0, n), rng.uniform(0, 10, n), teams
    )
    return PatrolProblem.from_arrays(g, tt, np.full(n, 100.0), shift_s, max_stops=max_stops)


ZERO_SUM = SecurityGame.from_arrays([0, 0], [-10, -5], [0, 0], [10, 5], 1)


def test_one_stop_routes_reduce_to_the_plain_game() -> None:
    # Sites 0 and 1 are 1000 s from the depot and 2000 s apart; a 2300 s shift fits one site per route, so a
    # team is a plain resource: the answer is the hand-solved game c = (2/3, 1/3), defender -10/3.
    tt = np.array([[0, 1000, 1000], [1000, 0, 2000], [1000, 2000, 0]], dtype=float)
    p = PatrolProblem.from_arrays(ZERO_SUM, tt, [100, 100], 2300)
    sol = solve_schedules(p)
    assert sol.status == "optimal"
    assert sol.defender_utility == pytest.approx(-10 / 3, abs=1e-9)
    np.testing.assert_allclose(sol.coverage, [2 / 3, 1 / 3], atol=1e-9)
    assert sol.defender_utility == pytest.approx(solve_origami(ZERO_SUM).defender_utility, abs=1e-9)


def test_a_route_through_both_sites_covers_both() -> None:
    # With a 4200 s shift one team can do depot -> 0 -> 1 -> depot (1000+100+2000+100+1000 = 4200 s): full
    # coverage of both sites, the attacker gets max(Ac) = 0 and the defender Dc = 0.
    tt = np.array([[0, 1000, 1000], [1000, 0, 2000], [1000, 2000, 0]], dtype=float)
    p = PatrolProblem.from_arrays(ZERO_SUM, tt, [100, 100], 4200)
    sol = solve_schedules(p)
    np.testing.assert_allclose(sol.coverage, [1, 1], atol=1e-9)
    assert sol.defender_utility == pytest.approx(0.0, abs=1e-9)
    assert sol.routes[0].duration_s == pytest.approx(4200)


def test_column_generation_equals_full_enumeration() -> None:
    rng = np.random.default_rng(11)
    for _ in range(25):
        n = int(rng.integers(3, 9))
        p = random_problem(rng, n, int(rng.integers(1, 3)), float(rng.uniform(1500, 3500)), int(rng.integers(2, 4)))
        cg = solve_schedules(p, model="marginal")
        milp = solve_schedules_milp(p, enumerate_routes(p))
        assert cg.status == "optimal" and cg.gap == 0.0
        assert cg.defender_utility == pytest.approx(milp.defender_utility, abs=1e-6)
        assert cg.objective == pytest.approx(cg.defender_utility, abs=1e-7)
        # Feasible, coherent plan.
        assert cg.weights.sum() <= p.n_teams + 1e-7
        assert np.all(cg.coverage >= 0) and np.all(cg.coverage <= 1 + 1e-9)
        for r in cg.routes:
            assert len(r.stops) <= (p.max_stops or n) and len(set(r.stops)) == len(r.stops)
            assert p.route_duration_s(r.stops) <= p.shift_s + 1e-6
        ua = p.game.attacker_utilities(cg.coverage)
        assert ua[cg.attacked_target] >= ua.max() - 1e-7


def test_iteration_limit_reports_a_valid_bound() -> None:
    rng = np.random.default_rng(5)
    p = random_problem(rng, 8, 2, 3000.0, 3)
    exact = solve_schedules_milp(p, enumerate_routes(p)).objective
    early = solve_schedules(p, model="marginal", max_iterations=1, columns_per_pricing=1)
    assert early.objective <= exact + 1e-7
    assert early.bound >= exact - 1e-7


def test_pricing_matches_brute_force() -> None:
    rng = np.random.default_rng(2)
    for _ in range(30):
        p = random_problem(rng, 7, 1, float(rng.uniform(1500, 4000)), int(rng.integers(1, 5)))
        w = rng.normal(0, 1, 7)
        routes = enumerate_routes(p)
        brute = max([w[list(r.stops)].sum() for r in routes] + [0.0])
        found = best_routes(p, w, min_value=0.0)
        best = found[0][0] if found else 0.0
        assert best == pytest.approx(brute, abs=1e-9)
        for value, r in found:
            assert value == pytest.approx(w[list(r.stops)].sum())
            assert r.duration_s == pytest.approx(p.route_duration_s(r.stops))
            assert r.duration_s <= p.shift_s + 1e-9


def test_timeline_and_validation() -> None:
    tt = np.array([[0, 1000, 1000], [1000, 0, 2000], [1000, 2000, 0]], dtype=float)
    p = PatrolProblem.from_arrays(ZERO_SUM, tt, [100, 50], 4200)
    stops = p.timeline(solve_schedules(p).routes[0])
    assert [(s.arrival_s, s.departure_s) for s in stops] in (
        [(1000, 1100), (3100, 3150)], [(1000, 1050), (3050, 3150)],
    )
    with pytest.raises(InvalidInput, match=r"travel_time_s must have shape \(3, 3\)"):
        PatrolProblem.from_arrays(ZERO_SUM, np.zeros((2, 2)), [1, 1], 100)
    with pytest.raises(InvalidInput, match="shift_s must be a positive"):
        PatrolProblem.from_arrays(ZERO_SUM, tt, [1, 1], 0)
    with pytest.raises(InvalidInput, match="dwell_s must be 2"):
        PatrolProblem.from_arrays(ZERO_SUM, tt, [1, -1], 100)


def test_teams_must_be_whole() -> None:
    tt = np.array([[0, 1000, 1000], [1000, 0, 2000], [1000, 2000, 0]], dtype=float)
    half = SecurityGame.from_arrays([0, 0], [-10, -5], [0, 0], [10, 5], 1.5)
    with pytest.raises(InvalidInput, match="must be whole, got 1.5"):
        PatrolProblem.from_arrays(half, tt, [100, 100], 2300)


def all_joint_schedules(p: PatrolProblem) -> list[JointSchedule]:
    routes = enumerate_routes(p)
    out: list[JointSchedule] = []
    for k in range(1, p.n_teams + 1):
        for combo in itertools.combinations(routes, k):
            stops = [s for r in combo for s in r.stops]
            if len(stops) == len(set(stops)):
                out.append(JointSchedule(tuple(combo)))
    return out


def test_joint_model_equals_brute_force_and_is_below_marginal() -> None:
    rng = np.random.default_rng(21)
    for _ in range(15):
        n = int(rng.integers(3, 7))
        p = random_problem(rng, n, 2, float(rng.uniform(1500, 3000)), 3)
        joint = solve_schedules(p)
        brute = solve_schedules_milp(p, all_joint_schedules(p), n_teams=1)
        marginal = solve_schedules(p, model="marginal")
        assert joint.status == "optimal"
        assert joint.defender_utility == pytest.approx(brute.defender_utility, abs=1e-6)
        assert joint.defender_utility <= marginal.defender_utility + 1e-7
        assert joint.weights.sum() <= 1 + 1e-7
        for plan in joint.plans:
            assert len(plan.routes) <= p.n_teams
            assert len(set(plan.stops)) == len(plan.stops)  # site-disjoint
            assert all(p.route_duration_s(r.stops) <= p.shift_s + 1e-6 for r in plan.routes)
        cov = np.zeros(n)
        for plan, y in zip(joint.plans, joint.weights, strict=True):
            cov[list(plan.stops)] += y
        np.testing.assert_allclose(cov, joint.coverage, atol=1e-9)


def test_joint_pricing_matches_brute_force() -> None:
    # Exact joint pricing equals brute force over all joint schedules for random site weights.
    rng = np.random.default_rng(8)
    for _ in range(20):
        p = random_problem(rng, 6, 2, float(rng.uniform(1500, 3500)), 3)
        w = rng.normal(0, 1, 6)
        brute = max([w[list(j.stops)].sum() for j in all_joint_schedules(p)] + [0.0])
        found = best_joint_schedules(p, w, min_value=brute - 1e-6)
        # Nothing strictly better than the brute-force optimum exists ...
        assert not best_joint_schedules(p, w, min_value=brute + 1e-6)
        # ... and the optimum itself is found (by the greedy or the exact step).
        if brute > 1e-6:
            assert found and found[0][0] == pytest.approx(brute, abs=1e-6)


def test_joint_iteration_limit_bound_is_valid() -> None:
    rng = np.random.default_rng(13)
    p = random_problem(rng, 6, 2, 2500.0, 3)
    exact = solve_schedules_milp(p, all_joint_schedules(p), n_teams=1).objective
    early = solve_schedules(p, max_iterations=1, columns_per_pricing=1)
    assert early.objective <= exact + 1e-7
    assert early.bound >= exact - 1e-7
    with pytest.raises(InvalidInput, match="model must be 'joint' or 'marginal'"):
        solve_schedules(p, model="both")  # type: ignore[arg-type]


def test_exact_joint_pricing_returns_the_best_plan_first() -> None:
    rng = np.random.default_rng(17)
    for _ in range(10):
        p = random_problem(rng, 6, 2, float(rng.uniform(1500, 3500)), 3)
        w = rng.normal(0.5, 1, 6)
        brute = max([w[list(j.stops)].sum() for j in all_joint_schedules(p)] + [0.0])
        found = best_joint_schedules(p, w, min_value=-1e9, exact=True)
        assert found[0][0] == pytest.approx(brute, abs=1e-7)
