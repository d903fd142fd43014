"""Patrol stop times are unpredictable: within each slot, every visit starts uniformly over its feasible window.

Monaco, 3 teams, 08:00-16:00, 7 days, seed 1 (504 stops). Minutes past the hour of the stop times, Kolmogorov-
Smirnov distance to the uniform over [0, 50) min (a visit cannot start in the last 10 min of a 60-min sortie:
10 min on site, then back to the base): 0.371 with the old as-early-as-possible times (stops at hh:01-03:
24 % of all), 0.124 now. Against the uniform over the whole hour: 0.474 before, 0.180 now.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.patrol import build
from bastion.patrol import service as svc
from bastion.patrol.build import BuiltPlan
from bastion.patrol.build import check_options
from tests.patrol_db import monaco_module_sf  # noqa: F401 (fixtures)
from tests.patrol_db import monaco_url  # noqa: F401 (fixtures)

OPTIONS = {"teams": 3, "days": 7, "seed": 1}
THRESHOLD_D = 0.2  # KS distance to uniform that "spread over the hour" must stay under


def _minutes(built: BuiltPlan) -> np.ndarray:
    return np.array([((built.shift_start_min * 60 + a) / 60.0) % 60 for td in built.schedules
                     for _s, _j, a, _d, _x in td.stops])


def _spread(built: BuiltPlan) -> float:
    latest_min = 60.0 - built.options.dwell_min  # the last minute of the hour a visit can start
    m = _minutes(built)
    assert m.max() <= latest_min + 1e-6
    return float(stats.kstest(m / latest_min, "uniform").statistic)


def _positions(built: BuiltPlan) -> np.ndarray:
    """Each visit's position within its feasible window given the team's previous stop: (t - e) / (L - e)."""
    tt, dwell = built.travel_time_s, built.dwell_s
    out = []
    for td in built.schedules:
        sorties: dict[int, list[tuple[int, float]]] = {}
        for site, slot, arr, _dep, _x in td.stops:
            sorties.setdefault(slot, []).append((site, arr))
        for slot, visits in sorties.items():
            start, end = built.slot_starts_s[slot], built.slot_starts_s[slot] + built.slot_lengths_s[slot]
            path = [0] + [s + 1 for s, _ in visits] + [0]
            ready, prev = start, 0
            for k, (site, arr) in enumerate(visits):
                earliest = ready + tt[prev, site + 1]
                later_legs = sum(tt[a, b] for a, b in zip(path[k + 1:-1], path[k + 2:], strict=True))
                latest = end - (dwell * (len(visits) - k) + later_legs)
                assert earliest - 1e-6 <= arr <= latest + 1e-6
                if latest - earliest > 1.0:
                    out.append((arr - earliest) / (latest - earliest))
                ready, prev = arr + dwell, site + 1
    return np.array(out)


def test_stop_times_spread_over_the_hour_coverage_unchanged(monaco_module_sf: sessionmaker[Session],
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    _, now = svc.compute_plan(monaco_module_sf, "Monaco", check_options(**OPTIONS))
    d_now = _spread(now)
    assert d_now < THRESHOLD_D
    assert np.mean((_minutes(now) >= 1) & (_minutes(now) < 4)) < 0.1  # hh:01-03 no longer a cluster
    u = _positions(now)
    assert u.size > 300 and stats.kstest(u, "uniform").pvalue > 0.01  # uniform within each feasible window

    # the old behaviour (every visit as early as possible) fails the same test, with the same visits
    draw = build.visit_times
    monkeypatch.setattr(build, "visit_times", lambda legs, dwell, horizon, rng=None: draw(legs, dwell, horizon))
    _, old = svc.compute_plan(monaco_module_sf, "Monaco", check_options(**OPTIONS))
    d_old = _spread(old)
    assert d_old > 0.3 and not d_old < THRESHOLD_D
    assert np.mean((_minutes(old) >= 1) & (_minutes(old) < 4)) > 0.2
    assert np.all(_positions(old) < 1e-6)

    # timing moves no visit: the same sites, slots, days and teams, so the coverage frequencies are the game's
    visits = [[(td.day, td.team, s, j, x) for s, j, _a, _d, x in td.stops] for td in now.schedules]
    assert visits == [[(td.day, td.team, s, j, x) for s, j, _a, _d, x in td.stops] for td in old.schedules]
    for wd, cov in now.coverage.items():
        np.testing.assert_array_equal(cov, old.coverage[wd])
        np.testing.assert_array_equal(cov, np.column_stack([s.coverage for s in now.slots[wd]]))
