"""Dispatch recommendation: every candidate unit's road travel time to an incident from ONE bounded reverse
Dijkstra rooted at the incident (on the transposed travel-time graph), so the cost does not grow with the number
of units. ETA = turnout time + travel time. Units are ranked by ETA; capability match and the 1/3/5-minute
standards are reported per unit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_array
from scipy.sparse.csgraph import dijkstra

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.errors import InvalidInput

STANDARDS_S = (60, 180, 300)
DEFAULT_LIMIT_S = 900.0  # 15-minute search bound: units farther away are "beyond 15 min"


def travel_times_to(reverse_csr: csr_array, targets: npt.ArrayLike, unit_nodes: npt.ArrayLike, *,
                    limit_s: float = DEFAULT_LIMIT_S) -> FloatArray:
    """Fastest travel time (s) from each unit node to the nearest target node: one bounded Dijkstra on the
    reversed graph from the targets (the incident's node, or a cordon's access points). inf beyond ``limit_s``."""
    tgt = np.atleast_1d(np.asarray(targets, dtype=np.int64))
    nodes = np.asarray(unit_nodes, dtype=np.int64)
    n = reverse_csr.shape[0]
    if tgt.size == 0:
        raise InvalidInput("targets must hold at least one graph node (the incident's)", field="targets")
    if tgt.min() < 0 or tgt.max() >= n or (nodes.size and (nodes.min() < -1 or nodes.max() >= n)):
        raise InvalidInput(f"node indices must be in [0, {n}) (-1 for an unsnapped unit)", field="unit_nodes")
    if not limit_s > 0:
        raise InvalidInput(f"limit_s must be > 0 seconds, got {limit_s}", field="limit_s")
    d = dijkstra(reverse_csr, directed=True, indices=tgt, limit=float(limit_s), min_only=True)
    out = np.full(len(nodes), np.inf)
    ok = nodes >= 0
    out[ok] = d[nodes[ok]]
    return out


@dataclass(frozen=True)
class Candidate:
    """One unit as the recommender sees it."""

    unit_id: int
    node: int  # graph node of its current position (-1: not on the road graph)
    capabilities: frozenset[str]
    turnout_s: float = 0.0


@dataclass(frozen=True)
class Ranked:
    unit_id: int
    travel_s: float
    eta_s: float
    meets_s: tuple[int, ...]  # which of the 60/180/300 s standards the ETA meets
    capability_match: tuple[str, ...]  # required capabilities the unit has
    capability_missing: tuple[str, ...]


def rank(travel_s: FloatArray, candidates: Sequence[Candidate], required: frozenset[str]) -> list[Ranked]:
    """Candidates ordered by (has every required capability first, ETA, unit id); unreachable ones last."""
    out = []
    for c, t in zip(candidates, travel_s, strict=True):
        eta = float(t) + c.turnout_s
        out.append(Ranked(c.unit_id, float(t), eta, tuple(s for s in STANDARDS_S if eta <= s),
                          tuple(sorted(required & c.capabilities)), tuple(sorted(required - c.capabilities))))
    out.sort(key=lambda r: (bool(r.capability_missing), r.eta_s, r.unit_id))
    return out


def per_unit_travel_times(csr: csr_array, targets: npt.ArrayLike, unit_nodes: IntArray, *,
                          limit_s: float = DEFAULT_LIMIT_S) -> FloatArray:
    """The baseline: one forward Dijkstra per unit (for tests and benchmarks only)."""
    tgt = np.atleast_1d(np.asarray(targets, dtype=np.int64))
    out = np.full(len(unit_nodes), np.inf)
    for i, u in enumerate(unit_nodes):
        if u >= 0:
            d = dijkstra(csr, directed=True, indices=int(u), limit=float(limit_s))
            out[i] = float(d[tgt].min())
    return out
