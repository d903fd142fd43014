"""Tiers, risk, measures, facts, threat levels, portfolio and reports (thin: parse, call a service, return)."""

from __future__ import annotations

from typing import Annotated
from typing import Any
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import JSONResponse

from bastion.access.http import GuardDep
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.algorithms.risk import CATALOGUE
from bastion.algorithms.risk import PortfolioResult
from bastion.algorithms.risk import SiteRisk
from bastion.algorithms.risk import TierResult
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.http import AtQ
from bastion.kernel.http import IdPath
from bastion.kernel.http import PreconditionDep
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.http import set_etag
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep
from bastion.risk import render as risk_render
from bastion.risk import service as svc
from bastion.risk import wording
from bastion.risk.jobs import ASSESS as ASSESS_JOB
from bastion.risk.schemas import AllocationRead
from bastion.risk.schemas import FactsRead
from bastion.risk.schemas import FactsUpdate
from bastion.risk.schemas import GapRead
from bastion.risk.schemas import MeasureCreate
from bastion.risk.schemas import MeasureKindRead
from bastion.risk.schemas import MeasureRead
from bastion.risk.schemas import PlanRead
from bastion.risk.schemas import PortfolioCreate
from bastion.risk.schemas import PortfolioRead
from bastion.risk.schemas import RankedSiteRead
from bastion.risk.schemas import RegionRiskRead
from bastion.risk.schemas import RequirementRead
from bastion.risk.schemas import SiteRiskRead
from bastion.risk.schemas import SiteTiersRead
from bastion.risk.schemas import StoredAssessmentRead
from bastion.risk.schemas import ThreatLevelRead
from bastion.risk.schemas import ThreatLevelUpdate
from bastion.risk.schemas import ThreatRiskRead
from bastion.risk.schemas import TierRead
from bastion.sites.guards import region_in_scope
from bastion.sites.guards import site_in_scope
from bastion.sites.models import SiteMeasure

router = APIRouter(prefix="/api/v1", tags=["risk"])


P = Permission




def tier_read(t: TierResult, lang: str = "en") -> TierRead:
    std = svc.standards()[t.standard_id]
    return TierRead(standard_id=t.standard_id, standard_name=std.name, standard_version=std.version,
                    status=t.status, tier=t.tier, label=t.label, score=t.score,  # type: ignore[arg-type]
                    heightened_level=t.heightened_level,
                    reasons=wording.reasons(t.reasons, lang, standard_id=t.standard_id),
                    requirements=[RequirementRead(measure=r.measure, params=dict(r.params), clause=r.clause,
                                                  assumption=r.assumption) for r in t.requirements])


def risk_read(a: SiteRisk, name: str | None, mow: int | None, *, gaps: bool = True) -> SiteRiskRead:
    return SiteRiskRead(
        site_id=int(a.site_id), name=name, threat_level=a.threat_level, minute_of_week=mow, total_risk=a.total_risk,
        worst_rating=a.worst_rating,
        by_threat=[ThreatRiskRead(threat=r.threat, threat_index=r.threat_index, vulnerability=r.vulnerability,
                                  consequence=r.consequence, risk=r.risk, likelihood_level=r.likelihood_level,
                                  impact_level=r.impact_level, rating=r.rating) for r in a.by_threat],
        gaps=[GapRead(measure=g.measure, label=CATALOGUE[g.measure].label, risk_reduction=g.risk_reduction,
                      cost_eur=g.cost) for g in a.gaps] if gaps else None,
    )


def measure_read(m: SiteMeasure) -> MeasureRead:
    spec = CATALOGUE[m.kind]
    return MeasureRead(kind=m.kind, label=spec.label, pillar=spec.pillar, params=m.params, source=m.source,
                       inspection_id=m.inspection_id, recorded_at=m.recorded_at)


@router.get("/measures/catalogue", response_model=Page[MeasureKindRead], dependencies=[require(P.SITE_READ)])
def measure_catalogue(page: PageDep) -> Page[MeasureKindRead]:
    return Page[MeasureKindRead].mapped(svc.catalogue(), page, lambda d: MeasureKindRead(**d))


