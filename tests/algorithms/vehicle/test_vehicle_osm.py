"""End to end on the bundled OSM extracts: every crowded place assessed; named sites checked by hand.

Place du Casino (Monte-Carlo, OSM way 11144655, the pedestrian square in front of the casino): the fastest
approach is a car coming up Avenue des Spélugues from the Mirabeau end. It turns off Avenue des
Citronniers through the tight corner where the two meet (a ~11 m radius, 29 km/h skid limit at f = 0.6)
and then has a ~183 m nearly straight run up to the square: sqrt(0.6 g 11.3 + 2 * 2.8 * 183.5) = 33.1 m/s
= 119 km/h on a flat road, above the highest tested speed (112 km/h) of ISO 22343-1 for M1. The one-way
Avenue de Monte-Carlo approach from the south reaches only ~60 km/h (needs V/1500[M1]/64).
Plaça del Príncep Benlloch (Andorra la Vella, way 14084449): fastest along the one-way Avinguda del
Princep Benlloch, after a ~41 m radius curve about 96 m before the square: ~100 km/h.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from pyproj import Geod

from bastion.algorithms.vehicle.approach import worst_path
from bastion.algorithms.vehicle.assess import assess_perimeter
from bastion.algorithms.vehicle.assess import scenarios
from bastion.algorithms.vehicle.network import VehicleNetwork
from bastion.algorithms.vehicle.timing import check_approach
from bastion.algorithms.vehicle.vehicles import CAR
from bastion.algorithms.vehicle.vehicles import HGV
from bastion.regions.osm import read_extract
from tests.algorithms.vehicle.vehicle_nx_baseline import baseline_speed_mps
from tests.algorithms.vehicle.vehicle_nx_baseline import build_graph

pytestmark = pytest.mark.slow
OSM = Path(__file__).resolve().parents[3] / "data" / "osm"
GEOD = Geod(ellps="WGS84")
CEILING_KPH = math.sqrt(2 * CAR.accel_mps2 * 300.0) * 3.6


@pytest.fixture(scope="module")
def monaco():
    ex = read_extract(OSM / "monaco-2023-12.osm.pbf")
    return ex, VehicleNetwork(ex.roads)


@pytest.fixture(scope="module")
def andorra():
    ex = read_extract(OSM / "andorra-2023-05.osm.pbf")
    return ex, VehicleNetwork(ex.roads)


def site(ex, osm_id: str):
    return next(s for s in ex.sites if s.source_id == osm_id)


def _check_all(ex, net) -> int:
    reached = 0
    for s in ex.sites:
        a = assess_perimeter(net, s.geometry, CAR)
        assert a.status in ("ok", "no_road_access")
        for ap in a.approaches:
            lo, mid, hi = ap.band_kph
            assert 0 < lo <= mid <= hi and mid == ap.impact_speed_kph <= CEILING_KPH + 1e-6
            assert ap.path_length_m <= 300.0 + 1e-6 and ap.kinetic_energy_kj > 0
            assert len(ap.needs) == 4
        reached += a.worst is not None
    return reached


def test_every_monaco_site_assessed(monaco) -> None:
    ex, net = monaco
    assert len(ex.sites) == 153  # one site per place (164 OSM objects)
    assert _check_all(ex, net) >= 120


def test_every_andorra_site_assessed(andorra) -> None:
    ex, net = andorra
    assert len(ex.sites) == 600
    assert _check_all(ex, net) >= 450


def test_place_du_casino(monaco) -> None:
    ex, net = monaco
    sq = site(ex, "11144655")
    assert sq.name == "Place du Casino"
    a = assess_perimeter(net, sq.geometry, CAR)
    w = a.worst
    assert w is not None and w.way_id == 4230006  # Avenue des Spélugues
    assert w.impact_speed_kph == pytest.approx(119.1, abs=1.0)
    assert w.limited_by == "bend" and 9.0 < (w.limiting_radius_m or 0) < 14.0
    # independent check: geodesic run-up from the limiting corner to the square, then the closed form
    ll = w.path_lonlat
    lim = np.array(w.limiting_lonlat)
    k = int(np.argmin(np.hypot(*(ll - lim).T)))
    run_up = GEOD.line_length(ll[k:, 0], ll[k:, 1])
    assert run_up == pytest.approx(w.run_up_m, abs=1.0) and 175 < run_up < 190
    v = math.sqrt(0.6 * 9.80665 * (w.limiting_radius_m or 0) + 2 * CAR.accel_mps2 * run_up) * 3.6
    assert v == pytest.approx(w.impact_speed_kph, abs=0.5)
    iso = w.needs[0]
    assert iso.standard == "ISO 22343-1" and not iso.coverable  # above 112 km/h: traffic calming needed
    south = next(ap for ap in a.approaches if ap.way_id == 161775592)  # Avenue de Monte-Carlo, one-way
    assert south.impact_speed_kph == pytest.approx(60.0, abs=1.0)
    assert south.needs[0].label == "V/1500[M1]/64 penetration <= 1.0 m"
    # active-barrier timing at the square's edge: detected 50 m out, 3 s guard + 2 s deploy is too slow
    chk = check_approach(w.profile, w.dynamics, 50.0)
    v_in = math.sqrt((w.impact_speed_kph / 3.6) ** 2 - 2 * CAR.accel_mps2 * 50.0)  # 28.5 m/s 50 m out
    assert not chk.ok and chk.delay_s == pytest.approx((w.impact_speed_kph / 3.6 - v_in) / CAR.accel_mps2)  # 1.6 s
    # a 30 t truck is governed by its lower acceleration: slower, heavier test vehicle
    h = assess_perimeter(net, sq.geometry, HGV, bands=False).worst
    assert h is not None and h.impact_speed_kph < w.impact_speed_kph and h.needs[0].vehicle_class == "N3D"


def test_place_du_casino_search_equals_enumeration(monaco) -> None:
    ex, net = monaco
    g = build_graph(net)
    zone = net.zone(site(ex, "11144655").geometry)
    touching = net.touching(zone)
    blocked = set(int(e) for e in touching)
    dyn = scenarios(CAR, friction=0.6, friction_low=0.5, friction_high=1.0, v0_mps=0.0)[1]
    for ignore in (False, True):
        for e in net.entries(zone, touching):
            if net.wrong_way[e.edge] and not ignore:
                continue
            ours = worst_path(net, e, dyn, blocked=blocked, ignore_oneway=ignore).impact_speed_mps
            base, _ = baseline_speed_mps(g, net, e, dyn, blocked=blocked, max_distance_m=300.0, ignore_oneway=ignore)
            assert ours == pytest.approx(base, rel=1e-9)


def test_placa_princep_benlloch(andorra) -> None:
    ex, net = andorra
    sq = site(ex, "14084449")
    assert sq.name == "Plaça Príncep Benlloch"
    w = assess_perimeter(net, sq.geometry, CAR).worst
    assert w is not None and w.way_id == 270885824  # Avinguda del Princep Benlloch (one-way)
    assert w.impact_speed_kph == pytest.approx(100.3, abs=1.0)
    assert w.limited_by == "bend" and w.limiting_radius_m == pytest.approx(40.8, abs=2.0)
    assert w.run_up_m == pytest.approx(96.0, abs=2.0)
    assert w.needs[0].label == "V/1500[M1]/112 penetration <= 1.0 m"
    wrong = assess_perimeter(net, sq.geometry, CAR, ignore_oneway=True, bands=False).worst
    assert wrong is not None and wrong.impact_speed_kph >= w.impact_speed_kph
