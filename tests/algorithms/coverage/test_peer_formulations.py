"""Peer check between our two exact p-median formulations on the real Monaco and Andorra matrices: the
radius formulation (default, used by the placement service) must return the assignment model's optimum —
same objective, same sites — with the OSM police and fire stations as existing units (as the service does).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import solve_p_median
from bastion.algorithms.routing import Snapper
from bastion.algorithms.routing import build_graph
from bastion.algorithms.routing import travel_time_matrix
from bastion.regions.osm import read_extract

OSM = Path(__file__).resolve().parents[3] / "data" / "osm"


@cache
def region_problem(name: str) -> CoverageProblem:
    """Crowded places (weight = capacity) x (their nearest road nodes + the stations, fixed), patrol-car times."""
    ext = read_extract(OSM / f"{name}.osm.pbf")
    g = build_graph(ext.roads)
    snap = Snapper(g)
    units = [s for s in ext.sites if s.kind in {"police", "fire_station"}]
    sites = [s for s in ext.sites if s.category not in {"government", "infrastructure"}]
    su = snap.snap([s.lon for s in units], [s.lat for s in units])
    ss = snap.snap([s.lon for s in sites], [s.lat for s in sites])
    site_nodes = ss.node[~ss.flagged]
    weight = np.array([s.capacity.capacity for s in sites], dtype=np.float64)[~ss.flagged]
    cand = np.unique(np.concatenate([su.node, site_nodes]))
    fixed = np.searchsorted(cand, np.unique(su.node))
    return CoverageProblem.from_arrays(travel_time_matrix(g, cand, site_nodes).T, weight, 180.0, fixed=fixed)


@pytest.mark.parametrize(("name", "p"), [
    ("monaco-2023-12", 1), ("monaco-2023-12", 3), ("monaco-2023-12", 10),
    pytest.param("andorra-2023-05", 1, marks=pytest.mark.slow),  # the assignment model takes ~30 s here
    ("andorra-2023-05", 3), ("andorra-2023-05", 10),
])
def test_radius_equals_assignment_on_real_regions(name, p):
    prob = region_problem(name)
    radius = solve_p_median(prob, p)
    assignment = solve_p_median(prob, p, formulation="assignment")
    assert radius.status == assignment.status == "optimal" and radius.gap == 0.0
    assert radius.objective == pytest.approx(assignment.objective, rel=1e-12)
    assert radius.chosen == assignment.chosen and len(radius.chosen) == p
    assert not set(radius.chosen) & set(prob.fixed.tolist())
