"""Grade separation: tunnels, bridges, covered ways and other layers reach a ground-level perimeter only at a
portal (an end node shared with a ground-level road, inside the zone); elsewhere they pass under or over it
and can still carry the vehicle to a ground-level junction.

Hand-made networks (metres, see vehicle_testnet): a 20 m x 20 m site centred on the origin, zone = the site
buffered by 10 m (so |x|, |y| <= 20 on the axes).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from bastion.algorithms.vehicle.assess import assess_perimeter
from bastion.algorithms.vehicle.grade import ROAD_GRADES
from bastion.algorithms.vehicle.grade import parse_layer
from bastion.algorithms.vehicle.grade import road_grade
from bastion.algorithms.vehicle.network import VehicleNetwork
from bastion.algorithms.vehicle.vehicles import CAR
from tests.algorithms.vehicle.vehicle_testnet import PROJ
from tests.algorithms.vehicle.vehicle_testnet import lonlat
from tests.algorithms.vehicle.vehicle_testnet import make_roads

SITE = Polygon(lonlat([(-10, -10), (10, -10), (10, 10), (-10, 10)]))
A2 = 2.0 * CAR.accel_mps2


@pytest.mark.parametrize(("tags", "grade"), [
    ({}, "ground"), ({"tunnel": "yes", "layer": "-1"}, "tunnel"), ({"tunnel": "no"}, "ground"),
    ({"tunnel": "culvert"}, "ground"), ({"tunnel": "building_passage"}, "covered"),
    ({"location": "underground"}, "tunnel"), ({"bridge": "viaduct", "layer": "2"}, "bridge"),
    ({"bridge": "no", "layer": "0"}, "ground"), ({"covered": "yes"}, "covered"), ({"covered": "no"}, "ground"),
    ({"layer": "-1"}, "below"), ({"layer": "1"}, "above"), ({"layer": "high"}, "ground"),
])
def test_road_grade_from_tags(tags: dict[str, str], grade: str) -> None:
    assert road_grade(tags) == grade and grade in ROAD_GRADES


def test_parse_layer() -> None:
    assert [parse_layer(v) for v in (None, "", "1", "-2", " -1 ", "-1;0", "1.0", "x")] == [0, 0, 1, -2, -1, -1, 1, 0]


def _way_of(net: VehicleNetwork, e: int) -> int:
    return int(net.roads.edge_way_id[net.base_edge[e]])


def _under_network(grades: dict[int, str] | None):  # type: ignore[no-untyped-def]
    """Way 100: a straight 600 m road W-E under the site; way 101: from its east end north, west, then a spur
    south into the site (entering the zone 80 m after a square corner)."""
    nodes = {1: (-300.0, 0.0), 2: (300.0, 0.0), 3: (300.0, 100.0), 4: (0.0, 100.0), 5: (0.0, 12.0)}
    return make_roads(nodes, [([1, 2], False), ([2, 3, 4, 5], False)], grades=grades)


def test_tunnel_under_the_site_is_no_entry() -> None:
    before = VehicleNetwork(_under_network(None), projection=PROJ)
    after = VehicleNetwork(_under_network({0: "tunnel"}), projection=PROJ)
    a0 = assess_perimeter(before, SITE, CAR, bands=False)
    a1 = assess_perimeter(after, SITE, CAR, bands=False)
    # all at ground level: the straight road reaches the zone 280 m from its west end (and from the east after
    # the corner at node 2): ~144 km/h
    assert a0.worst.impact_speed_kph > 140 and a0.worst.way_id == 100  # type: ignore[union-attr]
    # in a tunnel it passes under: the only entry is the spur, 80 m after a square corner (R ~ 7 m)
    assert {ap.way_id for ap in a1.approaches} == {101}
    corner = math.sqrt(0.6 * 9.81 * 10 / math.sqrt(2) + A2 * 80.0) * 3.6
    assert a1.worst.impact_speed_kph == pytest.approx(corner, abs=1.0)  # type: ignore[union-attr]
    zone = after.zone(SITE)
    assert {_way_of(after, e) for e in after.passing(zone)} == {100}
    assert {_way_of(after, e) for e in after.touching(zone)} == {101}


def test_portal_inside_the_zone_is_an_entry_at_the_portal() -> None:
    """A tunnel coming out 5 m from the site: the vehicle reaches the perimeter at the portal, at full speed."""
    nodes = {1: (0.0, -300.0), 2: (0.0, -15.0), 3: (100.0, -15.0)}
    roads = make_roads(nodes, [([1, 2], False), ([2, 3], False)], grades={0: "tunnel"})
    net = VehicleNetwork(roads, projection=PROJ)
    zone = net.zone(SITE)
    entries = net.entries(zone, net.touching(zone))
    (tun,) = [en for en in entries if _way_of(net, en.edge) == 100]
    assert tun.length_m == pytest.approx(285.0, abs=0.01)
    assert (tun.lon, tun.lat) == pytest.approx((roads.node_lon[1], roads.node_lat[1]), abs=1e-9)
    a = assess_perimeter(net, SITE, CAR, bands=False)
    assert a.worst.way_id == 100  # type: ignore[union-attr]
    assert a.worst.impact_speed_kph == pytest.approx(math.sqrt(A2 * 285.0) * 3.6, abs=0.1)  # type: ignore[union-attr]


def test_tunnel_carries_the_vehicle_under_the_site_to_a_ground_junction() -> None:
    """A tunnel passing under the site, surfacing 150 m north; the road then doubles back into the site."""
    nodes = {1: (0.0, -150.0), 2: (0.0, 150.0), 3: (60.0, 150.0), 4: (0.0, 12.0)}
    roads = make_roads(nodes, [([1, 2], False), ([2, 3, 4], False)], grades={0: "tunnel"})
    net = VehicleNetwork(roads, projection=PROJ)
    a = assess_perimeter(net, SITE, CAR, bands=False, max_distance_m=600.0)
    assert {ap.way_id for ap in a.approaches} == {101}
    path = shapely.LineString(a.worst.path_lonlat)  # type: ignore[union-attr]
    assert path.intersects(SITE)  # it ran under the site before surfacing
    xy = np.column_stack(PROJ.to_xy(a.worst.path_lonlat[:, 0], a.worst.path_lonlat[:, 1]))  # type: ignore[union-attr]
    assert abs(xy[0, 0]) < 1e-6 and xy[0, 1] < -20.0  # it starts in the tunnel south of the zone


@pytest.mark.parametrize("grade", ["bridge", "covered", "below", "above"])
def test_every_grade_separation_passes_over_or_under(grade: str) -> None:
    net = VehicleNetwork(_under_network({0: grade}), projection=PROJ)
    a = assess_perimeter(net, SITE, CAR, bands=False)
    assert {ap.way_id for ap in a.approaches} == {101}


# ---- Monaco: 4 of the 7 worst sites were reached at 147.6 km/h by tunnels under them ------------------------
MONACO_TUNNEL_SITES = {  # OSM id -> (name, tunnel way that reached it before; worst km/h now, rounded)
    "6418400802": ("Fairmont Hairpin", 254596487, 66), "9944534420": ("Fairmont", 254596487, 37),
    "9915091713": ("Ayrton Senna", 254596487, 70), "1082312630": ("Jardin animalier de Monaco", 80378486, 109),
}


@pytest.fixture(scope="module")
def monaco():  # type: ignore[no-untyped-def]
    from bastion.regions.osm import read_extract
    from tests.conftest import MONACO

    ex = read_extract(MONACO)
    return ex, VehicleNetwork(ex.roads)


def _portal_only(net: VehicleNetwork, ap) -> bool:  # type: ignore[no-untyped-def]
    """A grade-separated entry edge may only end the path at its head node, a ground-level node (a portal)."""
    e = ap.entry_edge
    if net.roads.edge_grade[e] == "ground":
        return True
    head = int(net.roads.edge_v[e])
    at_head = (ap.entry_lon, ap.entry_lat) == pytest.approx((net.roads.node_lon[head], net.roads.node_lat[head]))
    return bool(at_head and net.ground_node[head])


def test_monaco_tunnel_sites_lose_their_tunnel_approaches(monaco) -> None:  # type: ignore[no-untyped-def]
    ex, net = monaco
    by_id = {s.source_id: s for s in ex.sites}
    for osm_id, (name, tunnel_way, worst_kph) in MONACO_TUNNEL_SITES.items():
        s = by_id[osm_id]
        assert s.name == name
        a = assess_perimeter(net, s.geometry, CAR, bands=False)
        assert a.worst is not None and a.worst.impact_speed_kph == pytest.approx(worst_kph, abs=1.0)
        assert a.worst.impact_speed_kph < 147.6 - 30  # was 147.6 (the 300 m straight in the tunnel)
        assert tunnel_way not in {ap.way_id for ap in a.approaches}
        assert all(_portal_only(net, ap) for ap in a.approaches)
        passing = {int(net.roads.edge_way_id[net.base_edge[e]]) for e in net.passing(net.zone(s.geometry))}
        assert tunnel_way in passing  # the tunnel is still there, under the site


def test_monaco_no_approach_reaches_a_site_from_under_or_over_it(monaco) -> None:  # type: ignore[no-untyped-def]
    ex, net = monaco
    worst = []
    for s in ex.sites:
        a = assess_perimeter(net, s.geometry, CAR, bands=False)
        assert all(_portal_only(net, ap) for ap in a.approaches), s.name
        if a.worst is not None:
            worst.append((a.worst.impact_speed_kph, s.name))
    top7 = {n for _v, n in sorted(worst, reverse=True)[:7]}
    assert not top7 & {n for n, _w, _k in MONACO_TUNNEL_SITES.values()}
