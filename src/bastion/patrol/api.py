"""Patrol plan routes (thin: parse, call one service, return a schema)."""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response

from bastion.access.http import GuardDep
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.pagination import PageDep
from bastion.patrol import render as exp
from bastion.patrol import service as svc
from bastion.patrol.build import check_options
from bastion.patrol.jobs import PLAN as PLAN_JOB
from bastion.patrol.schemas import PatrolPlanCreate
from bastion.patrol.schemas import PatrolPlanList
from bastion.patrol.schemas import PatrolPlanRead
from bastion.patrol.schemas import PatrolScheduleList
from bastion.patrol.schemas import PatrolScheduleRead
from bastion.regions.repository import RegionRepo

router = APIRouter(prefix="/api/v1", tags=["patrol"])
# access control (docs/security.md): plans are plan:read / plan:write in the region's jurisdiction; the schedules
# themselves (where and when teams patrol) are sensitive: site:sensitive_read too, and every read is audited
PLAN_READ, PLAN_WRITE = require(Permission.PLAN_READ), require(Permission.PLAN_WRITE)
SCHEDULES = require(Permission.PLAN_READ, Permission.SITE_SENSITIVE_READ)


def _check_region(guard: GuardDep, region_id: int, *permissions: Permission) -> None:
    for p in permissions:
        guard.check(p, region_resource(region_id), object_type="region", object_id=region_id)


def _check_plan(session: SessionDep, guard: GuardDep, plan_id: int, *permissions: Permission) -> None:
    p = svc.get_plan(session, plan_id)
    for perm in permissions:
        guard.check(perm, region_resource(p.region_id), object_type="patrol_plan", object_id=plan_id)


def _read(session: SessionDep, plan_id: int, guard: GuardDep | None = None) -> PatrolPlanRead:
    """A plan's summary. The seed (with the options it rebuilds every schedule) only for a caller holding
    site:sensitive_read over the region (``guard`` given), and that read is audited."""
    p = svc.get_plan(session, plan_id)
    out = exp.plan_summary(p, RegionRepo(session).get(p.region_id).name)
    if guard is not None and guard.allows(Permission.SITE_SENSITIVE_READ, region_resource(p.region_id)):
        guard.sensitive_read("patrol_plan", plan_id, "patrol_seed")
    else:
        out["seed"] = None
        out["parameters"] = {k: v for k, v in out["parameters"].items() if k != "seed"}
    return PatrolPlanRead(**out)


@router.post("/regions/{region_id}/patrol-plans", response_model=JobRead, status_code=202,
             dependencies=[PLAN_WRITE], responses=ACCEPTED_DOC)
def create_plan(region_id: IdPath, body: PatrolPlanCreate, request: Request, response: Response,
                sf: SessionFactoryDep, guard: GuardDep) -> JobRead:
    """Queue a plan (solving takes up to minutes): 202 with Location /api/v1/jobs/{id}; the job's result links
    the stored plan. The seed is drawn now, so a re-run of the job rebuilds (and finds) the same plan."""
    _check_region(guard, region_id, Permission.PLAN_WRITE)
    options = body.model_dump()
    if options["seed"] is None:
        options["seed"] = svc.new_seed()
    with sf() as s:
        svc.check_plan(s, region_id, check_options(**options))  # 404/422 now, not a failed job later
    return accept(request, response, PLAN_JOB, {"region_id": region_id, "options": options}, region_id=region_id)


@router.get("/regions/{region_id}/patrol-plans", response_model=PatrolPlanList, dependencies=[PLAN_READ])
def list_plans(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> PatrolPlanList:
    _check_region(guard, region_id, Permission.PLAN_READ)
    return PatrolPlanList.mapped(svc.list_plans(session, region_id), page, lambda p: _read(session, p.id))


@router.get("/patrol-plans/{plan_id}", response_model=PatrolPlanRead, dependencies=[PLAN_READ])
def get_plan(plan_id: IdPath, session: SessionDep, guard: GuardDep) -> PatrolPlanRead:
    _check_plan(session, guard, plan_id, Permission.PLAN_READ)
    return _read(session, plan_id, guard)


@router.get("/patrol-plans/{plan_id}/schedules", response_model=PatrolScheduleList, dependencies=[SCHEDULES])
def get_schedules(
    plan_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep,
    day: Annotated[int | None, Query(ge=1, le=366)] = None,
) -> PatrolScheduleList:
    _check_plan(session, guard, plan_id, Permission.PLAN_READ, Permission.SITE_SENSITIVE_READ)
    guard.sensitive_read("patrol_plan", plan_id, "patrol_schedules")
    items = [PatrolScheduleRead(**exp.schedule_dict(t)) for t in svc.schedules(session, plan_id, day=day)]
    return PatrolScheduleList.of(items, page)


@router.get("/patrol-plans/{plan_id}/export", response_model=None, dependencies=[SCHEDULES],
            responses={200: {"description": "the plan with its schedules", "content": {
                "application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}},
                "text/html": {"schema": {"type": "string"}}}}})
def export_plan(plan_id: IdPath, session: SessionDep, guard: GuardDep,
                format: Literal["csv", "json", "html"] = "json",
                lang: Literal["en", "zh-CN"] = "en") -> Response:
    _check_plan(session, guard, plan_id, Permission.PLAN_READ, Permission.SITE_SENSITIVE_READ)
    guard.sensitive_read("patrol_plan", plan_id, "patrol_schedules_export")
    p = svc.get_plan(session, plan_id)
    name = f"patrol-plan-{plan_id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if format == "html":
        return Response(exp.to_html(session, plan_id, lang=lang), media_type="text/html; charset=utf-8", headers=headers)
    teams = svc.schedules(session, plan_id)
    if format == "csv":
        return Response(exp.to_csv(plan_id, teams), media_type="text/csv; charset=utf-8", headers=headers)
    summary = exp.plan_summary(p, RegionRepo(session).get(p.region_id).name)
    return Response(exp.to_json(summary, teams), media_type="application/json", headers=headers)
