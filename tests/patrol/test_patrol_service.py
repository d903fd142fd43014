"""Patrol plans on real Monaco data: reproducible, feasible on the road network, coverage within the teams."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.patrol import service as svc
from bastion.patrol.build import check_options
from bastion.patrol.build import parse_shift
from bastion.patrol.evaluate import evaluate_plan
from bastion.patrol.models import PatrolCoverage
from bastion.patrol.models import PatrolPlan
from bastion.patrol.models import PatrolSchedule
from bastion.patrol.models import PatrolStop
from bastion.regions.service import load_road_network
from tests.patrol_db import monaco_module_sf  # noqa: F401 (fixtures)
from tests.patrol_db import monaco_url  # noqa: F401 (fixtures)

SMALL = dict(teams=2, shift="08:00-10:00", days=3, seed=7, max_sites=10, max_stops=2, start_weekday=4)


def _stops(sf: sessionmaker[Session], plan_id: int) -> list[tuple[int, int, int, int, float, float]]:
    with sf() as s:
        return [(t.day, t.team, st.seq, st.site_id, st.arrival_s, st.departure_s)
                for t in svc.schedules(s, plan_id) for st in t.stops]


def test_plan_is_reproducible_and_stored(monaco_module_sf: sessionmaker[Session]) -> None:
    o = check_options(**SMALL)
    a = svc.create_plan(monaco_module_sf, "Monaco", o)
    b = svc.create_plan(monaco_module_sf, "Monaco", o)
    c = svc.create_plan(monaco_module_sf, "Monaco", check_options(**{**SMALL, "seed": 8}))
    sa, sb, sc = _stops(monaco_module_sf, a), _stops(monaco_module_sf, b), _stops(monaco_module_sf, c)
    assert sa and sa == sb
    assert sa != sc  # another seed draws other days
    with monaco_module_sf() as s:
        p = svc.get_plan(s, a)
        assert (p.teams, p.days, p.shift_start, p.shift_end, p.seed) == (2, 3, "08:00", "10:00", 7)
        assert p.solver_status == "optimal" and p.gap <= 1e-6 and p.runtime_s > 0
        assert p.parameters["max_stops"] == 2 and p.parameters["dwell_min"] == 10.0
        assert s.scalar(select(func.count()).select_from(PatrolSchedule).where(PatrolSchedule.plan_id == a)) == 3 * 2
        # Friday..Sunday: 3 weekdays x 10 sites x 2 slots
        assert s.scalar(select(func.count()).select_from(PatrolCoverage).where(PatrolCoverage.plan_id == a)) == 60
        labels = {t.label for t in svc.schedules(s, a)}
        assert labels == {"Team 1", "Team 2"}


def test_schedules_feasible_on_road_network(monaco_module_sf: sessionmaker[Session]) -> None:
    o = check_options(**{**SMALL, "teams": 3, "max_stops": 3, "dwell_min": 7.0})
    rid, built = svc.compute_plan(monaco_module_sf, "Monaco", o)
    with monaco_module_sf() as s:
        roads = load_road_network(s, rid)
    g = nx.DiGraph()
    for u, v, t in zip(roads.edge_u, roads.edge_v, roads.edge_travel_time_s(), strict=True):
        if not g.has_edge(int(u), int(v)) or g[int(u)][int(v)]["t"] > t:
            g.add_edge(int(u), int(v), t=float(t))
    nodes = built.road_nodes
    indep = np.array([[nx.dijkstra_path_length(g, int(a), int(b), weight="t") for b in nodes] for a in nodes])
    np.testing.assert_allclose(built.travel_time_s, indep, rtol=1e-9, atol=1e-6)  # independent check (networkx)
    start, length = parse_shift(o.shift)
    dwell = o.dwell_min * 60
    checked = 0
    for td in built.schedules:
        by_slot: dict[int, list[tuple[int, float, float]]] = {}
        for site, slot, arr, dep, _ in td.stops:
            by_slot.setdefault(slot, []).append((site, arr, dep))
        for slot, stops in by_slot.items():
            assert len(stops) <= o.max_stops
            assert len({s for s, _, _ in stops}) == len(stops)
            clock, prev = built.slot_starts_s[slot], 0
            for site, arr, dep in stops:
                assert arr >= clock + indep[prev, site + 1] - 1e-6  # driven there (the team may leave later)
                assert dep == pytest.approx(arr + dwell)
                clock, prev = dep, site + 1
                checked += 1
            back = clock + indep[prev, 0]
            assert back <= built.slot_starts_s[slot] + built.slot_lengths_s[slot] + 1e-6
            assert back <= length * 60 + 1e-6
        # one team is never in two places: stops of a team are in time order
        times = [a for _, _, a, _, _ in td.stops]
        assert times == sorted(times)
    assert checked > 0
    # sites of one slot on one day are shared by no two teams (joint day plans)
    for day in range(1, o.days + 1):
        for slot in range(len(built.slot_starts_s)):
            seen = [s for td in built.schedules if td.day == day for s, j, _, _, _ in td.stops if j == slot]
            assert len(seen) == len(set(seen))


def test_coverage_within_teams(monaco_module_sf: sessionmaker[Session]) -> None:
    for stops in (1, 2):
        _, built = svc.compute_plan(monaco_module_sf, "Monaco", check_options(**{**SMALL, "max_stops": stops}))
        for cov in built.coverage.values():
            assert np.all(cov >= -1e-9) and np.all(cov <= 1 + 1e-9)
            assert np.all(cov.sum(axis=0) <= SMALL["teams"] * stops + 1e-6)  # per slot
        # a planned visit is to a site the strategy covers; extra visits (idle teams) never change the attack
        for td in built.schedules:
            wd = built.weekday(td.day)
            assert all(built.coverage[wd][s, j] > 0 for s, j, _, _, extra in td.stops if not extra)


def test_fill_idle_teams_visits_free_sites_never_the_attacked_one() -> None:
    from bastion.algorithms.games import PatrolProblem
    from bastion.algorithms.games import SecurityGame
    from bastion.algorithms.games import default_payoffs
    from bastion.algorithms.games import solve_schedules
    from bastion.patrol.build import _fill

    v = np.array([100.0, 90.0, 5.0, 4.0, 3.0])
    tt = np.full((6, 6), 60.0)
    np.fill_diagonal(tt, 0.0)
    game = SecurityGame.from_arrays(*default_payoffs(v), 2)
    problem = PatrolProblem.from_arrays(game, tt, np.full(5, 60.0), 400.0, max_stops=2)
    sol = solve_schedules(problem)
    taken = list(sol.plans[0].routes[:1])
    extra = _fill(problem, sol.attacked_target, taken, v, 3)
    visited = [s for r in extra for s in r.stops]
    assert extra and sol.attacked_target not in visited
    assert not set(visited) & {s for r in taken for s in r.stops}
    assert len(visited) == len(set(visited))
    assert all(problem.route_duration_s(r.stops) <= 400.0 + 1e-9 for r in extra)


def test_evaluation_optimal_beats_uniform(monaco_module_sf: sessionmaker[Session]) -> None:
    _, built = svc.compute_plan(monaco_module_sf, "Monaco", check_options(teams=3, shift="10:00-14:00", days=1, seed=1,
                                                                    max_sites=15))
    table = evaluate_plan(built, observe_days=30, trials=100)
    rows = {r.strategy: r for r in table.rows}
    opt, uni, prop = rows["optimal (SSE routes)"], rows["uniform"], rows["risk-proportional"]
    assert opt.attacker_utility < uni.attacker_utility
    assert opt.analytic_attacker_utility <= uni.analytic_attacker_utility
    assert opt.analytic_attacker_utility <= prop.analytic_attacker_utility
    assert table.n_days == 30 and table.n_trials == 100


def test_clear_errors(monaco_module_sf: sessionmaker[Session]) -> None:
    with monaco_module_sf() as s:
        plans = s.scalar(select(func.count()).select_from(PatrolPlan))
        stops = s.scalar(select(func.count()).select_from(PatrolStop))
    with pytest.raises(InvalidInput, match="shift must look like") as e:
        check_options(teams=2, shift="8-16")
    assert e.value.field == "shift"
    with pytest.raises(InvalidInput) as e:
        check_options(teams=0)
    assert e.value.field == "teams"
    with pytest.raises(InvalidInput) as e:
        check_options(teams=2, bogus=1)
    assert e.value.field == "bogus"
    with pytest.raises(InvalidInput, match="at most the number of target sites") as e:
        svc.create_plan(monaco_module_sf, "Monaco", check_options(teams=11, max_sites=10, days=1))
    assert e.value.field == "teams"
    with pytest.raises(NotFound):
        svc.create_plan(monaco_module_sf, "Atlantis", check_options(teams=1))
    with monaco_module_sf() as s:  # nothing half-written
        assert s.scalar(select(func.count()).select_from(PatrolPlan)) == plans
        assert s.scalar(select(func.count()).select_from(PatrolStop)) == stops
        with pytest.raises(NotFound):
            svc.get_plan(s, 999)


def test_overnight_shift() -> None:
    assert parse_shift("22:00-06:00") == (1320, 480)
    assert parse_shift("08:00-08:00") == (480, 1440)


def test_unreachable_site_does_not_freeze_the_teams() -> None:
    from bastion.patrol.build import _solve_slot

    v = np.array([1000.0, 50.0, 40.0, 30.0])  # the biggest site is 2 h away: no sortie reaches it
    tt = np.full((5, 5), 60.0)
    np.fill_diagonal(tt, 0.0)
    tt[0, 1] = tt[1, 0] = 7200.0
    o = check_options(teams=1, max_stops=2, dwell_min=1.0)
    res = _solve_slot(v, tt, np.full(4, 60.0), 600.0, o)
    assert res.coverage[0] == 0.0
    assert res.attacked_target == 0 and res.attacker_utility == pytest.approx(1000.0)
    assert res.coverage[1:].sum() > 1.0  # the reachable sites are still patrolled (one team, two stops)
    assert res.status == "optimal"
