"""Barriers on an approach and whether their own ratings meet its need (never converted across standards)."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import Point

from bastion.algorithms.vehicle.barriers import UNRATED
from bastion.algorithms.vehicle.barriers import Barrier
from bastion.algorithms.vehicle.barriers import approach_status
from bastion.algorithms.vehicle.barriers import barriers_on_path
from bastion.algorithms.vehicle.barriers import check_barrier
from bastion.algorithms.vehicle.ratings import ASTM_F2656
from bastion.algorithms.vehicle.ratings import ISO_22343
from bastion.algorithms.vehicle.ratings import STANDARDS
from bastion.algorithms.vehicle.ratings import required_rating
from bastion.algorithms.vehicle.vehicles import CAR
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection

PROJ = LocalProjection(7.42, 43.74)


def _lonlat(xy: list[tuple[float, float]]) -> np.ndarray:
    a = np.asarray(xy, dtype=float)
    lon, lat = PROJ.to_lonlat(a[:, 0], a[:, 1])
    return np.column_stack((lon, lat))


def _pt(x: float, y: float) -> Point:
    ll = _lonlat([(x, y)])[0]
    return Point(ll[0], ll[1])


def needs(speed_kph: float) -> tuple:
    return tuple(required_rating(s, CAR, speed_kph) for s in STANDARDS)


def test_only_barriers_on_the_final_stretch_count() -> None:
    path = _lonlat([(0, 0), (100, 0)])  # 100 m due east, perimeter at x = 100
    at_entry = Barrier("osm:node/1", "bollard", _pt(98, 2))
    earlier = Barrier("osm:node/2", "bollard", _pt(50, 0))  # 50 m before the perimeter: outside the last 30 m
    aside = Barrier("osm:node/3", "block", _pt(90, 25))  # 25 m off the road
    got = barriers_on_path(path, [at_entry, earlier, aside], PROJ)
    assert [b.key for b in got] == ["osm:node/1"]
    assert [b.key for b in barriers_on_path(path, [earlier], PROJ, last_m=60)] == ["osm:node/2"]


def test_unrated_barrier_never_satisfies() -> None:
    c = check_barrier(Barrier("osm:node/1", "bollard", _pt(0, 0)), needs(30.0))
    assert not c.satisfied and not c.rated and c.reason == UNRATED
    assert approach_status(needs(30.0), [c]) == "gap"


def test_rating_compared_under_its_own_standard_only() -> None:
    n = needs(60.0)  # ISO: V/1500[M1]/64; ASTM: FS40 (40 mph = 64.4 km/h)
    iso_ok = Barrier("m:1", "hvm_barrier", _pt(0, 0), ISO_22343, "V/1500[M1]/64/90:0.5")
    iso_slow = Barrier("m:2", "hvm_barrier", _pt(0, 0), ISO_22343, "V/1500[M1]/48/90:0.5")
    astm = Barrier("m:3", "hvm_barrier", _pt(0, 0), ASTM_F2656, "FS40-P1")
    a, b, c = (check_barrier(x, n) for x in (iso_ok, iso_slow, astm))
    assert a.satisfied and a.need == n[0].label == "V/1500[M1]/64 penetration <= 1.0 m"
    assert not b.satisfied and "does not meet" in b.reason
    assert c.satisfied and c.need == next(x.label for x in n if x.standard == ASTM_F2656)
    assert approach_status(n, [b]) == "gap" and approach_status(n, [b, c]) == "protected"
    # the ISO rating is compared with the ISO need, never with the ASTM one
    assert check_barrier(iso_ok, tuple(x for x in n if x.standard == ASTM_F2656)).need is None


def test_above_every_tested_speed_is_not_coverable() -> None:
    n = needs(130.0)
    assert not any(x.coverable for x in n)
    best = Barrier("m:1", "hvm_barrier", _pt(0, 0), ISO_22343, "V/1500[M1]/112/90:0.0")
    c = check_barrier(best, n)
    assert not c.satisfied and "no ISO 22343-1 rating covers 130 km/h" == c.reason
    assert approach_status(n, [c]) == "not_coverable"


def test_half_a_rating_is_refused() -> None:
    with pytest.raises(InvalidInput, match="both standard and rating"):
        Barrier("m:1", "hvm_barrier", _pt(0, 0), ISO_22343, None)


def test_unknown_rating_text_is_reported_not_raised() -> None:
    c = check_barrier(Barrier("m:1", "hvm_barrier", _pt(0, 0), ISO_22343, "strong"), needs(40.0))
    assert not c.satisfied and c.reason.startswith("rating not understood")
