"""Inspections and rectification tasks: the supervision loop over REST (thin)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy.orm import Session

from bastion.api.deps import SessionDep, SessionFactoryDep
from bastion.api.schemas.risk import (
    AnswersUpdate, CompletionRead, EscalateCreate, EscalationRead, InspectionComplete, InspectionCreate,
    InspectionItemRead, InspectionRead, TaskEventRead, TaskList, TaskRead, TaskStatus, TaskUpdate,
)
from bastion.db.base import utcnow
from bastion.db.risk_models import Inspection, RectificationTask
from bastion.services import inspections as svc

router = APIRouter(prefix="/api/v1", tags=["inspections"])


def inspection_read(s: Session, insp: Inspection) -> InspectionRead:
    items = [InspectionItemRead(item_id=i.item_id, standard_id=i.standard_id, tier=i.tier, measure=i.measure,
                                params=i.params, clause=i.clause, text=i.text, suggested=i.suggested,  # type: ignore[arg-type]
                                answer=i.answer)  # type: ignore[arg-type]
             for i in svc.inspection_items(s, insp.id)]
    return InspectionRead(id=insp.id, site_id=insp.site_id, status=insp.status,
                          inspector_account_id=insp.inspector_account_id, inspector_agency=insp.inspector_agency,
                          started_at=insp.started_at, completed_at=insp.completed_at, items=items)


def task_read(t: RectificationTask, s: Session | None = None) -> TaskRead:
    hist = None if s is None else [
        TaskEventRead(at=e.at, event=e.event, from_status=e.from_status, to_status=e.to_status,
                      escalation_level=e.escalation_level, inspection_id=e.inspection_id, detail=e.detail)
        for e in svc.task_history(s, t.id)]
    return TaskRead(id=t.id, site_id=t.site_id, inspection_id=t.inspection_id, item_id=t.item_id, measure=t.measure,
                    standard_id=t.standard_id, text=t.text, owner_agency=t.owner_agency,
                    owner_agency_id=t.owner_agency_id, deadline=t.deadline,
                    status=t.status, overdue=t.overdue, escalation_level=t.escalation_level,  # type: ignore[arg-type]
                    verified_by_inspection_id=t.verified_by_inspection_id, created_at=t.created_at,
                    updated_at=t.updated_at, history=hist)


@router.post("/sites/{site_id}/inspections", response_model=InspectionRead, status_code=201)
def start_inspection(site_id: int, body: InspectionCreate, sf: SessionFactoryDep) -> InspectionRead:
    insp = svc.start_inspection(sf, site_id, now=utcnow(), inspector_agency=body.inspector_agency)
    with sf() as s:
        return inspection_read(s, svc.get_inspection(s, insp.id))


@router.get("/sites/{site_id}/inspections", response_model=list[InspectionRead])
def site_inspections(site_id: int, session: SessionDep) -> list[InspectionRead]:
    """A site's inspections, newest first, with their answered checklists."""
    return [inspection_read(session, i) for i in svc.site_inspections(session, site_id)]


@router.get("/inspections/{inspection_id}", response_model=InspectionRead)
def get_inspection(inspection_id: int, session: SessionDep) -> InspectionRead:
    return inspection_read(session, svc.get_inspection(session, inspection_id))


@router.put("/inspections/{inspection_id}/answers", response_model=InspectionRead)
def put_answers(inspection_id: int, body: AnswersUpdate, sf: SessionFactoryDep) -> InspectionRead:
    svc.answer(sf, inspection_id, body.answers, now=utcnow())
    with sf() as s:
        return inspection_read(s, svc.get_inspection(s, inspection_id))


@router.post("/inspections/{inspection_id}/complete", response_model=CompletionRead)
def complete_inspection(inspection_id: int, body: InspectionComplete, sf: SessionFactoryDep) -> CompletionRead:
    rep = svc.complete(sf, inspection_id, now=utcnow(), owner_agency=body.owner_agency,
                       deadline_days=body.deadline_days)
    with sf() as s:
        return CompletionRead(inspection=inspection_read(s, svc.get_inspection(s, inspection_id)),
                              failed=list(rep.failed), passed=list(rep.passed),
                              not_applicable=list(rep.not_applicable), tasks_created=list(rep.tasks_created),
                              tasks_reopened=list(rep.tasks_reopened), tasks_verified=list(rep.tasks_verified))


@router.get("/tasks", response_model=TaskList)
def list_tasks(session: SessionDep, region_id: int | None = None, site_id: int | None = None,
               status: Annotated[list[TaskStatus] | None, Query()] = None, overdue: bool | None = None) -> TaskList:
    items = svc.list_tasks(session, region_id=region_id, site_id=site_id, status=status or (), overdue=overdue)
    return TaskList(items=[task_read(t) for t in items], total=len(items))


@router.get("/tasks/{task_id}", response_model=TaskRead)
def get_task(task_id: int, session: SessionDep) -> TaskRead:
    return task_read(svc.get_task(session, task_id), session)


@router.patch("/tasks/{task_id}", response_model=TaskRead)
def patch_task(task_id: int, body: TaskUpdate, sf: SessionFactoryDep) -> TaskRead:
    svc.update_task(sf, task_id, now=utcnow(), status=body.status, owner_agency=body.owner_agency,
                    deadline=body.deadline)
    with sf() as s:
        return task_read(svc.get_task(s, task_id), s)


@router.post("/tasks/escalate", response_model=list[EscalationRead])
def escalate(body: EscalateCreate, sf: SessionFactoryDep) -> list[EscalationRead]:
    out = svc.escalate_overdue(sf, body.now or utcnow())
    return [EscalationRead(task_id=e.task_id, site_id=e.site_id, days_overdue=e.days_overdue, from_level=e.from_level,
                           to_level=e.to_level) for e in out]