# a site's tiers and facts (entry checks, perimeter...) describe its security posture: site:sensitive_read, audited
@router.get("/sites/{site_id}/tiers", response_model=SiteTiersRead, dependencies=[require(P.SITE_SENSITIVE_READ)])
def site_tiers(site_id: IdPath, session: SessionDep, guard: GuardDep,
               lang: Annotated[Literal["en", "zh-CN"], Query(description="language of the reasons")] = "en",
               ) -> SiteTiersRead:
    """The site's tier under each standard, with the reasons (and the clauses they cite) in `lang`."""
    site = site_in_scope(session, guard, site_id, P.SITE_SENSITIVE_READ, "tiers")
    return SiteTiersRead(site_id=site.id, name=site.name,
                         tiers=[tier_read(t, lang) for t in svc.site_tiers(session, site)])


@router.get("/sites/{site_id}/risk", response_model=SiteRiskRead, dependencies=[require(P.SITE_SENSITIVE_READ)])
def site_risk(site_id: IdPath, session: SessionDep, guard: GuardDep, at: AtQ = None) -> SiteRiskRead:
    site = site_in_scope(session, guard, site_id, P.SITE_SENSITIVE_READ, "risk")
    return risk_read(svc.assess(session, site, at=at), site.name, svc.minute_of_week(at))


@router.get("/sites/{site_id}/assessments", response_model=Page[StoredAssessmentRead],
            dependencies=[require(P.SITE_SENSITIVE_READ)])
def site_assessments(site_id: IdPath, session: SessionDep, guard: GuardDep,
                     page: PageDep) -> Page[StoredAssessmentRead]:
    """The last stored assessment of the site (one row per threat; empty until the region is assessed)."""
    site_in_scope(session, guard, site_id, P.SITE_SENSITIVE_READ, "assessments")
    return Page[StoredAssessmentRead].mapped(svc.stored_assessments(session, site_id), page, _assessment_read)


def _assessment_read(a: Any) -> StoredAssessmentRead:
    return StoredAssessmentRead(threat=a.threat, threat_index=a.threat_index, vulnerability=a.vulnerability,
                                consequence=a.consequence, risk=a.risk, likelihood_level=a.likelihood_level,
                                impact_level=a.impact_level, rating=a.rating, threat_level=a.threat_level,
                                minute_of_week=a.minute_of_week, standard_versions=a.standard_versions,
                                computed_at=a.computed_at)


@router.get("/sites/{site_id}/measures", response_model=Page[MeasureRead],
            dependencies=[require(P.SITE_SENSITIVE_READ)])
