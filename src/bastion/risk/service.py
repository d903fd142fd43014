"""Risk use cases: measures and facts on record, region threat settings, tiers under every regime, T x V x C
assessments (stored), region ranking and the budget portfolio (exact HiGHS vs greedy)."""

from __future__ import annotations

import datetime as dt
import logging
import math
import time
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.risk import CATALOGUE
from bastion.algorithms.risk import Measure
from bastion.algorithms.risk import MeasureSet
from bastion.algorithms.risk import PortfolioResult
from bastion.algorithms.risk import SiteProfile
from bastion.algorithms.risk import SiteRisk
from bastion.algorithms.risk import Standard
from bastion.algorithms.risk import TierResult
from bastion.algorithms.risk import assess_site
from bastion.algorithms.risk import build_portfolio
from bastion.algorithms.risk import matrix_counts
from bastion.algorithms.risk import rank_sites
from bastion.algorithms.risk import solve_greedy
from bastion.algorithms.risk import solve_portfolio
from bastion.algorithms.risk import tier_all
from bastion.algorithms.risk.scoring import RiskParameters
from bastion.algorithms.risk.site import KNOWN_FACTS
from bastion.algorithms.risk.threat import THREAT_LEVEL_MULTIPLIER
from bastion.kernel import time as kernel_time
from bastion.kernel.db import journal
from bastion.kernel.db.base import rows_changed
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.db.versioning import VersionConflict
from bastion.kernel.db.versioning import claim
from bastion.kernel.errors import InvalidInput
from bastion.kernel.unset import UNSET
from bastion.kernel.unset import Unset
from bastion.regions.models import Region
from bastion.regions.repository import RegionRepo
from bastion.risk.models import RegionThreatSetting
from bastion.risk.models import RiskAssessment
from bastion.risk.standards_files import load_builtin_standards
from bastion.sites.models import Site
from bastion.sites.models import SiteFact
from bastion.sites.models import SiteMeasure
from bastion.sites.repository import SiteRepo
from bastion.vehicle.models import VehicleApproach
from bastion.vehicle.models import VehicleAssessment

log = logging.getLogger(__name__)

UK_LEVELS = ("LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL")
CN_LEVELS = ("level_3", "level_2", "level_1")
CN_STANDARD = "cn_key_target"
_DATE_PARAMS = {("drills", "dates"), ("security_plan", "revised_on")}

_STANDARDS: dict[str, Standard] | None = None


def standards() -> dict[str, Standard]:
    """The built-in standards (validated once per process)."""
    global _STANDARDS  # noqa: PLW0603 - a read-only cache of package data
    if _STANDARDS is None:
        _STANDARDS = load_builtin_standards()
    return _STANDARDS


def standard_versions() -> dict[str, str]:
    return {sid: s.version for sid, s in standards().items()}


# ---------------------------------------------------------------- measures and facts


def _parse_date(kind: str, name: str, v: object) -> dt.date:
    if isinstance(v, dt.date):
        return v
    try:
        return dt.date.fromisoformat(str(v))
    except ValueError:
        raise InvalidInput(
            f"{kind}.{name} must hold ISO dates (YYYY-MM-DD), got {v!r}", field=f"params.{name}"
        ) from None


def measure_from_json(kind: str, params: Mapping[str, Any]) -> Measure:
    """A validated core Measure from JSON parameters (dates as ISO strings)."""
    p = dict(params)
    if (kind, "dates") in _DATE_PARAMS and "dates" in p:
        if not isinstance(p["dates"], list | tuple):
            raise InvalidInput(f"drills.dates must be a list of ISO dates, got {p['dates']!r}", field="params.dates")
        p["dates"] = tuple(_parse_date(kind, "dates", d) for d in p["dates"])
    if (kind, "revised_on") in _DATE_PARAMS and "revised_on" in p:
        p["revised_on"] = _parse_date(kind, "revised_on", p["revised_on"])
    return Measure(kind, p)


def measure_to_json(m: Measure) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in m.params.items():
        if isinstance(v, tuple):
            out[k] = [x.isoformat() if isinstance(x, dt.date) else x for x in v]
        elif isinstance(v, dt.date):
            out[k] = v.isoformat()
        else:
            out[k] = v
    return out


