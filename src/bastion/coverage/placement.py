"""Placement of new response units (MCLP with existing units fixed, LSCP, backup coverage, p-median).

Candidate rule (default): the road node nearest each crowded place (on the new units' speed-profile graph,
within the 250 m snap threshold), deduplicated, minus nodes where a unit of that profile already stands.
A user list of lon/lat candidates replaces it. Existing available units are fixed columns (always open)
with their own profile's travel times.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms._typing import IntArray
from bastion.algorithms.coverage import CoverageProblem
from bastion.algorithms.coverage import PlacementResult
from bastion.algorithms.coverage import solve_lscp
from bastion.algorithms.coverage import solve_mclp
from bastion.algorithms.coverage import solve_p_median
from bastion.algorithms.routing import travel_time_matrix
from bastion.algorithms.routing.snap import DEFAULT_MAX_SNAP_M
from bastion.coverage.enums import MAX_TIME_LIMIT_S
from bastion.coverage.enums import MIN_TIME_LIMIT_S
from bastion.coverage.enums import TIME_LIMIT_S
from bastion.coverage.service import Demand
from bastion.coverage.service import UnitPoint
from bastion.coverage.service import check_weight_basis
from bastion.coverage.service import load_demand
from bastion.coverage.service import region_units
from bastion.coverage.service import unit_point
from bastion.coverage.service import unit_times
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import check_duration_s
from bastion.regions.graphs import Routing
from bastion.regions.graphs import check_profile
from bastion.regions.graphs import routing_for_region
from bastion.regions.repository import RegionRepo
from bastion.units.service import STANDARDS_S
from bastion.units.service import UNIT_TYPES
from bastion.units.service import UnitSpec
from bastion.units.service import add_units
from bastion.units.service import check_lonlat

log = logging.getLogger(__name__)

MODELS = ("mclp", "lscp", "p_median")
MAX_NEW_UNITS = 200


@dataclass(frozen=True)
class ProposedUnit:
    lon: float
    lat: float
    road_node_osm_id: int
    gain_weight: float = 0.0  # demand weight this unit adds within the standard, after the ones listed before it
    gain_sites: int = 0  # sites it brings within the standard, after the ones listed before it


@dataclass(frozen=True)
class PlacementReport:
    region_id: int
    model: str  # mclp | mclp_backup | lscp | p_median
    standard_s: int
    status: str
    objective: float
    bound: float
    gap: float
    runtime_s: float
    solver: str
    n_demand: int
    n_candidates: int
    n_fixed: int
    before_weight: float  # demand weight within standard_s of the existing units
    after_weight: float
    total_weight: float
    before_sites: int  # sites within the standard before / after
    after_sites: int
    n_sites: int
    proposed: tuple[ProposedUnit, ...]
    unreachable_sites: tuple[int, ...]  # lscp: site ids no candidate can reach in time (left out)
    applied_unit_ids: tuple[int, ...] = ()
    weight_basis: str = "capacity"  # sites | capacity | risk: what *_weight and the MCLP objective count


def place(
    sf: sessionmaker[Session], region_ref: str | int, *, standard_s: int, add: int = 0, model: str = "mclp",
    backup: bool = False, speed_profile: str = "patrol_car", unit_type: str | None = None,
    candidates: Sequence[tuple[float, float]] | None = None, time_limit_s: float = TIME_LIMIT_S,
    at: dt.datetime | None = None, apply: bool = False, weight_basis: str = "capacity",
) -> PlacementReport:
    """Best locations for new units. mclp: ``add`` units maximising covered weight (backup: + half the weight
    covered twice); lscp: fewest units so every reachable site is covered; p_median: ``add`` units minimising
    the weighted mean response time. apply=True stores the proposed units (one transaction). weight_basis:
    sites | capacity | risk (stored total risk per site; InvalidInput until `bastion risk assess` has run)."""
    utype = check_request(model, add=add, backup=backup, standard_s=standard_s, time_limit_s=time_limit_s,
                           speed_profile=speed_profile, weight_basis=weight_basis, unit_type=unit_type)
    t0 = time.perf_counter()
    with sf() as s:
        region = RegionRepo(s).get_by_ref(region_ref)
        demand = load_demand(s, region, weight_basis=weight_basis)
        if not demand.sites:
            raise InvalidInput(f"region {region.name!r} has no crowded places to cover", field="region")
        units = [unit_point(u) for u in region_units(s, region, at=at)]
        t_fixed, unsnapped = unit_times(s, region, units, demand.sites)
        t_fixed = np.delete(t_fixed, unsnapped, axis=1)
        r = routing_for_region(s, region, speed_profile)
        g = r.graph
        if candidates is None:
            cand = _default_candidates(r, demand, units, speed_profile)
        else:
            cand = _given_candidates(r, candidates)
        if len(cand) == 0:
            raise InvalidInput("no candidate site: every crowded place already has a unit of this profile",
                               field="candidates")
        site_nodes = r.snapper.snap([x.lon for x in demand.sites], [x.lat for x in demand.sites]).node
        t_cand = np.full((len(demand.sites), len(cand)), np.inf)
        ok = site_nodes >= 0
        t_cand[ok] = travel_time_matrix(g, cand, site_nodes[ok]).T
    t_all = np.hstack([t_fixed, t_cand])
    fixed = np.arange(t_fixed.shape[1])
    w = demand.weight
    unreachable: tuple[int, ...] = ()
    rows = np.arange(len(w))
    if model == "lscp":
        reach = (t_all <= standard_s).any(axis=1)
        unreachable = tuple(demand.sites[i].id for i in np.flatnonzero(~reach))
        rows = np.flatnonzero(reach)
    if model == "p_median":
        reach = np.isfinite(t_all).any(axis=1)
        unreachable = tuple(demand.sites[i].id for i in np.flatnonzero(~reach))
        rows = np.flatnonzero(reach)
    prob = CoverageProblem.from_arrays(t_all[rows], w[rows], float(standard_s), fixed=fixed)
    if add > prob.n_candidates - len(fixed):
        raise InvalidInput(f"add must be at most {prob.n_candidates - len(fixed)} (the candidate sites), got {add}",
                           field="add")
    res: PlacementResult
    if model == "mclp":
        res = solve_mclp(prob, add, backup=backup, time_limit_s=time_limit_s)
    elif model == "lscp":
        res = solve_lscp(prob, time_limit_s=time_limit_s)
    else:
        res = solve_p_median(prob, add, time_limit_s=time_limit_s)
    chosen = [c - len(fixed) for c in res.chosen]
    full = CoverageProblem.from_arrays(t_all, w, float(standard_s), fixed=fixed)
    cov_b = full.coverage_count(fixed) > 0
    cov_a = full.coverage_count(np.array(res.open, dtype=np.int64)) > 0
    proposed = tuple(
        ProposedUnit(float(g.node_lon[cand[c]]), float(g.node_lat[cand[c]]),
                     int(r.node_osm_id[cand[c]]), gain_weight=gw, gain_sites=gs)
        for c, gw, gs in _marginal_gains(t_cand, w, cov_b, chosen, float(standard_s))
    )
    applied: tuple[int, ...] = ()
    if apply and proposed:
        applied = _apply(sf, region.id, proposed, utype, speed_profile, standard_s)
    rep = PlacementReport(
        region_id=region.id, model=res.model, standard_s=standard_s, status=res.status, objective=res.objective,
        bound=res.bound, gap=res.gap, runtime_s=time.perf_counter() - t0, solver=res.solver,
        n_demand=prob.n_demand, n_candidates=prob.n_candidates - len(fixed), n_fixed=len(fixed),
        before_weight=float(w[cov_b].sum()), after_weight=float(w[cov_a].sum()), total_weight=float(w.sum()),
        before_sites=int(cov_b.sum()), after_sites=int(cov_a.sum()), n_sites=len(w), proposed=proposed,
        unreachable_sites=unreachable, applied_unit_ids=applied, weight_basis=weight_basis,
    )
    log.info("placement %s %s: %d demand x %d candidates (+%d fixed), %s objective %.1f gap %.4f in %.2f s",
             region.name, rep.model, rep.n_demand, rep.n_candidates, rep.n_fixed, rep.status, rep.objective,
             rep.gap, rep.runtime_s)
    return rep


def _marginal_gains(t_cand: np.ndarray, w: np.ndarray, covered: np.ndarray, chosen: Sequence[int],
                    standard_s: float) -> list[tuple[int, float, int]]:
    """The chosen candidates in the order that adds the most first, each with the weight and the sites it brings
    within the standard beyond the existing units and the candidates before it (the gains sum to after - before)."""
    now = covered.copy()
    left = list(chosen)
    out: list[tuple[int, float, int]] = []
    while left:
        gains = [float(w[(t_cand[:, c] <= standard_s) & ~now].sum()) for c in left]
        best = int(np.argmax(gains))
        c = left.pop(best)
        new = (t_cand[:, c] <= standard_s) & ~now
        out.append((c, gains[best], int(new.sum())))
        now |= new
    return out


def check_demand(session: Session, region_id: int, weight_basis: str) -> None:
    """The region exists and has demand under this weight basis (risk: a stored assessment): what place() checks
    before routing, to refuse a request before it is queued."""
    region = RegionRepo(session).get(region_id)
    if not load_demand(session, region, weight_basis=weight_basis).sites:
        raise InvalidInput(f"region {region.name!r} has no crowded places to cover", field="region")


def check_request(model: str, *, add: int, backup: bool, standard_s: int, time_limit_s: float, speed_profile: str,
                   weight_basis: str, unit_type: str | None) -> str:
    """Check a placement request; the unit type of the proposed units."""
    if model not in MODELS:
        raise InvalidInput(f"model {model!r} is unknown; use one of {', '.join(MODELS)}", field="model")
    if backup and model != "mclp":
        raise InvalidInput("backup coverage applies to the mclp model only", field="backup")
    if not isinstance(add, int) or not 0 <= add <= MAX_NEW_UNITS or (model != "lscp" and add < 1):
        raise InvalidInput(f"add must be a whole number of new units from 1 to {MAX_NEW_UNITS}, got {add!r}",
                           field="add")
    check_duration_s(standard_s, field_name="standard")
    if not MIN_TIME_LIMIT_S <= time_limit_s <= MAX_TIME_LIMIT_S:
        raise InvalidInput(f"time_limit_s must be from {MIN_TIME_LIMIT_S} to {MAX_TIME_LIMIT_S} s, got {time_limit_s}",
                           field="time_limit_s")
    check_profile(speed_profile)
    check_weight_basis(weight_basis)
    utype = unit_type or {"foot": "foot_post", "motorcycle": "motorcycle"}.get(speed_profile, "patrol_car")
    if utype not in UNIT_TYPES:
        raise InvalidInput(f"unit_type {utype!r} is unknown; use one of {', '.join(UNIT_TYPES)}", field="unit_type")
    return utype


def _default_candidates(r: Routing, demand: Demand, units: Sequence[UnitPoint], speed_profile: str) -> IntArray:
    """Candidate road nodes: the sites' own nodes, less those where a unit of this profile already stands."""
    cn = r.snapper.snap([x.lon for x in demand.sites], [x.lat for x in demand.sites]).node
    cand = np.unique(cn[cn >= 0])
    own = [u for u in units if u.speed_profile == speed_profile]
    if own:
        on = r.snapper.snap([u.lon for u in own], [u.lat for u in own]).node
        cand = np.setdiff1d(cand, on[on >= 0])
    return cand


