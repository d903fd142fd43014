"""Routing state as flat named arrays (and back), so that it can be kept on disk without pickles.

Pure: plain arrays in, plain arrays out. The caller (bastion.regions.graphs) writes them with
``numpy.savez`` and reads them with ``allow_pickle=False``; string columns become fixed-width unicode
arrays, ragged columns (edge geometries, hierarchy levels) a flat array plus offsets.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array

from bastion.algorithms.routing.graph import RoadSpeedProfile
from bastion.algorithms.routing.graph import RoutingGraph
from bastion.algorithms.routing.hierarchy import Hierarchy
from bastion.algorithms.routing.network import RoadNetwork
from bastion.kernel.errors import InvalidInput

Arrays = dict[str, npt.NDArray[np.generic]]

_GRAPH_FIELDS = ("node_net", "net_to_graph", "node_lon", "node_lat", "edge_u", "edge_v", "edge_time_s", "edge_net",
                 "edge_reversed")


def _csr_arrays(prefix: str, m: csr_array) -> Arrays:
    return {f"{prefix}_data": np.asarray(m.data), f"{prefix}_indices": np.asarray(m.indices),
            f"{prefix}_indptr": np.asarray(m.indptr), f"{prefix}_shape": np.asarray(m.shape, dtype=np.int64)}


def _csr_from(prefix: str, a: Mapping[str, npt.NDArray[np.generic]]) -> csr_array:
    shape = tuple(int(x) for x in a[f"{prefix}_shape"])
    return csr_array((a[f"{prefix}_data"], a[f"{prefix}_indices"], a[f"{prefix}_indptr"]), shape=shape)


def _need(a: Mapping[str, npt.NDArray[np.generic]], keys: tuple[str, ...], what: str) -> None:
    missing = [k for k in keys if k not in a]
    if missing:
        raise InvalidInput(f"{what} arrays miss {', '.join(missing)}; rebuild the routing cache")


def graph_to_arrays(graph: RoutingGraph) -> Arrays:
    """The graph's arrays (not its hierarchies: see hierarchy_to_arrays)."""
    out: Arrays = {k: np.asarray(getattr(graph, k)) for k in _GRAPH_FIELDS}
    out.update(_csr_arrays("csr", graph.csr))
    out["profile"] = np.asarray(graph.profile.name)
    return out


def graph_from_arrays(a: Mapping[str, npt.NDArray[np.generic]], profile: RoadSpeedProfile) -> RoutingGraph:
    """Inverse of graph_to_arrays; ``profile`` must be the one the graph was built with."""
    _need(a, (*_GRAPH_FIELDS, "csr_data", "csr_indices", "csr_indptr", "csr_shape", "profile"), "routing graph")
    if str(a["profile"]) != profile.name:
        raise InvalidInput(f"stored graph is for profile {str(a['profile'])!r}, not {profile.name!r}")
    return RoutingGraph(profile=profile, csr=_csr_from("csr", a), **{k: a[k] for k in _GRAPH_FIELDS})  # type: ignore[arg-type]


def hierarchy_to_arrays(h: Hierarchy) -> Arrays:
    out: Arrays = {"n": np.asarray(h.n, dtype=np.int64), "core": h.core, "core_id": h.core_id,
                   "n_levels": np.asarray(len(h.levels), dtype=np.int64)}
    out.update(_csr_arrays("core_csr", h.core_csr))
    out.update(_csr_arrays("up_csr", h.up_csr))
    for i, (xs, nb, cost) in enumerate(h.levels):
        out[f"level{i}_nodes"], out[f"level{i}_nb"], out[f"level{i}_cost"] = xs, nb, cost
    return out


def hierarchy_from_arrays(a: Mapping[str, npt.NDArray[np.generic]]) -> Hierarchy:
    _need(a, ("n", "core", "core_id", "n_levels"), "hierarchy")
    n_levels = int(a["n_levels"])
    levels = tuple((a[f"level{i}_nodes"], a[f"level{i}_nb"], a[f"level{i}_cost"]) for i in range(n_levels))
    return Hierarchy(n=int(a["n"]), core=a["core"], core_id=a["core_id"],  # type: ignore[arg-type]
                     core_csr=_csr_from("core_csr", a), up_csr=_csr_from("up_csr", a), levels=levels)  # type: ignore[arg-type]


_NET_FIELDS = ("node_osm_id", "node_lon", "node_lat", "edge_u", "edge_v", "edge_length_m", "edge_speed_kph",
               "edge_way_id", "edge_oneway", "edge_speed_tagged")


def network_to_arrays(net: RoadNetwork) -> Arrays:
    out: Arrays = {k: np.asarray(getattr(net, k)) for k in _NET_FIELDS}
    out["edge_highway"] = np.asarray(net.edge_highway, dtype=str) if net.n_edges else np.zeros(0, dtype="<U1")
    out["edge_grade"] = np.asarray(net.edge_grade, dtype=str) if net.edge_grade else np.zeros(0, dtype="<U1")
    lens = np.asarray([len(g) for g in net.edge_geometry], dtype=np.int64)
    out["geometry_offsets"] = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    out["geometry_coords"] = (np.concatenate(net.edge_geometry) if net.n_edges else np.zeros((0, 2))).astype(np.float64)
    return out


def network_from_arrays(a: Mapping[str, npt.NDArray[np.generic]]) -> RoadNetwork:
    _need(a, (*_NET_FIELDS, "edge_highway", "edge_grade", "geometry_offsets", "geometry_coords"), "road network")
    off = a["geometry_offsets"]
    coords = a["geometry_coords"]
    geoms = tuple(np.split(coords, off[1:-1])) if len(off) > 1 else ()
    return RoadNetwork(
        **{k: a[k] for k in _NET_FIELDS},  # type: ignore[arg-type]
        edge_highway=tuple(str(x) for x in a["edge_highway"]),
        edge_geometry=geoms,
        edge_grade=tuple(str(x) for x in a["edge_grade"]),
    )
