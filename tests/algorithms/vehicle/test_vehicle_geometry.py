"""Bend radii from three-point circles, with the smoothing window."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pyproj import Geod

from bastion.algorithms.vehicle.geometry import bend_radii
from bastion.algorithms.vehicle.geometry import circumradius
from bastion.algorithms.vehicle.geometry import junction_radius
from bastion.algorithms.vehicle.geometry import truncate
from bastion.kernel.geo import LocalProjection


def test_circumradius_of_points_on_a_circle() -> None:
    t = np.array([0.1, 0.5, 1.3])
    p = np.column_stack((30 * np.cos(t), 30 * np.sin(t)))
    assert circumradius(p[:1], p[1:2], p[2:])[0] == pytest.approx(30.0)
    assert math.isinf(circumradius(np.array([[0, 0.0]]), np.array([[1, 0.0]]), np.array([[2, 0.0]]))[0])


def test_arc_radius_recovered_and_straight_has_no_bend() -> None:
    t = np.linspace(0, math.pi / 2, 30)
    arc = np.column_stack((50 * np.cos(t), 50 * np.sin(t)))
    s, r = bend_radii(arc, window_m=20.0)
    assert len(r) == 28 and np.allclose(r, 50.0, rtol=0.02)  # points on chords: within 2 %
    line = np.column_stack((np.linspace(0, 100, 11), np.zeros(11)))
    assert len(bend_radii(line)[1]) == 0


def test_window_smooths_digitising_noise() -> None:
    # a straight road with one vertex 0.3 m off line: raw 3-point radius is tiny, windowed it is large
    xy = np.array([[0.0, 0.0], [50.0, 0.0], [50.5, 0.3], [51.0, 0.0], [100.0, 0.0]])
    raw = circumradius(xy[1:2], xy[2:3], xy[3:4])[0]
    _, r = bend_radii(xy, window_m=20.0)
    assert raw < 1.0 and r.min() > 40.0


def test_square_corner_and_u_turn() -> None:
    assert junction_radius(np.array([[0, 0.0], [50, 0]]), np.array([[50, 0.0], [50, 50]]),
                           window_m=20.0) == pytest.approx(10 / math.sqrt(2))
    assert junction_radius(np.array([[0, 0.0], [50, 0]]), np.array([[50, 0.0], [0, 0]])) == 0.0


def test_projection_round_trip_and_scale() -> None:
    pr = LocalProjection(7.42, 43.73)
    x, y = pr.to_xy(np.array([7.42, 7.43]), np.array([43.73, 43.73]))
    geod = Geod(ellps="WGS84")
    dist = geod.inv(7.42, 43.73, 7.43, 43.73)[2]  # geodesic, ~806 m
    assert x[0] == pytest.approx(0.0, abs=1e-6) and math.hypot(x[1], y[1]) == pytest.approx(dist, rel=1e-5)
    lon, lat = pr.to_lonlat(x, y)
    assert np.allclose(lon, [7.42, 7.43]) and np.allclose(lat, 43.73)


def test_truncate() -> None:
    xy = np.array([[0, 0.0], [10, 0], [10, 10]])
    assert np.allclose(truncate(xy, 15.0), [[0, 0], [10, 0], [10, 5]])
