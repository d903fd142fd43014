"""Patrol plan routes (thin: parse, call one service, return a schema)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from bastion.api.deps import SessionDep, SessionFactoryDep
from bastion.api.schemas.patrol import (
    PatrolPlanCreate, PatrolPlanList, PatrolPlanRead, PatrolScheduleList, PatrolScheduleRead,
)
from bastion.db.repositories import RegionRepo
from bastion.services import patrol as svc
from bastion.services import patrol_export as exp
from bastion.services.patrol_build import check_options

router = APIRouter(prefix="/api/v1", tags=["patrol"])


def _read(session: SessionDep, plan_id: int) -> PatrolPlanRead:
    p = svc.get_plan(session, plan_id)
    return PatrolPlanRead(**exp.plan_summary(p, RegionRepo(session).get(p.region_id).name))


@router.post("/regions/{region_id}/patrol-plans", response_model=PatrolPlanRead, status_code=201)
def create_plan(region_id: int, body: PatrolPlanCreate, sf: SessionFactoryDep) -> PatrolPlanRead:
    with sf() as s:
        RegionRepo(s).get(region_id)
    plan_id = svc.create_plan(sf, region_id, check_options(**body.model_dump()))
    with sf() as s:
        return _read(s, plan_id)


@router.get("/regions/{region_id}/patrol-plans", response_model=PatrolPlanList)
def list_plans(region_id: int, session: SessionDep) -> PatrolPlanList:
    items = [_read(session, p.id) for p in svc.list_plans(session, region_id)]
    return PatrolPlanList(items=items, total=len(items))


@router.get("/patrol-plans/{plan_id}", response_model=PatrolPlanRead)
def get_plan(plan_id: int, session: SessionDep) -> PatrolPlanRead:
    return _read(session, plan_id)


@router.get("/patrol-plans/{plan_id}/schedules", response_model=PatrolScheduleList)
def get_schedules(
    plan_id: int, session: SessionDep, day: Annotated[int | None, Query(ge=1, le=366)] = None
) -> PatrolScheduleList:
    items = [PatrolScheduleRead(**exp.schedule_dict(t)) for t in svc.schedules(session, plan_id, day=day)]
    return PatrolScheduleList(plan_id=plan_id, items=items)


@router.get("/patrol-plans/{plan_id}/export", response_model=None)
def export_plan(plan_id: int, session: SessionDep, format: Literal["csv", "json", "html"] = "json") -> Response:
    p = svc.get_plan(session, plan_id)
    name = f"patrol-plan-{plan_id}.{format}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    if format == "html":
        return Response(exp.to_html(session, plan_id), media_type="text/html; charset=utf-8", headers=headers)
    teams = svc.schedules(session, plan_id)
    if format == "csv":
        return Response(exp.to_csv(plan_id, teams), media_type="text/csv; charset=utf-8", headers=headers)
    summary = exp.plan_summary(p, RegionRepo(session).get(p.region_id).name)
    return Response(exp.to_json(summary, teams), media_type="application/json", headers=headers)