def site_measures(s: Session, site_id: int) -> list[SiteMeasure]:
    return list(s.scalars(select(SiteMeasure).where(SiteMeasure.site_id == site_id).order_by(SiteMeasure.kind)))


def measure_set(rows: Sequence[SiteMeasure]) -> MeasureSet:
    return MeasureSet(tuple(measure_from_json(r.kind, r.params) for r in rows))


def upsert_measure(s: Session, site_id: int, kind: str, params: Mapping[str, Any], *, source: str,
                   inspection_id: int | None = None, now: dt.datetime | None = None) -> SiteMeasure:
    m = measure_from_json(kind, params)  # validates kind and params
    row = s.scalar(select(SiteMeasure).where(SiteMeasure.site_id == site_id, SiteMeasure.kind == kind))
    if row is None:
        row = SiteMeasure(site_id=site_id, kind=kind)
        s.add(row)
    row.params = measure_to_json(m)
    row.source = source
    row.inspection_id = inspection_id
    row.recorded_at = now or utcnow()
    s.flush()
    return row


def record_measure(sf: sessionmaker[Session], site_id: int, kind: str, params: Mapping[str, Any], *,
                   expected_version: int | None = None) -> SiteMeasure:
    """Record a measure (barrier, screening...): part of the site's record, so it moves the site's version on."""
    with unit_of_work(sf) as s:
        site = SiteRepo(s).get(site_id)
        claim(s, Site, site_id, expected_version, what="site", obj=site)
        return upsert_measure(s, site_id, kind, params, source="user")


def remove_measure(sf: sessionmaker[Session], site_id: int, kind: str, *, expected_version: int | None = None) -> None:
    with unit_of_work(sf) as s:
        site = SiteRepo(s).get(site_id)
        claim(s, Site, site_id, expected_version, what="site", obj=site)
        before = s.scalar(select(SiteMeasure.params).where(SiteMeasure.site_id == site_id, SiteMeasure.kind == kind))
        gone = s.execute(delete(SiteMeasure).where(SiteMeasure.site_id == site_id, SiteMeasure.kind == kind))
        n = rows_changed(gone)
        if not n:
            raise InvalidInput(f"site {site_id} has no measure of kind {kind!r}", field="kind")
        journal.note(s, "site_measures", site_id, "delete", {kind: [journal.safe_value(before), None]})


def site_version(s: Session, site_id: int) -> int:
    """The site's current version (its ETag; facts and measures are part of the site's record)."""
    return int(s.scalar(select(Site.version).where(Site.id == site_id)) or 0)


def site_facts(s: Session, site_id: int) -> dict[str, object]:
    rows = s.scalars(select(SiteFact).where(SiteFact.site_id == site_id))
    return {r.key: r.value.get("v") for r in rows}


def set_facts(sf: sessionmaker[Session], site_id: int, facts: Mapping[str, object], *,
              expected_version: int | None = None) -> dict[str, object]:
    """Set (value) or clear (None) facts; the result is validated by tiering before anything is written."""
    unknown = sorted(set(facts) - KNOWN_FACTS)
    if unknown:
        raise InvalidInput(f"facts has unknown keys {unknown}; known facts are {sorted(KNOWN_FACTS)}", field="facts")
    for k, v in facts.items():
        if isinstance(v, float) and not math.isfinite(v):
            raise InvalidInput(f"fact {k!r} must be a finite number, got {v!r}", field=f"facts.{k}")
    with unit_of_work(sf) as s:
        site = SiteRepo(s).get(site_id)
        claim(s, Site, site_id, expected_version, what="site", obj=site)
        old = site_facts(s, site_id)
        merged = {**old, **facts}
        merged = {k: v for k, v in merged.items() if v is not None}
        tier_all(_profile(site, merged), standards().values())  # raises InvalidInput naming the fact
        journal.note(s, "site_facts", site_id, "update", {
            k: [journal.safe_value(old.get(k)), journal.safe_value(merged.get(k))]
            for k in sorted(set(old) | set(merged)) if old.get(k) != merged.get(k)})
        s.execute(delete(SiteFact).where(SiteFact.site_id == site_id))
        now = utcnow()
        s.add_all(SiteFact(site_id=site_id, key=k, value={"v": v}, recorded_at=now) for k, v in sorted(merged.items()))
        return merged


