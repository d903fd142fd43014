"""Routing state built once: (RoutingGraph, hierarchies, Snapper) per (roads hash, speed profile), kept on disk.

A region's roads are replaced as a whole on import and get a new roads_hash (the network's content hash), so
the hash is a safe key: a re-import that changes the roads misses the cache and builds anew; an unchanged one
hits it. Two levels:

- in memory, per process (an LRU of MAX_ENTRIES graphs);
- on disk, under Settings.routing_cache_dir (default <data_dir>/routing-cache), shared by every process that
  uses the same data dir (API workers, job workers, the CLI, batch workers on one machine):
  ``<roads_hash>/network-<ver>.npz``, ``<roads_hash>/<profile>-<ver>.graph.npz``, ``….hier-fwd.npz`` and
  ``….hier-rev.npz`` and ``….snap.grid`` (the nodes bucketed by a grid in the local plane, for snapping one unit
  without the graph: ``regions.snapping``), where ``<ver>`` hashes the routing code (a change of the algorithms is
  a new key; ``regions.cachefiles``).

Files are written to a temporary name in the same directory and renamed (atomic on POSIX and Windows), so a
reader sees a whole file or none; builders of one key take an exclusive file lock (fcntl) so that concurrent
processes build it once and the others read it. Arrays only (numpy .npz read with allow_pickle=False; the snap grid
is raw little-endian arrays). A file
that cannot be read is rebuilt; a cache directory that cannot be written only costs the rebuild.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.routing.profiles import PROFILES
from bastion.kernel.errors import InvalidInput
from bastion.regions import cachefiles
from bastion.regions import snapping
from bastion.regions.cachefiles import cache_root as cache_root
from bastion.regions.cachefiles import check_profile as check_profile
from bastion.regions.cachefiles import code_version as code_version
from bastion.regions.cachefiles import configure as configure
from bastion.regions.cachefiles import write_atomic
from bastion.regions.models import Region

if TYPE_CHECKING:  # loaded when a graph is loaded or built (scipy): snapping one point needs none of it
    from bastion.algorithms.routing import Hierarchy
    from bastion.algorithms.routing import RoutingGraph
    from bastion.algorithms.routing import Snapper

log = logging.getLogger(__name__)

MAX_ENTRIES = 8  # graphs kept in memory per process (a metropolitan graph with hierarchies is ~100 MB)

Arrays = dict[str, npt.NDArray[np.generic]]


class Routing:
    """A region's routing state for one speed profile: graph, snapper, OSM id of each graph node; the road network
    itself (edge geometries, for isochrones and maps) is loaded on first use."""

    def __init__(self, graph: RoutingGraph, node_osm_id: npt.NDArray[np.int64],
                 network: RoadNetwork | Callable[[], RoadNetwork]) -> None:
        from bastion.algorithms.routing import Snapper

        self.graph = graph
        self.node_osm_id = node_osm_id  # (n_graph_nodes,) OSM node id of each graph node
        self.snapper: Snapper = Snapper(graph)
        self._network = network
        self._lock = threading.Lock()

    @property
    def network(self) -> RoadNetwork:
        with self._lock:
            if not isinstance(self._network, RoadNetwork):
                self._network = self._network()
            return self._network


_lock = threading.Lock()
_cache: OrderedDict[tuple[str, str], Routing] = OrderedDict()


# ---- disk ----

def _read(path: Path) -> Arrays | None:
    try:
        with np.load(path, allow_pickle=False) as f:
            return {k: f[k] for k in f.files}
    except FileNotFoundError:
        return None
    except Exception as exc:  # noqa: BLE001 - a torn or foreign file: rebuild it
        log.warning("routing cache file %s unreadable (%s): rebuilding it", path, exc)
        return None


def _write(path: Path, arrays: Arrays) -> None:
    write_atomic(path, lambda fh: np.savez(fh, **arrays))  # type: ignore[arg-type]


def get_or_build(path: Path, build: Callable[[], Arrays]) -> Arrays:
    """The arrays stored at ``path``, built (once across processes) and stored if missing or unreadable."""
    return cachefiles.get_or_build(path, _read, build, _write)


def load_road_network(session: Session, region_id: int) -> RoadNetwork:
    """The region's roads from the database (imported here on use: reading the cache needs none of it)."""
    from bastion.regions.service import load_road_network as load

    return load(session, region_id)


