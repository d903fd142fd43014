"""Response unit routes (thin: parse, call one service, return a schema)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi import Response

from bastion.access.http import GuardDep
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.http import IdPath
from bastion.kernel.http import PreconditionDep
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.http import set_etag
from bastion.kernel.pagination import PageDep
from bastion.units import service as units
from bastion.units.models import ResponseUnit
from bastion.units.schemas import UnitCreate
from bastion.units.schemas import UnitList
from bastion.units.schemas import UnitRead
from bastion.units.schemas import UnitUpdate

router = APIRouter(prefix="/api/v1", tags=["units"])
# units are plans (plan:read / plan:write), scoped to the region's jurisdiction (docs/security.md)
PLAN_READ, PLAN_WRITE = require(Permission.PLAN_READ), require(Permission.PLAN_WRITE)


def _in_region(guard: GuardDep, permission: Permission, region_id: int) -> None:
    guard.check(permission, region_resource(region_id), object_type="region", object_id=region_id)


def _unit_region(sf: SessionFactoryDep, guard: GuardDep, permission: Permission, unit_id: int) -> None:
    with sf() as s:
        u = s.get(ResponseUnit, unit_id)
        if u is None:
            raise NotFound(f"unit {unit_id} does not exist")
        guard.check(permission, region_resource(u.region_id), object_type="unit", object_id=unit_id)


def unit_read(u: ResponseUnit) -> UnitRead:
    return UnitRead.model_validate(u, from_attributes=True)


@router.get("/regions/{region_id}/units", response_model=UnitList, dependencies=[PLAN_READ])
def list_units(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> UnitList:
    _in_region(guard, Permission.PLAN_READ, region_id)
    return UnitList.of([unit_read(u) for u in units.list_units(session, region_id)], page)


@router.post("/regions/{region_id}/units", response_model=UnitRead, status_code=201, dependencies=[PLAN_WRITE])
def create_unit(region_id: IdPath, body: UnitCreate, sf: SessionFactoryDep, guard: GuardDep) -> UnitRead:
    _in_region(guard, Permission.PLAN_WRITE, region_id)
    spec = units.UnitSpec(unit_type=body.unit_type, name=body.name, lon=body.lon, lat=body.lat,
                          standard_s=body.standard_s, speed_profile=body.speed_profile,
                          availability=[list(iv) for iv in body.availability] if body.availability else None)
    return unit_read(units.add_unit(sf, region_id, spec))


@router.patch("/units/{unit_id}", response_model=UnitRead, dependencies=[PLAN_WRITE])
def patch_unit(unit_id: IdPath, body: UnitUpdate, sf: SessionFactoryDep, guard: GuardDep, pre: PreconditionDep,
               response: Response) -> UnitRead:
    """Edit a unit. Send the version you read (If-Match or `version`): a stale one gets 409."""
    _unit_region(sf, guard, Permission.PLAN_WRITE, unit_id)
    expected = pre.expected(body.version)
    given = body.model_fields_set - {"version"}
    for f in given:
        if getattr(body, f) is None and f != "availability":
            raise InvalidInput(f"{f} cannot be null", field=f)
    vals: dict[str, Any] = {f: getattr(body, f) for f in given}
    if vals.get("availability") is not None:
        vals["availability"] = [list(iv) for iv in vals["availability"]]
    u = units.edit_unit(sf, unit_id, units.UnitEdit(**vals), expected_version=expected)
    set_etag(response, u.version)
    return unit_read(u)


@router.delete("/units/{unit_id}", status_code=204, dependencies=[PLAN_WRITE])
def delete_unit(unit_id: IdPath, sf: SessionFactoryDep, guard: GuardDep, pre: PreconditionDep) -> Response:
    _unit_region(sf, guard, Permission.PLAN_WRITE, unit_id)
    units.remove_unit(sf, unit_id, expected_version=pre.expected())
    return Response(status_code=204)
