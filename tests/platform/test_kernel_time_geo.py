"""kernel.time (minute of week, durations) and kernel.geo (the one local projection)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pyproj import Geod

from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection
from bastion.kernel.time import MINUTES_PER_WEEK
from bastion.kernel.time import check_duration_s
from bastion.kernel.time import check_durations_s
from bastion.kernel.time import minute_of_week
from bastion.kernel.time import parse_duration_s


def test_minute_of_week() -> None:
    assert minute_of_week(dt.datetime(2024, 1, 8, 0, 0)) == 0  # a Monday
    assert minute_of_week(dt.datetime(2024, 1, 14, 23, 59)) == MINUTES_PER_WEEK - 1


def test_durations_share_one_bound_unless_named() -> None:
    assert parse_duration_s("3m") == parse_duration_s("180s") == parse_duration_s(180) == 180
    for bad in ("61m", "0s", "1.5s", "3 hours"):
        with pytest.raises(InvalidInput):
            parse_duration_s(bad)
    assert check_duration_s(3600, field_name="standard") == 3600
    with pytest.raises(InvalidInput, match="standard"):
        check_duration_s(3601, field_name="standard")
    assert check_durations_s([300, 60, 60], field_name="standard") == (60, 300)
    with pytest.raises(InvalidInput, match="limits: give 1 to 2 values, each from 1 to 1800"):
        check_durations_s([60, 120, 180], field_name="limits", max_s=1800, max_count=2)


def test_local_projection_round_trip_and_scale() -> None:
    p = LocalProjection.around([7.41, 7.43], [43.72, 43.74])
    assert (p.lon0, p.lat0) == pytest.approx((7.42, 43.73))
    x, y = p.to_xy([7.42, 7.43], [43.73, 43.74])
    dist = Geod(ellps="WGS84").inv(7.42, 43.73, 7.43, 43.74)[2]
    assert np.hypot(x[1] - x[0], y[1] - y[0]) == pytest.approx(dist, rel=1e-4)
    lon, lat = p.to_lonlat(x, y)
    assert np.allclose(lon, [7.42, 7.43]) and np.allclose(lat, [43.73, 43.74])
    with pytest.raises(InvalidInput, match="projection centre"):
        LocalProjection(200.0, 0.0)
