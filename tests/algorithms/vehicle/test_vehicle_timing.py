"""Active-barrier timing check: detection + response <= delay (GB 50348; UFC 4-022-01 minimums)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from bastion.algorithms.vehicle.physics import Dynamics
from bastion.algorithms.vehicle.physics import impact_profile
from bastion.algorithms.vehicle.timing import check_approach
from bastion.algorithms.vehicle.timing import min_detection_distance_m
from bastion.algorithms.vehicle.timing import timing_check
from bastion.kernel.errors import InvalidInput


def test_timing_from_rest_50m() -> None:
    dyn = Dynamics(2.5)
    prof = impact_profile(50.0, np.empty(0), np.empty(0), dyn)
    chk = check_approach(prof, dyn, 50.0, detection_s=1.0)  # 6.32 s to cover 50 m from rest
    assert chk.delay_s == pytest.approx(math.sqrt(40.0)) and chk.required_s == 6.0 and chk.ok
    assert chk.margin_s == pytest.approx(math.sqrt(40.0) - 6.0)
    assert not check_approach(prof, dyn, 20.0).ok  # last 20 m take (15.81-12.25)/2.5 = 1.4 s < 5 s


def test_min_detection_distance() -> None:
    dyn = Dynamics(2.5, max_speed_mps=10.0)
    prof = impact_profile(200.0, np.empty(0), np.empty(0), dyn)  # 10 m/s over the last 180 m
    d = min_detection_distance_m(prof, dyn)  # 5 s at 10 m/s = 50 m
    assert d == pytest.approx(50.0, abs=0.02)
    short = impact_profile(10.0, np.empty(0), np.empty(0), dyn)
    assert min_detection_distance_m(short, dyn) is None


def test_timing_validates() -> None:
    with pytest.raises(InvalidInput, match="detection_s"):
        timing_check(5.0, detection_s=-1.0)
