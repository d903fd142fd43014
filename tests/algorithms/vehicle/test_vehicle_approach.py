"""Approach search on hand-drawn networks, and against the networkx enumeration baseline."""

from __future__ import annotations

import math

import numpy as np
import pytest
from shapely.geometry import Point
from shapely.geometry import Polygon

from bastion.algorithms.vehicle.approach import _simple_dfs
from bastion.algorithms.vehicle.approach import worst_path
from bastion.algorithms.vehicle.assess import assess_perimeter
from bastion.algorithms.vehicle.network import VehicleNetwork
from bastion.algorithms.vehicle.physics import Dynamics
from bastion.algorithms.vehicle.vehicles import CAR
from bastion.kernel.errors import InvalidInput
from tests.algorithms.vehicle.vehicle_nx_baseline import baseline_speed_mps
from tests.algorithms.vehicle.vehicle_nx_baseline import build_graph
from tests.algorithms.vehicle.vehicle_testnet import lonlat
from tests.algorithms.vehicle.vehicle_testnet import make_roads

G0 = 9.80665
SQUARE = Polygon(lonlat([(0, -25), (50, -25), (50, 25), (0, 25)]))


def straight(oneway: bool = False):
    nodes = {i: (-100.0 * i, 0.0) for i in range(6)}  # 0 at the perimeter edge ... 5 at -500 m
    nodes[9] = (40.0, 0.0)  # inside the square
    return make_roads(nodes, [([5, 4, 3, 2, 1, 0, 9], oneway)])


def test_straight_run_up_limited_by_distance() -> None:
    net = VehicleNetwork(straight())
    a = assess_perimeter(net, SQUARE, CAR, buffer_m=0.0, bands=False)
    w = a.worst
    assert w is not None and a.status == "ok" and len(a.approaches) == 1
    assert w.impact_speed_kph == pytest.approx(math.sqrt(2 * CAR.accel_mps2 * 300) * 3.6, rel=1e-6)  # 147.6
    assert w.limited_by == "run_up" and w.path_length_m == pytest.approx(300.0)
    short = assess_perimeter(net, SQUARE, CAR, buffer_m=0.0, bands=False, max_distance_m=120.0).worst
    assert short is not None and short.path_length_m == pytest.approx(120.0)
    assert short.impact_speed_kph == pytest.approx(math.sqrt(2 * CAR.accel_mps2 * 120) * 3.6, rel=1e-6)
    assert w.needs[0].test_speed_kph is None  # above 112 km/h: nothing certified covers it
    inside = assess_perimeter(net, SQUARE, CAR, buffer_m=0.0, bands=False, max_distance_m=50.0).worst
    assert inside is not None and inside.path_length_m == pytest.approx(50.0)  # starts inside the entry edge
    assert inside.impact_speed_kph == pytest.approx(math.sqrt(2 * CAR.accel_mps2 * 50) * 3.6, rel=1e-6)


def test_turn_limits_then_accelerates_again() -> None:
    # from the north down x=-100, a square left turn at (-100, 0), then 100 m east to the perimeter
    nodes = {1: (-100.0, 300.0), 2: (-100.0, 0.0), 3: (0.0, 0.0), 4: (40.0, 0.0)}
    net = VehicleNetwork(make_roads(nodes, [([1, 2, 3, 4], False)]))
    w = assess_perimeter(net, SQUARE, CAR, buffer_m=0.0, bands=False).worst
    r = 10 / math.sqrt(2)  # 20 m window on a square corner
    assert w is not None and w.limited_by == "bend" and w.limiting_radius_m == pytest.approx(r)
    assert w.impact_speed_kph == pytest.approx(math.sqrt(0.6 * G0 * r + 2 * CAR.accel_mps2 * 100) * 3.6)
    assert w.run_up_m == pytest.approx(100.0)
    assert w.path_length_m == pytest.approx(300.0)  # shown with its whole run-up (extend_run_up), same speed
    lon, lat = w.limiting_lonlat or (0, 0)
    assert np.allclose((lon, lat), lonlat([(-100.0, 0.0)])[0], atol=1e-7)


def test_one_way_and_wrong_way_option() -> None:
    # one-way road pointing AWAY from the square (0 -> 5): no legal approach; wrong way allowed: straight run
    nodes = {i: (-100.0 * i, 0.0) for i in range(6)}
    nodes[9] = (40.0, 0.0)
    net = VehicleNetwork(make_roads(nodes, [([9, 0, 1, 2, 3, 4, 5], True)]))
    legal = assess_perimeter(net, SQUARE, CAR, buffer_m=0.0, bands=False)
    assert legal.status == "no_road_access" and legal.worst is None
    wrong = assess_perimeter(net, SQUARE, CAR, buffer_m=0.0, bands=False, ignore_oneway=True).worst
    assert wrong is not None and wrong.wrong_way
    assert wrong.impact_speed_kph == pytest.approx(math.sqrt(2 * CAR.accel_mps2 * 300) * 3.6, rel=1e-6)


def test_point_site_and_bands() -> None:
    net = VehicleNetwork(straight())
    site = Point(*lonlat([(60.0, 0.0)])[0])  # 20 m beyond node 9: roads within 30 m reach it
    a = assess_perimeter(net, site, CAR)
    w = a.worst
    assert w is not None and w.band_kph[0] <= w.band_kph[1] == w.impact_speed_kph <= w.band_kph[2]
    with pytest.raises(InvalidInput, match="friction"):
        assess_perimeter(net, site, CAR, friction=1.2)