def list_measures(site_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[MeasureRead]:
    site_in_scope(session, guard, site_id, P.SITE_SENSITIVE_READ, "measures")
    return Page[MeasureRead].mapped(svc.site_measures(session, site_id), page, measure_read)


@router.post("/sites/{site_id}/measures", response_model=MeasureRead, status_code=201, dependencies=[require(P.SITE_EDIT)])
def add_measure(site_id: IdPath, body: MeasureCreate, sf: SessionFactoryDep, session: SessionDep,
                guard: GuardDep, pre: PreconditionDep, response: Response) -> MeasureRead:
    """Record a measure; it is part of the site's record: send the site's version (If-Match or `version`)."""
    site_in_scope(session, guard, site_id, P.SITE_EDIT)
    m = svc.record_measure(sf, site_id, body.kind, body.params, expected_version=pre.expected(body.version))
    _site_etag(sf, site_id, response)
    return measure_read(m)


def _site_etag(sf: SessionFactoryDep, site_id: int, response: Response) -> int:
    with sf() as s:
        version = svc.site_version(s, site_id)
    set_etag(response, version)
    return version


@router.delete("/sites/{site_id}/measures/{kind}", status_code=204, dependencies=[require(P.SITE_EDIT)])
def delete_measure(site_id: IdPath, kind: str, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
                   pre: PreconditionDep) -> Response:
    site_in_scope(session, guard, site_id, P.SITE_EDIT)
    svc.remove_measure(sf, site_id, kind, expected_version=pre.expected())
    out = Response(status_code=204)
    _site_etag(sf, site_id, out)
    return out


@router.get("/sites/{site_id}/facts", response_model=FactsRead, dependencies=[require(P.SITE_SENSITIVE_READ)])
def get_facts(site_id: IdPath, session: SessionDep, guard: GuardDep, response: Response) -> FactsRead:
    """The site's facts; the ETag is the site's version (send it back in If-Match to change them)."""
    site = site_in_scope(session, guard, site_id, P.SITE_SENSITIVE_READ, "facts")
    set_etag(response, site.version)
    return FactsRead(site_id=site_id, facts=svc.site_facts(session, site_id), version=site.version)


@router.put("/sites/{site_id}/facts", response_model=FactsRead, dependencies=[require(P.SITE_EDIT)])
def put_facts(site_id: IdPath, body: FactsUpdate, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
              pre: PreconditionDep, response: Response) -> FactsRead:
    site_in_scope(session, guard, site_id, P.SITE_EDIT)
    facts = svc.set_facts(sf, site_id, body.facts, expected_version=pre.expected(body.version))
    return FactsRead(site_id=site_id, facts=facts, version=_site_etag(sf, site_id, response))


def _threat_read(region_id: int, t: svc.ThreatSetting) -> ThreatLevelRead:
    return ThreatLevelRead(region_id=region_id, uk_threat_level=t.uk_threat_level,
                           cn_heightened_level=t.cn_heightened_level, scoring_scale=t.scoring_scale,
                           scoring_level=t.scoring_level, version=t.version)


@router.get("/regions/{region_id}/threat-level", response_model=ThreatLevelRead, dependencies=[require(P.REGION_READ)])
def get_threat_level(region_id: IdPath, session: SessionDep, guard: GuardDep, response: Response) -> ThreatLevelRead:
    region_in_scope(session, guard, region_id, P.REGION_READ)
    t = svc.threat_setting(session, region_id)
    set_etag(response, t.version)
    return _threat_read(region_id, t)


@router.put("/regions/{region_id}/threat-level", response_model=ThreatLevelRead, dependencies=[require(P.PLAN_WRITE)])
def put_threat_level(region_id: IdPath, body: ThreatLevelUpdate, sf: SessionFactoryDep, session: SessionDep,
                     guard: GuardDep, pre: PreconditionDep, response: Response) -> ThreatLevelRead:
    region_in_scope(session, guard, region_id, P.PLAN_WRITE)
    kw: dict[str, Any] = {"uk_threat_level": body.uk_threat_level, "scoring_scale": body.scoring_scale}
    if "cn_heightened_level" in body.model_fields_set:
        kw["cn_heightened_level"] = body.cn_heightened_level
    t = svc.set_threat_level(sf, region_id, expected_version=pre.expected(body.version), **kw)
    set_etag(response, t.version)
    return _threat_read(region_id, t)


def _region_read(rr: svc.RegionRisk, limit: int | None) -> RegionRiskRead:
    matrix = [[rr.matrix.get((li, ii), 0) for ii in range(1, 5)] for li in range(1, 5)]
    counts: dict[str, dict[str, int]] = {}
    for ts in rr.tiers.values():
        for t in ts:
            key = t.tier if t.tier is not None else t.status
            counts.setdefault(t.standard_id, {}).setdefault(key, 0)
            counts[t.standard_id][key] += 1
    ranking = []
    for i, a in enumerate(rr.ranking[:limit] if limit else rr.ranking, start=1):
        site = rr.sites[int(a.site_id)]
        ranking.append(RankedSiteRead(rank=i, site_id=site.id, name=site.name, category=site.category, kind=site.kind,
                                      total_risk=a.total_risk, worst_rating=a.worst_rating,
                                      tiers={t.standard_id: t.tier for t in rr.tiers[site.id]}))
    return RegionRiskRead(region_id=rr.region.id, region=rr.region.name, threat_level=rr.setting.scoring_level,
                          n_sites=len(rr.ranking), matrix=matrix, tier_counts=counts, ranking=ranking,
                          runtime_s=rr.runtime_s)


@router.get("/regions/{region_id}/risk", response_model=RegionRiskRead, dependencies=[require(P.SITE_SENSITIVE_READ)])
def region_risk(region_id: IdPath, session: SessionDep, guard: GuardDep, at: AtQ = None,
                limit: Annotated[int | None, Query(ge=1, le=100_000)] = None) -> RegionRiskRead:
    region_in_scope(session, guard, region_id, P.SITE_SENSITIVE_READ, "risk")
    return _region_read(svc.region_risk(session, region_id, at=at), limit)


@router.post("/regions/{region_id}/assessments", response_model=JobRead, status_code=202,
             dependencies=[require(P.ANALYSIS_RUN, P.PLAN_WRITE, P.SITE_SENSITIVE_READ)], responses=ACCEPTED_DOC)
def store_assessments(region_id: IdPath, request: Request, response: Response, session: SessionDep,
                      guard: GuardDep, at: AtQ = None) -> JobRead:
    """Queue the scoring of every site of the region and the storing of the assessment (one row per site x
    threat): 202 with Location /api/v1/jobs/{id}; the job's result links GET /regions/{id}/risk. Storing replaces
    what others read: plan:write (an analyst runs the same scoring with GET /regions/{id}/risk)."""
    region_in_scope(session, guard, region_id, P.ANALYSIS_RUN)
    region_in_scope(session, guard, region_id, P.PLAN_WRITE)
    region_in_scope(session, guard, region_id, P.SITE_SENSITIVE_READ, "risk")
    params = {"region_id": region_id, "at": at.isoformat() if at is not None else None}
    return accept(request, response, ASSESS_JOB, params, region_id=region_id)


@router.get("/regions/{region_id}/risk.geojson", response_model=None, dependencies=[require(P.SITE_SENSITIVE_READ)],
            responses={200: {"description": "GeoJSON FeatureCollection of sites with their risk",
                             "content": {"application/geo+json": {"schema": {"type": "object"}}}}})
def region_risk_geojson(region_id: IdPath, session: SessionDep, guard: GuardDep, at: AtQ = None) -> JSONResponse:
    """Sites as points with their risk (total, worst rating, rank, tiers) for colouring the map."""
    region_in_scope(session, guard, region_id, P.SITE_SENSITIVE_READ, "risk")
    return JSONResponse(risk_render.risk_geojson(svc.region_risk(session, region_id, at=at)),
                        media_type="application/geo+json")


def _plan(p: PortfolioResult, names: dict[int, str | None]) -> PlanRead:
    return PlanRead(method=p.method, status=p.status, objective=p.objective, bound=p.bound,
                    total_cost_eur=p.total_cost, runtime_s=p.runtime_s,
                    allocations=[AllocationRead(site_id=int(a.site_id), name=names.get(int(a.site_id)),
                                                measures=list(a.measures), cost_eur=a.cost,
                                                risk_reduction=a.risk_reduction) for a in p.allocations])


@router.post("/regions/{region_id}/portfolio", response_model=PortfolioRead,
             dependencies=[require(P.ANALYSIS_RUN, P.SITE_SENSITIVE_READ)])
def region_portfolio(region_id: IdPath, body: PortfolioCreate, session: SessionDep, guard: GuardDep) -> PortfolioRead:
    region_in_scope(session, guard, region_id, P.ANALYSIS_RUN)
    region_in_scope(session, guard, region_id, P.SITE_SENSITIVE_READ, "portfolio")
    pc = svc.portfolio(session, region_id, body.budget, max_candidates=body.max_candidates)
    names = {x.id: x.name for x in svc.region_sites(session, region_id)}
    pct = 0.0 if pc.exact.objective <= 0 else 100.0 * pc.difference / pc.exact.objective
    return PortfolioRead(region_id=region_id, budget=body.budget, n_sites=pc.n_sites, base_risk=pc.base_risk,
                         build_s=pc.build_s, exact=_plan(pc.exact, names), greedy=_plan(pc.greedy, names),
                         difference=pc.difference, difference_pct=pct)
