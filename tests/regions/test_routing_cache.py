"""Routing state built once per road network and kept on disk (bastion.regions.graphs).

Proves: a second process (here: an emptied in-memory cache) gets the graph and its hierarchies from disk without
reading the roads from the database, with identical travel times; a changed road network (new roads hash) is
built anew; files are whole or absent (atomic), an unreadable one is rebuilt; concurrent processes build a key
once and all read the same arrays.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import travel_time_matrix
from bastion.kernel.errors import InvalidInput
from bastion.regions import graphs
from bastion.regions import snapping
from bastion.regions.models import Region
from bastion.regions.service import load_road_network


@pytest.fixture
def cache_dir(tmp_path: Path):
    graphs.clear()
    graphs.configure(tmp_path / "routing-cache")
    yield tmp_path / "routing-cache"
    graphs.configure(None)
    graphs.clear()


def _monaco(s) -> Region:
    return s.scalars(select(Region).where(Region.name == "Monaco")).one()


def test_second_process_reads_graph_and_hierarchy_from_disk(monaco_sf, cache_dir, monkeypatch):
    with monaco_sf() as s:
        region = _monaco(s)
        first = graphs.routing_for_region(s, region, "patrol_car")
        roots = np.arange(0, first.graph.n_nodes, 11)
        want = travel_time_matrix(first.graph, roots, roots)  # >= 16 roots: builds (and stores) the hierarchy
        fresh = build_graph(load_road_network(s, region.id))
        # the hierarchy adds shortcut costs in another order than Dijkstra: equal to rounding
        assert np.allclose(want, travel_time_matrix(fresh, roots, roots, use_hierarchy=False), rtol=1e-12, atol=1e-9)
        files = sorted(p.name for p in (cache_dir / region.roads_hash).glob("*.npz"))
        ver = graphs.code_version()
        assert files == [f"network-{ver}.npz", f"patrol_car-{ver}.graph.npz", f"patrol_car-{ver}.hier-fwd.npz"]

        graphs.clear()  # a new process: nothing in memory

        def no_db(*_a, **_k):
            raise AssertionError("the roads were read from the database")

        monkeypatch.setattr(graphs, "load_road_network", no_db)
        monkeypatch.setattr(graphs, "build_hierarchy", no_db)
        again = graphs.routing_for_region(s, region, "patrol_car")
        assert again is not first
        assert np.array_equal(travel_time_matrix(again.graph, roots, roots), want)
        assert np.array_equal(again.node_osm_id, first.node_osm_id)
        assert again.network.n_edges == first.network.n_edges  # from the stored network, not the database
        assert graphs.routing_for_region(s, region, "patrol_car") is again  # memoised in the process


def test_changed_roads_are_a_new_key(monaco_sf, cache_dir, monkeypatch):
    with monaco_sf() as s:
        region = _monaco(s)
        graphs.routing_for_region(s, region, "foot")
        calls = []
        real = graphs.load_road_network
        monkeypatch.setattr(graphs, "load_road_network", lambda *a: calls.append(1) or real(*a))
        graphs.clear()
        graphs.routing_for_region(s, region, "foot")
        assert calls == []  # same roads: from disk
        region.roads_hash = "f" * 64  # what an import that changed the roads does
        graphs.routing_for_region(s, region, "foot")
        assert calls == [1]  # built anew
        assert (cache_dir / ("f" * 64) / f"foot-{graphs.code_version()}.graph.npz").exists()
        s.rollback()


def test_unreadable_file_is_rebuilt(tmp_path, caplog):
    path = tmp_path / "x.npz"
    path.write_bytes(b"not a zip file")
    out = graphs.get_or_build(path, lambda: {"a": np.arange(3)})
    assert out["a"].tolist() == [0, 1, 2]
    assert "unreadable" in caplog.text
    assert graphs.get_or_build(path, lambda: pytest.fail("rebuilt twice"))["a"].tolist() == [0, 1, 2]
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []  # no temporary file left


def test_snap_grid_is_built_from_the_graph_once_and_a_torn_one_rebuilt(monaco_sf, cache_dir, caplog):
    with monaco_sf() as s:
        region = _monaco(s)
        routing = graphs.routing_for_region(s, region, "patrol_car")
        base = (7.4200, 43.7310)
        want = snapping.RoutingSnapIndex(routing).snap(*base)
        assert isinstance(snapping.stored_index(region, "patrol_car"), snapping.RoutingSnapIndex)
        graphs.clear()  # a command-line process: no graph in memory
        cold = snapping.stored_index(region, "patrol_car")
        assert isinstance(cold, snapping.GridSnapIndex)
        osm, d = cold.snap(*base)
        assert osm == want[0] and d == pytest.approx(want[1], abs=1e-6)
        path = cache_dir / region.roads_hash / f"patrol_car-{graphs.code_version()}.snap.grid"
        whole = path.read_bytes()
        path.write_bytes(whole[: len(whole) // 2])  # a torn file (a crash mid-write on a non-atomic copy)
        graphs.clear()
        assert snapping.stored_index(region, "patrol_car") is None  # the caller loads the graph ...
        graphs.routing_for_region(s, region, "patrol_car")  # ... which writes the grid anew
        assert "unreadable" in caplog.text and path.read_bytes() == whole
        graphs.clear()
        assert snapping.stored_index(region, "patrol_car").snap(*base)[0] == want[0]


def test_no_region_roads_is_a_clear_error(monaco_sf, cache_dir):
    with monaco_sf() as s:
        region = _monaco(s)
        region.roads_hash = None
        with pytest.raises(InvalidInput, match="has no road network: import an OSM extract first"):
            graphs.routing_for_region(s, region, "patrol_car")
        with pytest.raises(InvalidInput, match="speed_profile 'bike' is unknown"):
            graphs.routing_for_region(s, region, "bike")
        s.rollback()


def _build_in_child(path: str, log: str, out: str) -> None:
    def build():
        with open(log, "a") as fh:
            fh.write("built\n")
        time.sleep(0.3)  # long enough for the others to queue on the lock
        return {"v": np.arange(100_000, dtype=np.float64) * 0.5}

    arrays = graphs.get_or_build(Path(path), build)
    np.save(out, arrays["v"])


def test_concurrent_processes_build_once(tmp_path):
    ctx = multiprocessing.get_context("fork")
    target = tmp_path / "cache" / "k.npz"
    log = tmp_path / "builds.log"
    procs = [ctx.Process(target=_build_in_child, args=(str(target), str(log), str(tmp_path / f"out{i}.npy")))
             for i in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    assert log.read_text().count("built") == 1
    want = np.arange(100_000, dtype=np.float64) * 0.5
    for i in range(4):
        assert np.array_equal(np.load(tmp_path / f"out{i}.npy"), want)