def build_hierarchy(csr: Any) -> Hierarchy:
    from bastion.algorithms.routing import build_hierarchy as build

    return build(csr)


def _hierarchy_source(directory: Path, stem: str) -> Callable[[RoutingGraph, bool], Hierarchy]:
    from bastion.algorithms.routing import store

    def source(graph: RoutingGraph, reverse: bool) -> Hierarchy:
        path = directory / f"{stem}.hier-{'rev' if reverse else 'fwd'}.npz"

        def build() -> Arrays:
            t0 = time.perf_counter()
            h = build_hierarchy(graph.csr_reverse if reverse else graph.csr)
            log.info("routing hierarchy %s (%s) built in %.2f s", stem, "reverse" if reverse else "forward",
                     time.perf_counter() - t0)
            return store.hierarchy_to_arrays(h)

        return store.hierarchy_from_arrays(get_or_build(path, build))

    return source


# ---- building and loading ----

def _remember(key: tuple[str, str], r: Routing) -> Routing:
    with _lock:
        _cache[key] = r
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return r


def _cached(key: tuple[str, str]) -> Routing | None:
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


snapping.register_memory(_cached)  # a unit's base snaps with a graph this process holds


def _routing(roads_hash: str, profile: str, network: Callable[[], RoadNetwork]) -> Routing:
    """Load the graph from disk or build it from ``network()`` (and store both); memoised per process."""
    from bastion.algorithms.routing import build_graph
    from bastion.algorithms.routing import store

    key = (roads_hash, profile)
    hit = _cached(key)
    if hit is not None:
        return hit
    t0 = time.perf_counter()
    directory = cache_root() / roads_hash
    ver = code_version()
    stem = f"{profile}-{ver}"
    loaded: list[RoadNetwork] = []

    def net() -> RoadNetwork:
        if not loaded:
            loaded.append(network())
        return loaded[0]

    def stored_network() -> RoadNetwork:
        return store.network_from_arrays(get_or_build(directory / f"network-{ver}.npz",
                                                      lambda: store.network_to_arrays(net())))

    def build() -> Arrays:
        n = net()
        if n.n_edges == 0:
            raise InvalidInput("the region has no roads: import an extract with roads", field="region")
        g = build_graph(n, PROFILES[profile])
        arrays = store.graph_to_arrays(g)
        arrays["node_osm_id"] = n.node_osm_id[g.node_net]
        stored_network()  # keep the network beside it (isochrones and maps need its geometries)
        return arrays

    arrays = get_or_build(directory / f"{stem}.graph.npz", build)
    g = replace(store.graph_from_arrays(arrays, PROFILES[profile]), hierarchy_source=_hierarchy_source(directory, stem))
    osm = np.asarray(arrays["node_osm_id"], dtype=np.int64)
    r = Routing(g, osm, loaded[0] if loaded else stored_network)
    try:  # the small file that snaps one unit's base in a later process without this graph (regions.snapping)
        snapping.store_grid(roads_hash, profile, r)
    except OSError as exc:
        log.warning("snap grid for %s/%s not stored (%s)", roads_hash[:8], profile, exc)
    log.info("routing graph %s/%s: %d nodes, %d edges ready in %.2f s (%s)", roads_hash[:8], profile, g.n_nodes,
             g.n_edges, time.perf_counter() - t0, "built" if loaded else "from disk")
    return _remember(key, r)


def routing_for_network(net: RoadNetwork, key: str, profile: str) -> Routing:
    """Routing for an in-memory network (the importer uses it before the roads are committed)."""
    check_profile(profile)
    return _routing(key, profile, lambda: net)


def routing_for_region(session: Session, region: Region, profile: str) -> Routing:
    """The region's routing graph for a speed profile (kept per roads hash and profile, on disk and in memory)."""
    check_profile(profile)
    if region.roads_hash is None:
        raise InvalidInput(f"region {region.name!r} has no road network: import an OSM extract first", field="region")

    def network() -> RoadNetwork:
        net = load_road_network(session, region.id)
        if net.n_edges == 0:
            raise InvalidInput(f"region {region.name!r} has no roads: import an extract with roads", field="region")
        return net

    return _routing(region.roads_hash, profile, network)


def clear() -> None:
    """Forget the in-memory graphs (the disk cache stays)."""
    with _lock:
        _cache.clear()
    snapping.clear()
