"""Response units, coverage, placement and isochrone routes (thin: parse, call one service, return a schema)."""

from __future__ import annotations

import dataclasses
from typing import Annotated

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import JSONResponse

from bastion.access.http import GuardDep
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.coverage import placement
from bastion.coverage import service as cov
from bastion.coverage.enums import DEFAULT_WEIGHT_BASIS
from bastion.coverage.enums import WeightBasis
from bastion.coverage.jobs import PLACEMENT
from bastion.coverage.jobs import PLACEMENT_APPLY
from bastion.coverage.render import isochrones_geojson
from bastion.coverage.schemas import CoverageRead
from bastion.coverage.schemas import PlacementRequest
from bastion.coverage.schemas import StandardRead
from bastion.coverage.schemas import WhatIfRead
from bastion.coverage.schemas import WhatIfRequest
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.errors import InvalidInput
from bastion.kernel.http import MAX_ID
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.regions.repository import RegionRepo
from bastion.units import service as units
from bastion.units.enums import DEFAULT_STANDARD_S
from bastion.units.enums import ResponseStandard
from bastion.units.enums import UnitType

router = APIRouter(prefix="/api/v1", tags=["coverage"])
STANDARD_LIMITS = ",".join(str(int(s)) for s in ResponseStandard)  # "60,180,300"


# access control (docs/security.md): units are plans (plan:read / plan:write); computing coverage, placements,
# what-ifs and isochrones runs an analysis (analysis:run); all scoped to the region's jurisdiction
PLAN_READ, PLAN_WRITE, ANALYSIS = (require(Permission.PLAN_READ), require(Permission.PLAN_WRITE),
                                   require(Permission.ANALYSIS_RUN))


def _in_region(guard: GuardDep, permission: Permission, region_id: int) -> None:
    guard.check(permission, region_resource(region_id), object_type="region", object_id=region_id)


@router.get("/regions/{region_id}/coverage", response_model=CoverageRead, dependencies=[ANALYSIS])
def get_coverage(
    region_id: IdPath, session: SessionDep, guard: GuardDep,
    standard: Annotated[str, Query(max_length=20, description="seconds or 60s/1m/3m/5m")] = str(int(DEFAULT_STANDARD_S)),
    respect_unit_standards: bool = False,
    weight: Annotated[WeightBasis,
                      Query(description="demand weight: sites (1 each), capacity (people) or risk (stored total "
                                        "risk; 422 until the region is assessed)")] = DEFAULT_WEIGHT_BASIS,
) -> CoverageRead:
    _in_region(guard, Permission.ANALYSIS_RUN, region_id)
    std = units.parse_duration_s(standard)
    RegionRepo(session).get(region_id)
    r = cov.analyze(session, region_id, standards_s=sorted({*cov.DEFAULT_STANDARDS_S, std}),
                    respect_unit_standards=respect_unit_standards, weight_basis=weight)
    d = dataclasses.asdict(r)
    d.pop("runtime_s")
    return CoverageRead(**d, standard_s=std)


@router.post("/regions/{region_id}/coverage/placement", response_model=JobRead, status_code=202,
             dependencies=[ANALYSIS], responses=ACCEPTED_DOC)
def post_placement(region_id: IdPath, body: PlacementRequest, request: Request, response: Response,
                   sf: SessionFactoryDep, guard: GuardDep) -> JobRead:
    """Queue a placement (MCLP, LSCP, p-median): 202 with Location /api/v1/jobs/{id}; the job's result is the
    placement (PlacementRead's fields). apply=true stores the proposed units (plan:write)."""
    _in_region(guard, Permission.ANALYSIS_RUN, region_id)
    if body.apply:  # storing the proposed units changes the plan
        _in_region(guard, Permission.PLAN_WRITE, region_id)
    placement.check_request(body.model, add=body.add, backup=body.backup, standard_s=body.standard_s,
                            time_limit_s=body.time_limit_s, speed_profile=body.speed_profile,
                            weight_basis=body.weight, unit_type=body.unit_type)
    with sf() as s:
        placement.check_demand(s, region_id, body.weight)  # 404/422 now, not a failed job later
    params = {"region_id": region_id, **body.model_dump(mode="json")}
    kind = PLACEMENT_APPLY if body.apply else PLACEMENT
    return accept(request, response, kind, params, region_id=region_id)


@router.post("/regions/{region_id}/coverage/what-if", response_model=WhatIfRead, dependencies=[ANALYSIS])
def post_what_if(region_id: IdPath, body: WhatIfRequest, session: SessionDep, guard: GuardDep) -> WhatIfRead:
    """Coverage now and after adding, moving and removing units (nothing is stored)."""
    _in_region(guard, Permission.ANALYSIS_RUN, region_id)
    RegionRepo(session).get(region_id)
    change = cov.WhatIf(
        add=tuple(cov.UnitPoint(None, a.name, UnitType.PATROL_CAR, a.lon, a.lat, a.speed_profile,
                                      int(DEFAULT_STANDARD_S)) for a in body.add),
        move=tuple((m.unit_id, m.lon, m.lat) for m in body.move), remove=tuple(body.remove),
    )
    w = cov.what_if(session, region_id, change)
    return WhatIfRead(
        before=[StandardRead(**dataclasses.asdict(b)) for b in w.before.by_standard],
        after=[StandardRead(**dataclasses.asdict(b)) for b in w.after.by_standard],
        n_units_before=w.before.n_units, n_units_after=w.after.n_units,
    )


@router.get("/regions/{region_id}/isochrones.geojson", response_model=None, dependencies=[ANALYSIS],
            responses={200: {"description": "GeoJSON FeatureCollection of isochrone rings",
                             "content": {"application/geo+json": {"schema": {"type": "object"}}}}})
def get_isochrones(
    region_id: IdPath, session: SessionDep, guard: GuardDep,
    unit_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limits: Annotated[str, Query(max_length=100, description="comma-separated seconds")] = STANDARD_LIMITS,
) -> JSONResponse:
    _in_region(guard, Permission.ANALYSIS_RUN, region_id)
    try:
        lims = [int(x) for x in limits.split(",") if x.strip()]
    except ValueError:
        raise InvalidInput(f"limits must be comma-separated whole seconds, e.g. 60,180,300; got {limits!r}",
                           field="limits") from None
    fc = isochrones_geojson(session, region_id, unit_id=unit_id, limits_s=lims)
    return JSONResponse(fc, media_type="application/geo+json")
