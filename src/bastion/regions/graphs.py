"""In-process cache of routing graphs: one (RoadNetwork, RoutingGraph, Snapper) per (roads hash, speed profile).

A region's roads are replaced as a whole on import (and get a new roads_hash), so the hash is a safe key:
a re-import with changed roads misses the cache; an unchanged one hits it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from sqlalchemy.orm import Session

from bastion.algorithms.routing import PROFILES
from bastion.algorithms.routing import RoadNetwork
from bastion.algorithms.routing import RoutingGraph
from bastion.algorithms.routing import Snapper
from bastion.algorithms.routing import build_graph
from bastion.kernel.errors import InvalidInput
from bastion.regions.models import Region
from bastion.regions.service import load_road_network

log = logging.getLogger(__name__)

MAX_ENTRIES = 8  # graphs kept in memory (a city graph is a few MB)


@dataclass(frozen=True)
class Routing:
    network: RoadNetwork
    graph: RoutingGraph
    snapper: Snapper


_lock = threading.Lock()
_cache: OrderedDict[tuple[str, str], Routing] = OrderedDict()
_networks: OrderedDict[str, RoadNetwork] = OrderedDict()


def check_profile(name: str) -> str:
    if name not in PROFILES:
        raise InvalidInput(
            f"speed_profile {name!r} is unknown; use one of {', '.join(PROFILES)}", field="speed_profile"
        )
    return name


def routing_for_network(net: RoadNetwork, key: str, profile: str) -> Routing:
    """Routing for an in-memory network (the importer uses it before the roads are committed)."""
    check_profile(profile)
    with _lock:
        hit = _cache.get((key, profile))
        if hit is not None:
            _cache.move_to_end((key, profile))
            return hit
    t0 = time.perf_counter()
    g = build_graph(net, PROFILES[profile])
    r = Routing(net, g, Snapper(g))
    with _lock:
        _cache[(key, profile)] = r
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    log.info("routing graph %s/%s: %d nodes, %d edges built in %.2f s", key[:8], profile, g.n_nodes, g.n_edges,
             time.perf_counter() - t0)
    return r


def routing_for_region(session: Session, region: Region, profile: str) -> Routing:
    """The region's routing graph for a speed profile (cached per roads hash and profile)."""
    check_profile(profile)
    if region.roads_hash is None:
        raise InvalidInput(f"region {region.name!r} has no road network: import an OSM extract first", field="region")
    key = region.roads_hash
    with _lock:
        hit = _cache.get((key, profile))
        net = _networks.get(key)
    if hit is not None:
        return hit
    if net is None:
        net = load_road_network(session, region.id)
        if net.n_edges == 0:
            raise InvalidInput(f"region {region.name!r} has no roads: import an extract with roads", field="region")
        with _lock:
            _networks[key] = net
            while len(_networks) > MAX_ENTRIES:
                _networks.popitem(last=False)
    return routing_for_network(net, key, profile)


def clear() -> None:
    with _lock:
        _cache.clear()
        _networks.clear()