def _profile(site: Site, facts: Mapping[str, object]) -> SiteProfile:
    weekly = site.opening_hours_weekly if site.opening_hours_valid else None
    low, high = site.capacity_band
    band = (low, high) if low is not None and high is not None and low <= high else None
    return SiteProfile(str(site.id), site.category, site.kind, capacity=site.capacity,
                       capacity_method=site.capacity_method, capacity_band=band,
                       open_intervals=None if weekly is None else tuple((int(a), int(b)) for a, b in weekly),
                       facts=facts)


def profile(s: Session, site: Site) -> SiteProfile:
    return _profile(site, site_facts(s, site.id))


# ---------------------------------------------------------------- threat settings


@dataclass(frozen=True)
class ThreatSetting:
    uk_threat_level: str
    cn_heightened_level: str | None
    scoring_scale: str
    version: int = 0  # 0: never set (the defaults)

    @property
    def scoring_level(self) -> str:
        if self.scoring_scale == "cn":
            return self.cn_heightened_level or "cn_normal"
        return self.uk_threat_level

    @property
    def heightened_levels(self) -> dict[str, str]:
        return {CN_STANDARD: self.cn_heightened_level} if self.cn_heightened_level else {}


def threat_setting(s: Session, region_id: int) -> ThreatSetting:
    row = s.get(RegionThreatSetting, region_id)
    if row is None:
        return ThreatSetting("SUBSTANTIAL", None, "uk")
    return ThreatSetting(row.uk_threat_level, row.cn_heightened_level, row.scoring_scale, row.version)


def set_threat_level(sf: sessionmaker[Session], region_id: int, *, uk_threat_level: str | None = None,
                     cn_heightened_level: str | None | Unset = UNSET, scoring_scale: str | None = None,
                     expected_version: int | None = None) -> ThreatSetting:
    """Set the region's threat level; `expected_version` as read (0: never set), a stale one gets 409."""
    if uk_threat_level is not None and uk_threat_level not in UK_LEVELS:
        raise InvalidInput(f"uk_threat_level must be one of {list(UK_LEVELS)}, got {uk_threat_level!r}",
                           field="uk_threat_level")
    if isinstance(cn_heightened_level, str) and cn_heightened_level not in CN_LEVELS:
        raise InvalidInput(f"cn_heightened_level must be one of {list(CN_LEVELS)} or null (normal), got "
                           f"{cn_heightened_level!r}", field="cn_heightened_level")
    if scoring_scale is not None and scoring_scale not in ("uk", "cn"):
        raise InvalidInput(f"scoring_scale must be 'uk' or 'cn', got {scoring_scale!r}", field="scoring_scale")
    with unit_of_work(sf) as s:
        RegionRepo(s).get(region_id)
        row = s.get(RegionThreatSetting, region_id)
        if row is None:
            if expected_version not in (None, 0):
                raise VersionConflict("threat level of region", region_id, current=0, expected=int(expected_version))
            row = RegionThreatSetting(region_id=region_id, uk_threat_level="SUBSTANTIAL", scoring_scale="uk")
            s.add(row)
            s.flush()
        else:
            claim(s, RegionThreatSetting, region_id, expected_version, what="threat level of region", obj=row,
                  key="region_id")
        if uk_threat_level is not None:
            row.uk_threat_level = uk_threat_level
        if not isinstance(cn_heightened_level, Unset):
            row.cn_heightened_level = cn_heightened_level
        if scoring_scale is not None:
            row.scoring_scale = scoring_scale
        row.updated_at = utcnow()
        s.flush()
        return ThreatSetting(row.uk_threat_level, row.cn_heightened_level, row.scoring_scale, row.version)


assert set(UK_LEVELS) | set(CN_LEVELS) <= set(THREAT_LEVEL_MULTIPLIER)


# ---------------------------------------------------------------- tiers and risk


def minute_of_week(at: dt.datetime | None) -> int | None:
    """kernel.time.minute_of_week of a local wall-clock time; None = design basis (open)."""
    return None if at is None else kernel_time.minute_of_week(at)


