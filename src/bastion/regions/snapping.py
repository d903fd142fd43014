"""Snap a unit's base to its region's road network without loading the graph (adding or moving one unit).

A process that already holds the region's graph (an API or job worker) snaps with the graph's Snapper. Otherwise
(a command-line call) the nodes come from a small file beside the graph, ``<profile>-<code>.snap.grid``: the
graph's nodes in the local plane bucketed by a grid (``algorithms.routing.gridsnap``), written by
``regions.graphs`` whenever it builds or loads a graph without one. The point is projected with GeographicLib
(``kernel.geodesic``), so the call imports neither numpy, pyproj, SciPy nor the graph code, reads ~2 MB and scans
a few cells; it finds the same node at the same distance (to ~1e-8 m) as the graph's Snapper.

This module does not import ``regions.graphs`` (which needs numpy): the graphs module registers how to find a
graph held in memory (``register_memory``), and a caller that gets no index here loads the graph itself.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from typing import Protocol

from bastion.algorithms.routing.gridsnap import DEFAULT_MAX_SNAP_M
from bastion.algorithms.routing.gridsnap import GridSnap
from bastion.algorithms.routing.gridsnap import build_grid
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geodesic import aeqd_xy
from bastion.regions import cachefiles
from bastion.regions.models import Region

log = logging.getLogger(__name__)

MAX_ENTRIES = 8


class SnapIndex(Protocol):
    def snap(self, lon: float, lat: float, *, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> tuple[int | None, float]:
        """(OSM id of the snapped road node, None when farther than max_snap_m; distance to the nearest node, m)."""
        ...


class HasSnapper(Protocol):
    """What a loaded routing state offers (regions.graphs.Routing)."""

    snapper: Any  # algorithms.routing.Snapper
    node_osm_id: Any  # (n_graph_nodes,) int64


class GridSnapIndex:
    """Snapping from the stored grid (no graph in this process)."""

    def __init__(self, grid: GridSnap) -> None:
        self.grid = grid

    def snap(self, lon: float, lat: float, *, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> tuple[int | None, float]:
        x, y = aeqd_xy(self.grid.lon0, self.grid.lat0, lon, lat)
        osm, _, d = self.grid.snap(x, y, max_snap_m=max_snap_m)
        return osm, d


class RoutingSnapIndex:
    """Snapping with a graph this process holds."""

    def __init__(self, routing: HasSnapper) -> None:
        self.routing = routing

    def snap(self, lon: float, lat: float, *, max_snap_m: float = DEFAULT_MAX_SNAP_M) -> tuple[int | None, float]:
        r = self.routing.snapper.snap([lon], [lat], max_snap_m=max_snap_m)
        d = float(r.distance_m[0])
        return (None if r.node[0] < 0 else int(self.routing.node_osm_id[r.node[0]])), d


_lock = threading.Lock()
_cache: OrderedDict[tuple[str, str], GridSnapIndex] = OrderedDict()
_memory: list[Callable[[tuple[str, str]], HasSnapper | None]] = []


def register_memory(lookup: Callable[[tuple[str, str]], HasSnapper | None]) -> None:
    """How to find a graph this process holds, by (roads hash, profile) (regions.graphs registers its cache)."""
    if lookup not in _memory:
        _memory.append(lookup)


def grid_path(roads_hash: str, profile: str) -> Path:
    return cachefiles.cache_root() / roads_hash / f"{profile}-{cachefiles.code_version()}.snap.grid"


def _read(path: Path) -> GridSnap | None:
    try:
        return GridSnap.from_bytes(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, InvalidInput) as exc:  # a torn, old or foreign file: rebuild it
        log.warning("snap grid %s unreadable (%s): rebuilding it", path, exc)
        return None


def _write(path: Path, grid: GridSnap) -> None:
    data = grid.to_bytes()
    cachefiles.write_atomic(path, lambda fh: fh.write(data))  # type: ignore[attr-defined]


def stored_index(region: Region, profile: str) -> SnapIndex | None:
    """How to snap a few points (a unit's base) to the region's roads for a speed profile without loading the
    graph: the graph's own Snapper if this process holds it, else the stored grid; None if neither is there (the
    caller then loads the graph, which stores the grid for the next call)."""
    cachefiles.check_profile(profile)
    if region.roads_hash is None:
        raise InvalidInput(f"region {region.name!r} has no road network: import an OSM extract first", field="region")
    key = (region.roads_hash, profile)
    for lookup in _memory:
        full = lookup(key)
        if full is not None:
            return RoutingSnapIndex(full)
    with _lock:
        hit = _cache.get(key)
    if hit is not None:
        return hit
    grid = _read(grid_path(*key))
    if grid is None:
        return None
    out = GridSnapIndex(grid)
    with _lock:
        _cache[key] = out
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return out


def store_grid(roads_hash: str, profile: str, routing: HasSnapper) -> None:
    """Write the routing state's snap grid unless it is on disk (a directory that cannot be written is skipped)."""
    path = grid_path(roads_hash, profile)
    if path.exists() and _read(path) is not None:
        return

    def build() -> GridSnap:
        p = routing.snapper.projection
        return build_grid(p.lon0, p.lat0, routing.snapper.x.tolist(), routing.snapper.y.tolist(),
                          routing.node_osm_id.tolist())

    cachefiles.get_or_build(path, _read, build, _write)


def clear() -> None:
    """Forget the snap grids held in memory (the files stay)."""
    with _lock:
        _cache.clear()
