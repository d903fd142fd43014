"""Hand-computed speed profiles and monotonicity properties of the physics."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.vehicle.physics import Dynamics
from bastion.algorithms.vehicle.physics import impact_profile
from bastion.algorithms.vehicle.physics import polyline_profile
from bastion.algorithms.vehicle.physics import speed_along
from bastion.algorithms.vehicle.physics import travel_time_s
from bastion.kernel.errors import InvalidInput

G = 9.81
HYP = settings(max_examples=80, derandomize=True, deadline=None)


def test_straight_50m_at_2_5_reaches_57_kph() -> None:
    p = impact_profile(50.0, np.empty(0), np.empty(0), Dynamics(2.5))
    assert p.impact_speed_mps == pytest.approx(math.sqrt(2 * 2.5 * 50))  # 15.81 m/s
    assert p.impact_speed_kph == pytest.approx(56.9, abs=0.05)
    assert p.limited_by == "run_up" and p.run_up_m == 50.0


def test_20m_bend_at_f06_caps_39_kph() -> None:
    # bend right at the perimeter after a long run-up: speed is the skid limit sqrt(f g r)
    p = impact_profile(200.0, np.array([200.0]), np.array([20.0]), Dynamics(2.5, friction=0.6, g_mps2=G))
    assert p.impact_speed_mps == pytest.approx(math.sqrt(0.6 * G * 20))  # 10.85 m/s
    assert p.impact_speed_kph == pytest.approx(39.1, abs=0.05)
    assert p.limited_by == "bend" and p.limiting_radius_m == 20.0 and p.run_up_m == 0.0


def test_bend_then_straight_accelerates_again() -> None:
    dyn = Dynamics(2.5, friction=0.6, g_mps2=G)
    p = impact_profile(250.0, np.array([200.0]), np.array([20.0]), dyn)
    cap2 = 0.6 * G * 20
    assert p.impact_speed_mps == pytest.approx(math.sqrt(cap2 + 2 * 2.5 * 50))  # 19.2 m/s = 69.2 km/h
    assert p.run_up_m == pytest.approx(50.0) and p.limiting_station_m == 200.0
    v = speed_along(p, dyn, np.array([199.999, 200.0, 225.0, 250.0]))
    assert v[0] > v[1] == pytest.approx(math.sqrt(cap2)) and v[1] < v[2] < v[3]


def test_kinetic_energy_and_top_speed() -> None:
    p = impact_profile(50.0, np.empty(0), np.empty(0), Dynamics(2.5), mass_kg=1500)
    assert p.kinetic_energy_kj == pytest.approx(0.5 * 1500 * 2 * 2.5 * 50 / 1000)  # 187.5 kJ
    q = impact_profile(500.0, np.empty(0), np.empty(0), Dynamics(2.5, max_speed_mps=20.0))
    assert q.impact_speed_mps == 20.0 and q.limited_by == "top_speed"


def test_start_speed() -> None:
    p = impact_profile(30.0, np.empty(0), np.empty(0), Dynamics(2.0, v0_mps=10.0))
    assert p.impact_speed_mps == pytest.approx(math.sqrt(100 + 2 * 2 * 30))


def test_polyline_with_a_right_angle() -> None:
    # 100 m east, then 60 m north: the corner (window 20 m -> R = 10/sqrt(2)) limits, then 60 m run-up
    xy = np.array([[0.0, 0.0], [100.0, 0.0], [100.0, 60.0]])
    dyn = Dynamics(2.5, friction=0.6, g_mps2=G)
    p = polyline_profile(xy, dyn, window_m=20.0)
    r = 10 / math.sqrt(2)
    assert p.limiting_radius_m == pytest.approx(r)
    assert p.impact_speed_mps == pytest.approx(math.sqrt(0.6 * G * r + 2 * 2.5 * 60))


def test_travel_time_exact() -> None:
    dyn = Dynamics(2.5)
    p = impact_profile(50.0, np.empty(0), np.empty(0), dyn)
    assert travel_time_s(p, dyn, 50.0) == pytest.approx(math.sqrt(2 * 50 / 2.5))  # 6.32 s
    # last 10 m: from v(40) to v(50)
    assert travel_time_s(p, dyn, 10.0) == pytest.approx((math.sqrt(250) - math.sqrt(200)) / 2.5)
    q = impact_profile(100.0, np.empty(0), np.empty(0), Dynamics(2.5, max_speed_mps=10.0))
    # 20 m to reach 10 m/s (4 s), then 80 m at 10 m/s (8 s)
    assert travel_time_s(q, Dynamics(2.5, max_speed_mps=10.0), 100.0) == pytest.approx(12.0)


@pytest.mark.parametrize("kw", [dict(accel_mps2=0), dict(accel_mps2=2, friction=0), dict(accel_mps2=2, v0_mps=-1)])
def test_dynamics_validates(kw: dict[str, float]) -> None:
    with pytest.raises(InvalidInput):
        Dynamics(**kw)


def test_bad_bends_rejected() -> None:
    with pytest.raises(InvalidInput, match="bend stations"):
        impact_profile(10.0, np.array([11.0]), np.array([5.0]), Dynamics(2.0))


bends = st.lists(st.tuples(st.floats(0, 1), st.floats(0.0, 500.0)), max_size=6)


@HYP
@given(length=st.floats(1.0, 400.0), bs=bends, new=st.tuples(st.floats(0, 1), st.floats(0.0, 500.0)),
       a=st.floats(0.5, 4.0), f=st.floats(0.3, 1.0))
def test_adding_a_bend_never_raises_speed(length: float, bs: list[tuple[float, float]],
                                          new: tuple[float, float], a: float, f: float) -> None:
    dyn = Dynamics(a, friction=f)
    s = np.array([u * length for u, _ in bs])
    r = np.array([r for _, r in bs])
    before = impact_profile(length, s, r, dyn).impact_speed_mps
    after = impact_profile(length, np.append(s, new[0] * length), np.append(r, new[1]), dyn).impact_speed_mps
    assert after <= before + 1e-12


@HYP
@given(length=st.floats(1.0, 400.0), extra=st.floats(0.0, 300.0), bs=bends, a=st.floats(0.5, 4.0))
def test_longer_run_up_never_lowers_speed(length: float, extra: float, bs: list[tuple[float, float]],
                                          a: float) -> None:
    # the same path, started `extra` metres further back (from rest): bends keep their distance to the end
    dyn = Dynamics(a, friction=0.6)
    s = np.array([u * length for u, _ in bs])
    r = np.array([r for _, r in bs])
    short = impact_profile(length, s, r, dyn).impact_speed_mps
    long = impact_profile(length + extra, s + extra, r, dyn).impact_speed_mps
    assert long >= short * (1 - 1e-9) - 1e-12  # float rounding of (L + x) - (s + x)