# A stored vehicle assessment with an approach no recorded barrier meets (gap / not_coverable) means the
# site's hostile-vehicle barrier does not stop the vehicle-as-a-weapon threat on that approach: for that
# threat the barrier's effectiveness is taken as 0 (its stand-off effect on IED is kept). docs/models/risk.md.
VEHICLE_GAP_STATUSES = ("gap", "not_coverable")
VEHICLE_GAP_HVM_EFFECTIVENESS = 0.0  # hvm_barrier vs vehicle_as_weapon at a site with a vehicle gap (fraction)


def _gap_params() -> RiskParameters:
    base = RiskParameters()
    eff = {k: dict(v) for k, v in base.vulnerability.effectiveness.items()}
    eff["hvm_barrier"]["vehicle_as_weapon"] = VEHICLE_GAP_HVM_EFFECTIVENESS
    return replace(base, vulnerability=replace(base.vulnerability, effectiveness=eff))


def vehicle_gap_sites(s: Session, site_ids: Sequence[int]) -> set[int]:
    """Sites (of ``site_ids``) whose stored vehicle assessments show an approach with a gap."""
    if not site_ids:
        return set()
    q = (select(VehicleAssessment.site_id).join(VehicleApproach, VehicleApproach.assessment_id == VehicleAssessment.id)
         .where(VehicleAssessment.site_id.in_(list(site_ids)), VehicleApproach.status.in_(VEHICLE_GAP_STATUSES))
         .distinct())
    return set(s.scalars(q))


def risk_params(has_vehicle_gap: bool) -> RiskParameters | None:
    """The risk parameters for a site: the defaults, or with the barrier discounted for a vehicle gap."""
    return _gap_params() if has_vehicle_gap else None


def site_tiers(s: Session, site: Site) -> tuple[TierResult, ...]:
    ts = threat_setting(s, site.region_id)
    return tier_all(profile(s, site), standards().values(), heightened_levels=ts.heightened_levels)


def assess(s: Session, site: Site, *, at: dt.datetime | None = None) -> SiteRisk:
    ts = threat_setting(s, site.region_id)
    return assess_site(profile(s, site), measure_set(site_measures(s, site.id)), threat_level=ts.scoring_level,
                       params=risk_params(site.id in vehicle_gap_sites(s, [site.id])),
                       minute_of_week=minute_of_week(at), as_of=at.date() if at else None)


def region_sites(s: Session, region_id: int) -> list[Site]:
    RegionRepo(s).get(region_id)
    return list(s.scalars(select(Site).where(Site.region_id == region_id, Site.missing_from_source.is_(False))
                          .order_by(Site.id)))


def _measures_by_site(s: Session, site_ids: Sequence[int]) -> dict[int, MeasureSet]:
    rows: dict[int, list[SiteMeasure]] = {}
    for r in s.scalars(select(SiteMeasure).where(SiteMeasure.site_id.in_(site_ids))) if site_ids else []:
        rows.setdefault(r.site_id, []).append(r)
    return {sid: measure_set(rows.get(sid, [])) for sid in site_ids}


def _facts_by_site(s: Session, site_ids: Sequence[int]) -> dict[int, dict[str, object]]:
    out: dict[int, dict[str, object]] = {sid: {} for sid in site_ids}
    for r in s.scalars(select(SiteFact).where(SiteFact.site_id.in_(site_ids))) if site_ids else []:
        out[r.site_id][r.key] = r.value.get("v")
    return out


@dataclass(frozen=True)
class RegionRisk:
    region: Region
    setting: ThreatSetting
    sites: dict[int, Site]
    ranking: tuple[SiteRisk, ...]  # highest total risk first
    matrix: Mapping[tuple[int, int], int]
    tiers: dict[int, tuple[TierResult, ...]]
    runtime_s: float


