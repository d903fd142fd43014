"""Response coverage use cases: which crowded places the units reach within 1/3/5 minutes, where to add units.

Demand = the region's crowded places: every site still in its source whose category is not in
NOT_CROWDED, weighted by ``weight_basis``: "capacity" (people, default), "sites" (1 each) or "risk" (the
site's stored total risk, services/risk_weights.py; refused until `bastion risk assess` has run). Sites farther than
250 m from the patrol-car road graph are flagged and listed, never silently snapped, and are not demand.
Travel times: each unit drives on its own speed profile's graph (turn-free, free flow; docs/models/routing.md).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from dataclasses import replace

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.algorithms.coverage import analyze_coverage
from bastion.algorithms.routing import travel_time_matrix
from bastion.algorithms.routing.snap import DEFAULT_MAX_SNAP_M
from bastion.coverage.enums import WeightBasis
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import check_durations_s
from bastion.regions.graphs import Routing
from bastion.regions.graphs import check_profile
from bastion.regions.graphs import routing_for_region
from bastion.regions.models import Region
from bastion.regions.repository import RegionRepo
from bastion.risk.weights import require_site_risk
from bastion.sites.models import Site
from bastion.units.enums import ResponseStandard
from bastion.units.models import ResponseUnit
from bastion.units.service import is_available

log = logging.getLogger(__name__)

NOT_CROWDED = frozenset({"government", "infrastructure"})  # site categories that are not crowded places
DEMAND_PROFILE = "patrol_car"  # graph on which sites are snapped and flagged
DEFAULT_STANDARDS_S = tuple(int(s) for s in ResponseStandard)
WEIGHT_BASES = tuple(WeightBasis)


@dataclass(frozen=True)
class UnitPoint:
    """A unit as plain values (stored, or hypothetical in a what-if). id None = proposed."""

    id: int | None
    name: str
    unit_type: str
    lon: float
    lat: float
    speed_profile: str
    standard_s: int


def unit_point(u: ResponseUnit) -> UnitPoint:
    return UnitPoint(u.id, u.name, u.unit_type, u.lon, u.lat, u.speed_profile, u.standard_s)


@dataclass(frozen=True)
class SiteCoverage:
    site_id: int
    name: str | None
    category: str
    lon: float
    lat: float
    weight: float
    unit_id: int | None  # fastest unit (None: no unit reaches it, or a proposed unit)
    unit_name: str | None
    time_s: float | None  # None: unreachable


@dataclass(frozen=True)
class StandardReport:
    standard_s: int
    covered_sites: int
    share_sites: float
    covered_weight: float
    share_weight: float
    uncovered: tuple[int, ...]  # site ids, slowest first


@dataclass(frozen=True)
class FlaggedSite:
    site_id: int
    name: str | None
    distance_m: float


@dataclass(frozen=True)
class CoverageReport:
    region_id: int
    region_name: str
    weight_basis: str  # sites | capacity | risk
    n_units: int  # units counted (available, snapped)
    units_unsnapped: tuple[str, ...]  # unit names farther than the snap threshold from their graph
    total_weight: float
    by_standard: tuple[StandardReport, ...]
    sites: tuple[SiteCoverage, ...] = field(repr=False)
    flagged: tuple[FlaggedSite, ...] = ()
    runtime_s: float = 0.0

    def standard(self, standard_s: int) -> StandardReport:
        return next(b for b in self.by_standard if b.standard_s == standard_s)


@dataclass(frozen=True)
class Demand:
    sites: tuple[Site, ...]  # crowded sites that snapped
    weight: np.ndarray
    flagged: tuple[FlaggedSite, ...]
    weight_basis: str = "capacity"


def check_weight_basis(weight_basis: str) -> str:
    if weight_basis not in WEIGHT_BASES:
        raise InvalidInput(f"weight {weight_basis!r} is unknown; use one of {', '.join(WEIGHT_BASES)}", field="weight")
    return weight_basis


def load_demand(s: Session, region: Region, *, weight_basis: str = "capacity") -> Demand:
    check_weight_basis(weight_basis)
    rows = s.scalars(select(Site).where(Site.region_id == region.id, Site.missing_from_source.is_(False),
                                        Site.category.not_in(NOT_CROWDED)).order_by(Site.id)).all()
    if not rows:
        return Demand((), np.zeros(0), (), weight_basis)
    r = routing_for_region(s, region, DEMAND_PROFILE)
    snap = r.snapper.snap([x.lon for x in rows], [x.lat for x in rows], max_snap_m=DEFAULT_MAX_SNAP_M)
    keep = [x for x, f in zip(rows, snap.flagged, strict=True) if not f]
    flagged = tuple(FlaggedSite(x.id, x.name, round(float(d), 1))
                    for x, f, d in zip(rows, snap.flagged, snap.distance_m, strict=True) if f)
    if weight_basis == "risk":
        risk = require_site_risk(s, region, [x.id for x in keep], field="weight",
                                 alternative="use weight capacity or sites")
        w = np.array([risk[x.id] for x in keep], dtype=np.float64)
    elif weight_basis == "sites":
        w = np.ones(len(keep), dtype=np.float64)
    else:
        w = np.array([float(x.capacity or 0) for x in keep], dtype=np.float64)
    return Demand(tuple(keep), w, flagged, weight_basis)


def _site_nodes(routing: Routing, sites: Sequence[Site]) -> np.ndarray:
    snap = routing.snapper.snap([x.lon for x in sites], [x.lat for x in sites], max_snap_m=DEFAULT_MAX_SNAP_M)
    return snap.node


def unit_times(
    s: Session, region: Region, units: Sequence[UnitPoint], sites: Sequence[Site]
) -> tuple[np.ndarray, list[int]]:
    """(n_sites, n_units) travel times in seconds (inf = unreachable), and positions of unsnapped units."""
    t = np.full((len(sites), len(units)), np.inf)
    unsnapped: list[int] = []
    if not sites or not units:
        return t, unsnapped
    for prof in sorted({u.speed_profile for u in units}):
        cols = [j for j, u in enumerate(units) if u.speed_profile == prof]
        r = routing_for_region(s, region, check_profile(prof))
        us = r.snapper.snap([units[j].lon for j in cols], [units[j].lat for j in cols], max_snap_m=DEFAULT_MAX_SNAP_M)
        sn = _site_nodes(r, sites)
        ok_u = us.node >= 0
        ok_s = sn >= 0
        unsnapped += [c for c, ok in zip(cols, ok_u, strict=True) if not ok]
        if ok_u.any() and ok_s.any():
            m = travel_time_matrix(r.graph, us.node[ok_u], sn[ok_s])  # (units, sites)
            sub = np.full((len(cols), len(sites)), np.inf)
            sub[np.ix_(np.flatnonzero(ok_u), np.flatnonzero(ok_s))] = m
            t[:, cols] = sub.T
    return t, sorted(unsnapped)


def check_standards(standards_s: Sequence[int]) -> tuple[int, ...]:
    """Response standards to report on: distinct durations of 1 s to MAX_DURATION_S (60 minutes)."""
    return check_durations_s(standards_s, field_name="standard")


def region_units(s: Session, region: Region, *, at: dt.datetime | None = None) -> list[ResponseUnit]:
    return [u for u in s.scalars(select(ResponseUnit).where(ResponseUnit.region_id == region.id)
                                 .order_by(ResponseUnit.id)) if is_available(u, at)]


def coverage_of(
    s: Session, region: Region, demand: Demand, units: Sequence[UnitPoint], *, standards_s: Sequence[int],
    respect_unit_standards: bool = False,
) -> CoverageReport:
    """Coverage of ``demand`` by ``units`` (plain values: stored units or a what-if set)."""
    t0 = time.perf_counter()
    stds = check_standards(standards_s)
    t, unsnapped = unit_times(s, region, units, demand.sites)
    us = np.array([u.standard_s for u in units], dtype=np.float64) if respect_unit_standards else None
    a = analyze_coverage(t, demand.weight, standards_s=stds, unit_standard_s=us)
    total = float(demand.weight.sum())
    by = tuple(
        StandardReport(
            standard_s=int(b.standard_s), covered_sites=int(b.covered.sum()), share_sites=b.share_points,
            covered_weight=float(demand.weight[b.covered].sum()), share_weight=b.share_weight,
            uncovered=tuple(demand.sites[i].id for i in b.uncovered),
        )
        for b in a.by_standard
    )
    sites = tuple(
        SiteCoverage(
            site_id=x.id, name=x.name, category=x.category, lon=x.lon, lat=x.lat, weight=float(demand.weight[i]),
            unit_id=units[a.fastest_unit[i]].id if a.fastest_unit[i] >= 0 else None,
            unit_name=units[a.fastest_unit[i]].name if a.fastest_unit[i] >= 0 else None,
            time_s=float(a.fastest_time_s[i]) if np.isfinite(a.fastest_time_s[i]) else None,
        )
        for i, x in enumerate(demand.sites)
    )
    rep = CoverageReport(
        region_id=region.id, region_name=region.name, weight_basis=demand.weight_basis,
        n_units=len(units) - len(unsnapped), units_unsnapped=tuple(units[j].name for j in unsnapped),
        total_weight=total, by_standard=by, sites=sites, flagged=demand.flagged,
        runtime_s=time.perf_counter() - t0,
    )
    log.info("coverage %s: %d units x %d sites (%d flagged) in %.2f s: %s", region.name, rep.n_units, len(sites),
             len(demand.flagged), rep.runtime_s,
             ", ".join(f"{b.standard_s}s {b.share_sites:.1%} sites/{b.share_weight:.1%} weight" for b in by))
    return rep


def analyze(
    s: Session, region_ref: str | int, *, standards_s: Sequence[int] = DEFAULT_STANDARDS_S,
    at: dt.datetime | None = None, respect_unit_standards: bool = False, weight_basis: str = "capacity",
) -> CoverageReport:
    """Coverage of the region's crowded places by its units available at ``at`` (None = all units).

    respect_unit_standards=False: every unit counts in every ring (how soon does the first unit arrive?);
    True: a unit counts only in rings >= its own standard (a 5-minute special unit not in the 3-minute ring).
    weight_basis: sites | capacity | risk (stored total risk per site; InvalidInput until assessed)."""
    region = RegionRepo(s).get_by_ref(region_ref)
    demand = load_demand(s, region, weight_basis=weight_basis)
    units = [unit_point(u) for u in region_units(s, region, at=at)]
    return coverage_of(s, region, demand, units, standards_s=standards_s,
                       respect_unit_standards=respect_unit_standards)


@dataclass(frozen=True)
class WhatIf:
    add: tuple[UnitPoint, ...] = ()
    move: tuple[tuple[int, float, float], ...] = ()  # (unit id, lon, lat)
    remove: tuple[int, ...] = ()


@dataclass(frozen=True)
class WhatIfReport:
    before: CoverageReport
    after: CoverageReport

    def delta(self, standard_s: int) -> tuple[int, float]:
        """(change in covered sites, change in covered weight) for one standard."""
        b, a = self.before.standard(standard_s), self.after.standard(standard_s)
        return a.covered_sites - b.covered_sites, a.covered_weight - b.covered_weight


def what_if(
    s: Session, region_ref: str | int, change: WhatIf, *, standards_s: Sequence[int] = DEFAULT_STANDARDS_S,
    at: dt.datetime | None = None, weight_basis: str = "capacity",
) -> WhatIfReport:
    """Coverage now and after adding, moving and removing units (nothing is written)."""
    region = RegionRepo(s).get_by_ref(region_ref)
    demand = load_demand(s, region, weight_basis=weight_basis)
    units = [unit_point(u) for u in region_units(s, region, at=at)]
    ids = {u.id for u in units}
    for uid in [*change.remove, *(m[0] for m in change.move)]:
        if uid not in ids:
            raise InvalidInput(f"unit {uid} is not an available unit of region {region.name!r}", field="unit_id")
    moved = {m[0]: (m[1], m[2]) for m in change.move}
    after = [replace(u, lon=moved[u.id][0], lat=moved[u.id][1]) if u.id in moved else u
             for u in units if u.id not in set(change.remove)]
    after += list(change.add)
    return WhatIfReport(
        before=coverage_of(s, region, demand, units, standards_s=standards_s),
        after=coverage_of(s, region, demand, after, standards_s=standards_s),
    )
