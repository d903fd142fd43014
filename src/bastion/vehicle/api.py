"""Hostile-vehicle routes (thin: parse, authorize, call one service, return a schema).

Approach speeds and barrier gaps are sensitive: reading them needs site:sensitive_read (each read audited);
running an assessment needs analysis:run over the region (docs/security.md).
"""

from __future__ import annotations

import dataclasses
from typing import Annotated
from typing import Any
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import HTMLResponse
from fastapi.responses import JSONResponse

from bastion.access.http import GuardDep
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.http import site_resource
from bastion.access.policy import Permission
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.sites.repository import SiteRepo
from bastion.vehicle import read
from bastion.vehicle import service as svc
from bastion.vehicle.enums import DEFAULT_VEHICLE
from bastion.vehicle.jobs import ASSESS as ASSESS_JOB
from bastion.vehicle.schemas import SiteVehicleRead
from bastion.vehicle.schemas import VehicleAssessmentRun
from bastion.vehicle.schemas import VehicleKey

router = APIRouter(prefix="/api/v1", tags=["vehicle"])


SENSITIVE = [require(Permission.SITE_SENSITIVE_READ)]


GEOJSON: dict[int | str, dict[str, Any]] = {200: {
    "description": "GeoJSON FeatureCollection: approach paths, entry points and barriers",
    "content": {"application/geo+json": {"schema": {"type": "object"}}}}}


HTML: dict[int | str, dict[str, Any]] = {200: {
    "description": "HTML fragment of the site report's vehicle section",
    "content": {"text/html": {"schema": {"type": "string"}}}}}


def _site_guard(session: SessionDep, guard: GuardDep, site_id: int, what: str) -> None:
    site = SiteRepo(session).get(site_id)
    guard.check(Permission.SITE_SENSITIVE_READ, site_resource(site), object_id=site_id)
    guard.sensitive_read("site", site_id, what)


@router.post("/regions/{region_id}/vehicle-assessments", response_model=JobRead, status_code=202,
             dependencies=[require(Permission.ANALYSIS_RUN, Permission.PLAN_WRITE)], responses=ACCEPTED_DOC)
def run_assessment(region_id: IdPath, body: VehicleAssessmentRun, request: Request, response: Response,
                   sf: SessionFactoryDep, guard: GuardDep) -> JobRead:
    """Queue an assessment of the region's sites (or `site_ids`): 202 with Location /api/v1/jobs/{id}; the job's
    result is the run's report. A re-run with the same inputs changes nothing."""
    guard.check(Permission.ANALYSIS_RUN, region_resource(region_id), object_type="region", object_id=region_id)
    # storing replaces the assessment others read: a write (plan:write), not an analyst's read-only run
    guard.check(Permission.PLAN_WRITE, region_resource(region_id), object_type="region", object_id=region_id)
    params = svc.AssessParams(
        vehicles=tuple(body.vehicles), wrong_way=body.wrong_way, max_distance_m=body.max_distance_m,
        friction=body.friction, friction_low=body.friction_low, friction_high=body.friction_high,
        standoff_m=body.standoff_m,
    )
    with sf() as s:
        svc.check_sites(s, region_id, body.site_ids)  # 404/422 now, not a failed job later
    job_params = {"region_id": region_id, "params": {**dataclasses.asdict(params), "vehicles": list(params.vehicles)},
                  "site_ids": body.site_ids}
    return accept(request, response, ASSESS_JOB, job_params, region_id=region_id)


@router.get("/sites/{site_id}/vehicle", response_model=SiteVehicleRead, dependencies=SENSITIVE)
def site_vehicle(
    site_id: IdPath,
    session: SessionDep,
    guard: GuardDep,
    vehicle: VehicleKey | None = None,
    wrong_way: bool | None = None,
    detection_distance_m: Annotated[float | None, Query(ge=0, le=5000, description="active-barrier timing: "
                                                        "detection distance before the barrier, m")] = None,
    detection_s: Annotated[float, Query(ge=0, le=600)] = 0.0,
    guard_reaction_s: Annotated[float, Query(ge=0, le=600)] = 3.0,
    deploy_s: Annotated[float, Query(ge=0, le=600)] = 2.0,
) -> SiteVehicleRead:
    """A site's approaches (fastest first), impact speeds with units, required ratings per standard, barriers."""
    _site_guard(session, guard, site_id, "vehicle_approaches")
    timing = None if detection_distance_m is None else read.TimingParams(
        detection_distance_m, detection_s, guard_reaction_s, deploy_s)
    return SiteVehicleRead.model_validate(read.site_vehicle(session, site_id, vehicle=vehicle, wrong_way=wrong_way,
                                                            timing=timing))


@router.get("/sites/{site_id}/vehicle/report", response_model=None, responses=HTML, dependencies=SENSITIVE)
def site_vehicle_report(site_id: IdPath, session: SessionDep, guard: GuardDep,
                        lang: Literal["en", "zh-CN"] = "en") -> HTMLResponse:
    """The site report's vehicle section as an HTML fragment (lang: en or zh-CN)."""
    _site_guard(session, guard, site_id, "vehicle_report")
    return HTMLResponse(read.render_report_section(read.report_section(session, site_id), lang=lang))


@router.get("/regions/{region_id}/vehicle.geojson", response_model=None, responses=GEOJSON, dependencies=SENSITIVE)
def region_vehicle_geojson(
    region_id: IdPath, session: SessionDep, guard: GuardDep, vehicle: VehicleKey = DEFAULT_VEHICLE, wrong_way: bool = False,
) -> Any:
    """Map layer: approach paths (impact speed, km/h), entry points (required rating), barriers (satisfied or not).

    Region-wide sensitive data: needs site:sensitive_read over the whole region (not only an agency's sites)."""
    guard.check(Permission.SITE_SENSITIVE_READ, region_resource(region_id), object_type="region", object_id=region_id)
    guard.sensitive_read("region", region_id, "vehicle_layer")
    return JSONResponse(read.region_geojson(session, region_id, vehicle=vehicle, wrong_way=wrong_way),
                        media_type="application/geo+json")
