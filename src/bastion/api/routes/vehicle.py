"""Hostile-vehicle routes (thin: parse, call one service, return a schema)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse

from bastion.api.deps import SessionDep, SessionFactoryDep
from bastion.api.schemas.vehicle import SiteVehicleRead, VehicleAssessmentReport, VehicleAssessmentRun, VehicleKey
from bastion.services import vehicle as svc
from bastion.services import vehicle_read as read

router = APIRouter(prefix="/api/v1", tags=["vehicle"])


@router.post("/regions/{region_id}/vehicle-assessments", response_model=VehicleAssessmentReport)
def run_assessment(region_id: int, body: VehicleAssessmentRun, sf: SessionFactoryDep) -> VehicleAssessmentReport:
    """Assess the region's sites (or `site_ids`) and store the results; a re-run with the same inputs changes nothing."""
    params = svc.AssessParams(
        vehicles=tuple(body.vehicles), wrong_way=body.wrong_way, max_distance_m=body.max_distance_m,
        friction=body.friction, friction_low=body.friction_low, friction_high=body.friction_high,
        standoff_m=body.standoff_m,
    )
    rep = svc.assess(sf, region_id, params, site_ids=body.site_ids)
    return VehicleAssessmentReport(
        region_id=rep.region_id, region_name=rep.region_name, vehicles=list(rep.vehicles), wrong_way=rep.wrong_way,
        sites_assessed=rep.sites_assessed, sites_reached=rep.sites_reached, entry_points=rep.entry_points,
        gaps=rep.gaps, inserted=rep.inserted, replaced=rep.replaced, unchanged=rep.unchanged,
        rows_changed=rep.rows_changed, compute_s=round(rep.compute_s, 3), write_s=round(rep.write_s, 3),
        worst=rep.worst,  # type: ignore[arg-type]
    )


@router.get("/sites/{site_id}/vehicle", response_model=SiteVehicleRead)
def site_vehicle(
    site_id: int,
    session: SessionDep,
    vehicle: VehicleKey | None = None,
    wrong_way: bool | None = None,
    detection_distance_m: Annotated[float | None, Query(ge=0, le=5000, description="active-barrier timing: "
                                                        "detection distance before the barrier, m")] = None,
    detection_s: Annotated[float, Query(ge=0, le=600)] = 0.0,
    guard_reaction_s: Annotated[float, Query(ge=0, le=600)] = 3.0,
    deploy_s: Annotated[float, Query(ge=0, le=600)] = 2.0,
) -> SiteVehicleRead:
    """A site's approaches (fastest first), impact speeds with units, required ratings per standard, barriers."""
    timing = None if detection_distance_m is None else read.TimingParams(
        detection_distance_m, detection_s, guard_reaction_s, deploy_s)
    return SiteVehicleRead.model_validate(read.site_vehicle(session, site_id, vehicle=vehicle, wrong_way=wrong_way,
                                                            timing=timing))


@router.get("/sites/{site_id}/vehicle/report", response_class=HTMLResponse)
def site_vehicle_report(site_id: int, session: SessionDep) -> HTMLResponse:
    """The site report's vehicle section as an HTML fragment."""
    return HTMLResponse(read.render_report_section(read.report_section(session, site_id)))


@router.get("/regions/{region_id}/vehicle.geojson", response_model=None)
def region_vehicle_geojson(
    region_id: int, session: SessionDep, vehicle: VehicleKey = "car", wrong_way: bool = False,
) -> Any:
    """Map layer: approach paths (impact speed, km/h), entry points (required rating), barriers (satisfied or not)."""
    return JSONResponse(read.region_geojson(session, region_id, vehicle=vehicle, wrong_way=wrong_way),
                        media_type="application/geo+json")