def _given_candidates(r: Routing, candidates: Sequence[tuple[float, float]]) -> IntArray:
    """Road nodes of the caller's candidate points (each within DEFAULT_MAX_SNAP_M of a road)."""
    pts = [check_lonlat(*c) for c in candidates]
    if not pts:
        raise InvalidInput("candidates must list at least one lon/lat point", field="candidates")
    sn = r.snapper.snap([p[0] for p in pts], [p[1] for p in pts], max_snap_m=DEFAULT_MAX_SNAP_M)
    if sn.flagged.any():
        i = int(np.flatnonzero(sn.flagged)[0])
        raise InvalidInput(f"candidates[{i}] {pts[i]} is {sn.distance_m[i]:.0f} m from the road network "
                           f"(more than {DEFAULT_MAX_SNAP_M:.0f} m)", field="candidates")
    return np.unique(sn.node)


def _apply(sf: sessionmaker[Session], region_id: int, proposed: Sequence[ProposedUnit], utype: str, profile: str,
           standard_s: int) -> tuple[int, ...]:
    label = utype.replace("_", " ").capitalize()
    std = standard_s if standard_s in STANDARDS_S else None  # a unit keeps a ring standard, else its type's
    with sf() as s:
        n0 = len(region_units(s, RegionRepo(s).get(region_id)))
    specs = [UnitSpec(unit_type=utype, name=f"{label} {n0 + k}", lon=p.lon, lat=p.lat, standard_s=std,
                      speed_profile=profile) for k, p in enumerate(proposed, start=1)]
    return tuple(u.id for u in add_units(sf, region_id, specs))
