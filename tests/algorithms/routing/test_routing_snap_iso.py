from __future__ import annotations

import numpy as np
import pytest
import shapely

from bastion.algorithms.routing import LocalProjection
from bastion.algorithms.routing import Snapper
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import isochrones
from bastion.algorithms.routing import snap_points
from bastion.kernel.errors import InvalidInput
from tests.algorithms.routing.routing_netgen import LAT0
from tests.algorithms.routing.routing_netgen import LON0
from tests.algorithms.routing.routing_netgen import M_PER_DEG_LAT
from tests.algorithms.routing.routing_netgen import make_network

M_PER_DEG_LON = M_PER_DEG_LAT * np.cos(np.radians(LAT0))


def line_network(n: int = 12, spacing_m: float = 100.0):
    """n nodes on an east-west street, 100 m apart, 36 km/h (10 s per edge), plus an unconnected
    parallel street 300 m north (across a 'river') that joins only at the far west end via a 2 km detour."""
    pts = [(LON0 + i * spacing_m / M_PER_DEG_LON, LAT0) for i in range(n)]
    north = [(LON0 + i * spacing_m / M_PER_DEG_LON, LAT0 + 300.0 / M_PER_DEG_LAT) for i in range(n)]
    edges = [(i, i + 1, spacing_m, 36.0, "residential", False) for i in range(n - 1)]
    edges += [(n + i, n + i + 1, spacing_m, 36.0, "residential", False) for i in range(n - 1)]
    edges += [(0, n, 2000.0, 36.0, "residential", False)]
    return make_network(pts + north, edges)


def test_snap_distance_and_flagging():
    net = line_network()
    g = build_graph(net)
    lon = [LON0 + 200.0 / M_PER_DEG_LON, LON0 + 500.0 / M_PER_DEG_LON, LON0]
    lat = [LAT0 + 30.0 / M_PER_DEG_LAT, LAT0 - 120.0 / M_PER_DEG_LAT, LAT0 - 2000.0 / M_PER_DEG_LAT]
    r = snap_points(g, lon, lat, max_snap_m=100.0)
    assert list(r.nearest_node) == [g.net_to_graph[2], g.net_to_graph[5], g.net_to_graph[0]]
    assert r.distance_m[0] == pytest.approx(30.0, rel=5e-3)
    assert r.distance_m[1] == pytest.approx(120.0, rel=5e-3)
    assert r.distance_m[2] == pytest.approx(2000.0, rel=5e-3)
    # beyond the 100 m threshold: flagged, not snapped
    assert list(r.flagged) == [False, True, True]
    assert r.node[0] == g.net_to_graph[2] and r.node[1] == -1 and r.node[2] == -1


def test_snap_rejects_bad_points():
    g = build_graph(line_network())
    s = Snapper(g)
    with pytest.raises(InvalidInput, match="lon/lat"):
        s.snap([LON0, np.nan], [LAT0, LAT0])
    with pytest.raises(InvalidInput, match="max_snap_m"):
        s.snap([LON0], [LAT0], max_snap_m=0)


def test_projection_round_trip():
    p = LocalProjection(LON0, LAT0)
    lon = np.array([LON0 + 0.01, LON0 - 0.02])
    lat = np.array([LAT0 + 0.005, LAT0 - 0.01])
    np.testing.assert_allclose(p.to_lonlat(*p.to_xy(lon, lat)), [lon, lat], atol=1e-9)


def test_isochrone_lengths_nesting_and_no_river_crossing():
    net = line_network()
    g = build_graph(net)
    src = g.net_to_graph[0]
    iso = isochrones(g, net, [src], limits_s=(60.0, 30.0), buffer_m=20.0, simplify_m=0.5)
    assert [i.limit_s for i in iso] == [30.0, 60.0]
    # 60 s at 10 m/s reaches 600 m along the street and 600/2000 of the detour, whose drawn geometry
    # is a 300 m straight line: 90 m. Corridors 40 m wide plus round end caps.
    expected = (600 + 90) * 40 + np.pi * 20**2
    assert iso[1].area_m2 == pytest.approx(expected, rel=0.03)
    assert iso[1].n_nodes_reached == 7  # nodes 0..6 of the street
    assert iso[0].area_m2 < iso[1].area_m2
    assert iso[1].polygon.buffer(1e-7).contains(iso[0].polygon)
    # a point on the north street 300 m away (across the river) is not inside the 1-minute ring
    north_pt = shapely.Point(LON0 + 300.0 / M_PER_DEG_LON, LAT0 + 300.0 / M_PER_DEG_LAT)
    south_pt = shapely.Point(LON0 + 300.0 / M_PER_DEG_LON, LAT0 + 10.0 / M_PER_DEG_LAT)
    assert iso[1].polygon.contains(south_pt)
    assert not iso[1].polygon.contains(north_pt)


def test_isochrone_rejects_bad_limits():
    net = line_network()
    g = build_graph(net)
    with pytest.raises(InvalidInput, match="limits_s"):
        isochrones(g, net, [0], limits_s=(0.0,))