def region_risk(s: Session, region_id: int, *, at: dt.datetime | None = None) -> RegionRisk:
    """Tier and score every site of a region (nothing written)."""
    t0 = time.perf_counter()
    sites = region_sites(s, region_id)
    ts = threat_setting(s, region_id)
    ids = [x.id for x in sites]
    ms, facts = _measures_by_site(s, ids), _facts_by_site(s, ids)
    mow = minute_of_week(at)
    gapped = vehicle_gap_sites(s, ids)
    out, tiers = [], {}
    for x in sites:
        p = _profile(x, facts[x.id])
        tiers[x.id] = tier_all(p, standards().values(), heightened_levels=ts.heightened_levels)
        out.append(assess_site(p, ms[x.id], threat_level=ts.scoring_level, minute_of_week=mow,
                               params=risk_params(x.id in gapped),
                               as_of=at.date() if at else None))
    ranking = rank_sites(out)
    rt = time.perf_counter() - t0
    log.info("region %d: %d sites tiered and scored in %.2fs", region_id, len(sites), rt)
    return RegionRisk(RegionRepo(s).get(region_id), ts, {x.id: x for x in sites}, ranking, matrix_counts(ranking),
                      tiers, rt)


def store_region_assessment(sf: sessionmaker[Session], region_id: int, *, at: dt.datetime | None = None,
                            now: dt.datetime | None = None) -> RegionRisk:
    """Score every site and store one row per site x threat (replacing the previous assessment)."""
    now = now or utcnow()
    with unit_of_work(sf) as s:
        rr = region_risk(s, region_id, at=at)
        ids = list(rr.sites)
        if ids:
            s.execute(delete(RiskAssessment).where(RiskAssessment.site_id.in_(ids)))
        versions = standard_versions()
        mow = minute_of_week(at)
        s.add_all(
            RiskAssessment(site_id=int(a.site_id), threat=r.threat, threat_index=r.threat_index,
                           vulnerability=r.vulnerability, consequence=r.consequence, risk=r.risk,
                           likelihood_level=r.likelihood_level, impact_level=r.impact_level, rating=r.rating,
                           threat_level=a.threat_level, minute_of_week=mow, standard_versions=versions,
                           computed_at=now)
            for a in rr.ranking for r in a.by_threat
        )
        s.flush()
        return rr


def stored_assessments(s: Session, site_id: int) -> list[RiskAssessment]:
    return list(
        s.scalars(select(RiskAssessment).where(RiskAssessment.site_id == site_id).order_by(RiskAssessment.threat))
    )


# ---------------------------------------------------------------- portfolio


@dataclass(frozen=True)
class PortfolioComparison:
    exact: PortfolioResult
    greedy: PortfolioResult
    build_s: float
    n_sites: int
    base_risk: float

    @property
    def difference(self) -> float:
        """Risk reduction the exact plan buys beyond greedy (>= 0)."""
        return self.exact.objective - self.greedy.objective


def portfolio(s: Session, region_id: int, budget: float, *, max_candidates: int = 4,
              time_limit_s: float | None = 60.0) -> PortfolioComparison:
    """With budget B (EUR), which measures where: exact HiGHS plan and the greedy plan, side by side."""
    if not isinstance(budget, int | float) or budget < 0 or budget != budget or budget == float("inf"):
        raise InvalidInput(f"budget must be a finite amount of EUR >= 0, got {budget!r}", field="budget")
    t0 = time.perf_counter()
    sites = region_sites(s, region_id)
    ts = threat_setting(s, region_id)
    ids = [x.id for x in sites]
    ms, facts = _measures_by_site(s, ids), _facts_by_site(s, ids)
    pairs = [(_profile(x, facts[x.id]), ms[x.id]) for x in sites]
    problem = build_portfolio(pairs, threat_level=ts.scoring_level, max_candidates=max_candidates)
    build_s = time.perf_counter() - t0
    exact = solve_portfolio(problem, float(budget), time_limit_s=time_limit_s)
    greedy = solve_greedy(problem, float(budget))
    base = sum(assess_site(p, m, threat_level=ts.scoring_level, candidates=()).total_risk for p, m in pairs)
    log.info("portfolio region %d: %d sites, budget %.0f: exact %.4g (%.2fs) vs greedy %.4g (%.3fs)", region_id,
             len(sites), budget, exact.objective, exact.runtime_s, greedy.objective, greedy.runtime_s)
    return PortfolioComparison(exact, greedy, build_s, len(sites), base)


def catalogue() -> list[dict[str, Any]]:
    return [{"kind": k, "label": v.label, "pillar": v.pillar, "params": sorted(v.params),
             "default_cost_eur": v.default_cost} for k, v in CATALOGUE.items()]
