"""The snap grid (one point to its nearest road node without numpy or pyproj) against brute force and Snapper."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import assume
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.routing import PATROL_CAR
from bastion.algorithms.routing import LocalProjection
from bastion.algorithms.routing import Snapper
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing.gridsnap import MAGIC
from bastion.algorithms.routing.gridsnap import GridSnap
from bastion.algorithms.routing.gridsnap import build_grid
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geodesic import aeqd_xy
from bastion.regions.osm import read_extract

MONACO = Path(__file__).resolve().parents[3] / "data" / "osm" / "monaco-2023-12.osm.pbf"


def brute(xs: list[float], ys: list[float], px: float, py: float) -> tuple[int, float]:
    """np.argmin semantics: the lowest index among the nearest."""
    d2 = [(x - px) ** 2 + (y - py) ** 2 for x, y in zip(xs, ys, strict=True)]
    k = min(range(len(d2)), key=lambda i: (d2[i], i))
    return k, math.sqrt(d2[k])


coord = st.floats(-5_000, 5_000, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(pts=st.lists(st.tuples(coord, coord), min_size=1, max_size=60),
       queries=st.lists(st.tuples(st.floats(-20_000, 20_000), st.floats(-20_000, 20_000)), min_size=1, max_size=5),
       cell=st.sampled_from([1.0, 50.0, 250.0, 3_000.0]))
def test_nearest_is_the_brute_force_nearest_anywhere(pts, queries, cell):
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    grid = build_grid(0.0, 45.0, xs, ys, list(range(1000, 1000 + len(pts))), cell_m=cell)
    for px, py in queries + pts[:3]:  # far outside the grid, inside it, and exactly on nodes
        node, d = grid.nearest(px, py)
        want_node, want_d = brute(xs, ys, px, py)
        assert d == want_d
        assert node == want_node or math.hypot(xs[node] - px, ys[node] - py) == want_d


def test_ties_go_to_the_lowest_node_index_as_numpy_argmin():
    xs, ys = [10.0, -10.0, 0.0, 10.0], [0.0, 0.0, 10.0, 0.0]  # nodes 0 and 3 coincide; 0, 1, 2 are 10 m away
    grid = build_grid(0.0, 0.0, xs, ys, [7, 8, 9, 10], cell_m=3.0)
    assert grid.nearest(0.0, 0.0) == (0, 10.0)
    assert grid.snap(0.0, 0.0, max_snap_m=9.0) == (None, 0, 10.0)  # beyond the threshold: no OSM id
    assert grid.snap(10.0, 0.0) == (7, 0, 0.0)


def test_packed_grid_round_trips_and_refuses_torn_or_foreign_bytes():
    rng = np.random.default_rng(7)
    xs, ys = rng.uniform(-9e3, 9e3, 500).tolist(), rng.uniform(-4e3, 4e3, 500).tolist()
    grid = build_grid(7.42, 43.73, xs, ys, rng.integers(1, 2**40, 500).tolist())
    data = grid.to_bytes()
    again = GridSnap.from_bytes(data)
    assert (again.lon0, again.lat0, again.nx, again.ny, again.cell_m) == (grid.lon0, grid.lat0, grid.nx, grid.ny,
                                                                          grid.cell_m)
    assert list(again.x) == list(grid.x) and list(again.osm_id) == list(grid.osm_id)
    for q in [(0.0, 0.0), (8e3, -3e3), (-2e4, 2e4)]:
        assert again.snap(*q) == grid.snap(*q)
    for bad, why in [(data[:-8], "torn"), (b"XXXXXXXX" + data[8:], "magic"), (data[:20], "too short")]:
        with pytest.raises(InvalidInput, match=why):
            GridSnap.from_bytes(bad)
    assert data.startswith(MAGIC)


def test_a_sparse_network_gets_larger_cells_not_a_huge_grid():
    grid = build_grid(0.0, 0.0, [0.0, 400_000.0], [0.0, 300_000.0], [1, 2])
    assert grid.nx * grid.ny <= 8 and grid.nearest(390_000.0, 290_000.0) == (1, math.hypot(10_000.0, 10_000.0))


def test_bad_input_is_named():
    with pytest.raises(InvalidInput, match="non-empty"):
        build_grid(0.0, 0.0, [], [], [])
    with pytest.raises(InvalidInput, match="finite"):
        build_grid(0.0, 0.0, [1.0], [math.nan], [1])
    with pytest.raises(InvalidInput, match="finite"):
        build_grid(0.0, 0.0, [1.0], [1.0], [1]).nearest(math.inf, 0.0)
    with pytest.raises(InvalidInput, match="lat"):
        aeqd_xy(0.0, 0.0, 0.0, 91.0)


@settings(max_examples=300, deadline=None)
@given(lon0=st.floats(-179.0, 179.0), lat0=st.floats(-80.0, 80.0), dx=st.floats(-0.6, 0.6), dy=st.floats(-0.45, 0.45))
def test_one_point_projects_as_pyproj_aeqd(lon0, lat0, dx, dy):
    """GeographicLib gives the same azimuthal-equidistant plane as pyproj (PROJ uses the same geodesic code).
    PROJ takes a centre within 1e-10 rad (~0.6 mm) of the equator as on it (hence the assumption) and a point
    within 1e-10 rad of the centre as the centre (hence the wider tolerance there)."""
    assume(abs(lat0) > 1e-6)
    tol = 1e-6 if max(abs(dx), abs(dy)) > 1e-8 else 1e-3
    lon, lat = lon0 + dx, lat0 + dy
    x, y = aeqd_xy(lon0, lat0, lon, lat)
    px, py = LocalProjection(lon0, lat0).to_xy([lon], [lat])
    assert abs(x - px[0]) < tol and abs(y - py[0]) < tol


def test_same_node_and_distance_as_the_graph_snapper_on_monaco():
    g = build_graph(read_extract(MONACO).roads, PATROL_CAR)
    snapper = Snapper(g)
    p = snapper.projection
    grid = GridSnap.from_bytes(build_grid(p.lon0, p.lat0, snapper.x.tolist(), snapper.y.tolist(),
                                          list(range(g.n_nodes))).to_bytes())
    rng = np.random.default_rng(13)
    lon = rng.uniform(g.node_lon.min() - 0.01, g.node_lon.max() + 0.01, 2_000)
    lat = rng.uniform(g.node_lat.min() - 0.01, g.node_lat.max() + 0.01, 2_000)
    want = snapper.snap(lon, lat)
    flagged = 0
    for i in range(len(lon)):
        osm, node, d = grid.snap(*aeqd_xy(p.lon0, p.lat0, float(lon[i]), float(lat[i])))
        assert node == want.nearest_node[i]
        assert d == pytest.approx(want.distance_m[i], abs=1e-6)
        assert (osm is None) == (want.node[i] < 0)
        flagged += osm is None
    assert 0 < flagged < len(lon)  # points up to ~1 km off the network: some beyond 250 m, most not