def grid(seed: int, n: int = 6, step: float = 60.0):
    rng = np.random.default_rng(seed)
    nodes = {}
    for i in range(n):
        for j in range(n):
            nodes[i * n + j] = (i * step + rng.uniform(-12, 12), j * step + rng.uniform(-12, 12))
    ways = []
    shapes = {}
    for i in range(n):
        for j in range(n):
            k = i * n + j
            for nb in ([k + n] if i + 1 < n else []) + ([k + 1] if j + 1 < n else []):
                ways.append(([k, nb] if rng.random() < 0.5 else [nb, k], bool(rng.random() < 0.3)))
                if rng.random() < 0.4:  # a curved road: a bulge vertex
                    (x0, y0), (x1, y1) = nodes[k], nodes[nb]
                    shapes[(ways[-1][0][0], ways[-1][0][1])] = [
                        ((x0 + x1) / 2 + rng.uniform(-15, 15), (y0 + y1) / 2 + rng.uniform(-15, 15))]
    return make_roads(nodes, ways, shapes)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("ignore_oneway", [False, True])
def test_search_equals_networkx_enumeration(seed: int, ignore_oneway: bool) -> None:
    net = VehicleNetwork(grid(seed))
    g = build_graph(net)
    zone = net.zone(Point(net.roads.node_lon[14], net.roads.node_lat[14]), point_radius_m=15.0)
    touching = net.touching(zone)
    blocked = set(int(e) for e in touching)
    entries = [e for e in net.entries(zone, touching) if ignore_oneway or not net.wrong_way[e.edge]]
    assert entries
    for dyn in (Dynamics(2.8, 0.6), Dynamics(1.0, 1.0, v0_mps=6.0, max_speed_mps=25.0)):
        for entry in entries:
            ours = worst_path(net, entry, dyn, blocked=blocked, max_distance_m=250.0, ignore_oneway=ignore_oneway)
            base, n_paths = baseline_speed_mps(g, net, entry, dyn, blocked=blocked, max_distance_m=250.0,
                                               ignore_oneway=ignore_oneway)
            assert ours.impact_speed_mps == pytest.approx(base, rel=1e-9), (seed, entry.edge)
            dfs = _simple_dfs(net, entry, dyn, blocked=blocked, max_distance_m=250.0,
                              ignore_oneway=ignore_oneway, labels=0)
            assert dfs.impact_speed_mps == pytest.approx(base, rel=1e-9)
            # the reported path, evaluated directly, gives the same speed
            prof = net.path_profile(entry, ours.edges, ours.start_offset_m, dyn)
            assert min(prof.impact_speed_mps, dyn.max_speed_mps) == pytest.approx(base, rel=1e-9)


def test_loop_walk_falls_back_to_best_simple_path() -> None:
    # a one-way circular loop (radius 30 m, gentle: skid limit 17 m/s at f = 1) joined tangentially at B to a
    # straight B -> A -> square. A slow vehicle (0.4 m/s^2) would gain speed by circling: the best WALK
    # repeats B. Approach paths are simple paths, so the search must fall back and agree with enumeration.
    rho = 30.0
    arc = lambda t0, t1: [(rho * math.sin(t), rho - rho * math.cos(t)) for t in np.linspace(t0, t1, 25)[1:-1]]  # noqa: E731
    third = 2 * math.pi / 3
    nodes = {1: (0.0, 0.0), 2: (rho * math.sin(third), rho - rho * math.cos(third)),
             3: (rho * math.sin(2 * third), rho - rho * math.cos(2 * third)), 4: (50.0, 0.0), 5: (80.0, 0.0)}
    shapes = {(1, 2): arc(0, third), (2, 3): arc(third, 2 * third), (3, 1): arc(2 * third, 3 * third)}
    net = VehicleNetwork(make_roads(nodes, [([1, 2, 3, 1], True), ([1, 4, 5], False)], shapes))
    zone = net.zone(Polygon(lonlat([(60, -25), (100, -25), (100, 25), (60, 25)])), buffer_m=0.0)
    touching = net.touching(zone)
    blocked = set(int(e) for e in touching)
    (entry,) = [e for e in net.entries(zone, touching) if not net.wrong_way[e.edge]]
    dyn = Dynamics(0.4, friction=1.0)
    found = worst_path(net, entry, dyn, blocked=blocked, max_distance_m=300.0)
    base, _ = baseline_speed_mps(build_graph(net), net, entry, dyn, blocked=blocked, max_distance_m=300.0)
    assert found.fallback
    assert found.impact_speed_mps == pytest.approx(base, rel=1e-9)
    # the simple optimum starts at node 2 (two thirds of the loop + 60 m): from rest, no bend binds
    r = net.length[[e for e in range(net.n_edges) if net.tail[e] == 1 and net.head[e] == 2][0]]
    loop = 3 * r
    assert found.impact_speed_mps == pytest.approx(math.sqrt(2 * 0.4 * (loop - r + 60.0)), rel=1e-3)
    assert found.impact_speed_mps < math.sqrt(2 * 0.4 * 300.0)  # what circling would give
