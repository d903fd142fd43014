"""Required barrier rating per standard: round up, never convert, monotone in speed and mass."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.vehicle.ratings import ASTM_F2656
from bastion.algorithms.vehicle.ratings import ISO_22343
from bastion.algorithms.vehicle.ratings import IWA_14
from bastion.algorithms.vehicle.ratings import PAS_68
from bastion.algorithms.vehicle.ratings import STANDARDS
from bastion.algorithms.vehicle.ratings import astm_p_class
from bastion.algorithms.vehicle.ratings import meets
from bastion.algorithms.vehicle.ratings import parse_rating
from bastion.algorithms.vehicle.ratings import required_rating
from bastion.algorithms.vehicle.vehicles import CAR
from bastion.algorithms.vehicle.vehicles import HGV
from bastion.algorithms.vehicle.vehicles import MEDIUM_TRUCK
from bastion.algorithms.vehicle.vehicles import PICKUP
from bastion.algorithms.vehicle.vehicles import VAN
from bastion.algorithms.vehicle.vehicles import VehicleClass
from bastion.algorithms.vehicle.vehicles import vehicle
from bastion.kernel.errors import InvalidInput

HYP = settings(max_examples=100, derandomize=True, deadline=None)


def test_round_up_to_next_tested_speed() -> None:
    n = required_rating(ISO_22343, CAR, 56.9)
    assert (n.vehicle_class, n.test_mass_kg, n.test_speed_kph) == ("M1", 1500, 64.0)
    assert n.label == "V/1500[M1]/64 penetration <= 1.0 m"
    assert required_rating(ISO_22343, CAR, 48.0).test_speed_kph == 48.0  # exactly a tested speed
    assert required_rating(IWA_14, MEDIUM_TRUCK, 33.0).test_speed_kph == 48.0
    over = required_rating(ISO_22343, CAR, 120.0)
    assert over.test_speed_kph is None and not over.coverable and ">112" in over.label
    assert required_rating(ISO_22343, HGV, 85.0).test_speed_kph is None  # 30 t tested up to 80 km/h


def test_astm_designations_and_penetration() -> None:
    n = required_rating(ASTM_F2656, MEDIUM_TRUCK, 60.0, standoff_m=5.0)
    assert n.label == "C740-P1" and n.test_speed_kph == pytest.approx(40 * 1.609344)
    assert required_rating(ASTM_F2656, VAN, 30.0).vehicle_class == "M"  # no 3.5 t ASTM vehicle: next heavier
    assert required_rating(ASTM_F2656, PICKUP, 90.0).label == "PU60-P1"  # designated equivalent of N1G
    assert required_rating(PAS_68, HGV, 60.0).label == "V/30000(N3)/64 penetration <= 1.0 m"
    assert [astm_p_class(s) for s in (0.5, 1.0, 6.9, 7.0, 29.0, 30.0, float("inf"))] == [
        "P1", "P1", "P1", "P2", "P2", "P3", "P4"]
    assert required_rating(PAS_68, CAR, 40.0).label == "V/1500(M1)/48 penetration <= 1.0 m"


def test_meets_same_standard_only() -> None:
    need = required_rating(ISO_22343, MEDIUM_TRUCK, 45.0, standoff_m=3.0)  # N2A at 48 km/h
    ok = parse_rating(ISO_22343, "V/7200[N2A]/48/90:2.4")
    assert meets(ok, need)
    assert not meets(parse_rating(ISO_22343, "V/7200[N2A]/32/90:0.0"), need)  # too slow
    assert not meets(parse_rating(ISO_22343, "V/7200[N2A]/64/90:4.5"), need)  # penetrates past the standoff
    assert not meets(parse_rating(ISO_22343, "V/1500[M1]/112/90:0.0"), need)  # other test vehicle
    with pytest.raises(InvalidInput, match="never converted"):
        meets(parse_rating(PAS_68, "V/7500(N3)/64/90:0.0"), need)
    astm = required_rating(ASTM_F2656, MEDIUM_TRUCK, 70.0)  # C7 50 mph, P1
    assert meets(parse_rating(ASTM_F2656, "C750-P1"), astm)
    assert not meets(parse_rating(ASTM_F2656, "M50-P1"), astm)  # a different ASTM test vehicle
    assert not meets(parse_rating(ASTM_F2656, "C740-P1"), astm)
    with pytest.raises(InvalidInput):
        parse_rating(ASTM_F2656, "K12")


def test_unknown_inputs() -> None:
    with pytest.raises(InvalidInput, match="standard"):
        required_rating("BS 7373", CAR, 30.0)
    with pytest.raises(InvalidInput, match="vehicle"):
        vehicle("tank")
    with pytest.raises(InvalidInput, match="accelerations"):
        CAR.with_(accel_low_mps2=5.0)


@HYP
@given(std=st.sampled_from(STANDARDS), v1=st.floats(0, 130), v2=st.floats(0, 130),
       m1=st.floats(500, 40000), m2=st.floats(500, 40000))
def test_required_rating_monotone_in_speed_and_mass(std: str, v1: float, v2: float, m1: float, m2: float) -> None:
    (v1, v2), (m1, m2) = sorted((v1, v2)), sorted((m1, m2))
    base = VehicleClass("x", "x", 1.0, 2.0, 1.0, 3.0, 150.0, None, None, None, "test")
    lo = required_rating(std, base.with_(mass_kg=m1), v1)
    hi_speed = required_rating(std, base.with_(mass_kg=m1), v2)
    hi_mass = required_rating(std, base.with_(mass_kg=m2), v1)
    inf = float("inf")
    assert (hi_speed.test_speed_kph or inf) >= (lo.test_speed_kph or inf)
    assert hi_mass.test_mass_kg >= lo.test_mass_kg
