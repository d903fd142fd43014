"""Inspections and rectification tasks: the supervision loop over REST (thin)."""

from __future__ import annotations

from typing import Annotated
from typing import Literal

from fastapi import APIRouter
from fastapi import Query
from fastapi import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.access.http import AuthDep
from bastion.access.http import GuardDep
from bastion.access.http import require
from bastion.access.http import site_resource
from bastion.access.models import Agency
from bastion.access.policy import Permission
from bastion.access.policy import Resource
from bastion.kernel.db.base import utcnow
from bastion.kernel.http import IdPath
from bastion.kernel.http import PreconditionDep
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.http import set_etag
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep
from bastion.risk import wording as risk_wording
from bastion.risk.schemas import AnswersUpdate
from bastion.risk.schemas import CompletionRead
from bastion.risk.schemas import EscalateCreate
from bastion.risk.schemas import EscalationRead
from bastion.risk.schemas import InspectionComplete
from bastion.risk.schemas import InspectionCreate
from bastion.risk.schemas import InspectionItemRead
from bastion.risk.schemas import InspectionRead
from bastion.risk.schemas import TaskEventRead
from bastion.risk.schemas import TaskList
from bastion.risk.schemas import TaskRead
from bastion.risk.schemas import TaskStatus
from bastion.risk.schemas import TaskUpdate
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo
from bastion.supervision import service as svc
from bastion.supervision import vehicle_tasks
from bastion.supervision import wording
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask
from bastion.vehicle.schemas import VehicleTasksCreate
from bastion.vehicle.schemas import VehicleTasksRead

router = APIRouter(prefix="/api/v1", tags=["inspections"])
P = Permission
LangQ = Annotated[Literal["en", "zh-CN"], Query(description="language of the display texts (title): en or zh-CN")]


def _check_site(s: Session, guard: GuardDep, site_id: int, permission: Permission, *,
                assigned: frozenset[int] = frozenset(), shown: tuple[str, int] | None = None) -> Resource:
    """The permission on the site. ``shown``: the object the request named (inspection or task, id), so that a
    denial's 404 names it, not the site it belongs to (which would leak)."""
    site = SiteRepo(s).get(site_id)
    res = site_resource(site)
    res = Resource(region_id=res.region_id, operator_agency_id=res.operator_agency_id, assigned_agency_ids=assigned)
    obj_type, obj_id = shown or ("site", site_id)
    guard.check(permission, res, object_type=obj_type, object_id=obj_id)
    return res


def _check_inspector(s: Session, guard: GuardDep, site_id: int, shown: tuple[str, int] | None = None) -> None:
    """inspection:write on the site, and separation of duties: the site's operator may not inspect it (start,
    answer, complete — completing verifies its tasks and records its measures)."""
    obj_type, obj_id = shown or ("site", site_id)
    guard.check_independent(_check_site(s, guard, site_id, P.INSPECTION_WRITE, shown=shown), object_type=obj_type,
                            object_id=obj_id)


def _agency_id(s: Session, name: str | None) -> int | None:
    """The account-system id of the agency named as a task's owner (None when no such agency has accounts), so
    that assigning a task to an agency gives its members access to it."""
    if name is None:
        return None
    return s.scalar(select(Agency.id).where(Agency.name == name.strip()))


def _task_assigned(t: RectificationTask) -> frozenset[int]:
    return frozenset({t.owner_agency_id}) if t.owner_agency_id is not None else frozenset()


def inspection_read(s: Session, insp: Inspection, lang: str = "en") -> InspectionRead:
    items = [InspectionItemRead(item_id=i.item_id, standard_id=i.standard_id, tier=i.tier, measure=i.measure,
                                params=i.params, clause=i.clause, text=i.text, suggested=i.suggested,  # type: ignore[arg-type]
                                title=wording.item_text(i.measure, i.params, i.text, lang),
                                clause_title=risk_wording.clause(i.clause, lang),
                                answer=i.answer, answered_by_account_id=i.answered_by_account_id,  # type: ignore[arg-type]
                                evidence_note=i.evidence_note)
             for i in svc.inspection_items(s, insp.id)]
    return InspectionRead(id=insp.id, site_id=insp.site_id, status=insp.status,
                          inspector_account_id=insp.inspector_account_id, inspector_agency=insp.inspector_agency,
                          started_at=insp.started_at, completed_at=insp.completed_at,
                          completed_by_account_id=insp.completed_by_account_id, version=insp.version, items=items)


def task_read(t: RectificationTask, s: Session | None = None, *, title: str | None = None) -> TaskRead:
    hist = None if s is None else [
        TaskEventRead(at=e.at, event=e.event, from_status=e.from_status, to_status=e.to_status,
                      escalation_level=e.escalation_level, inspection_id=e.inspection_id, detail=e.detail)
        for e in svc.task_history(s, t.id)]
    return TaskRead(id=t.id, site_id=t.site_id, inspection_id=t.inspection_id, item_id=t.item_id, measure=t.measure,
                    standard_id=t.standard_id, text=t.text, title=title or t.text, owner_agency=t.owner_agency,
                    owner_agency_id=t.owner_agency_id, deadline=t.deadline,
                    status=t.status, overdue=t.overdue, escalation_level=t.escalation_level,  # type: ignore[arg-type]
                    verified_by_inspection_id=t.verified_by_inspection_id, created_at=t.created_at,
                    updated_at=t.updated_at, version=t.version, history=hist)


@router.post("/sites/{site_id}/inspections", response_model=InspectionRead, status_code=201,
             dependencies=[require(P.INSPECTION_WRITE)])
def start_inspection(site_id: IdPath, body: InspectionCreate, sf: SessionFactoryDep, session: SessionDep,
                     guard: GuardDep, auth: AuthDep, lang: LangQ = "en") -> InspectionRead:
    _check_inspector(session, guard, site_id)
    insp = svc.start_inspection(sf, site_id, now=utcnow(), inspector_agency=body.inspector_agency,
                                inspector_account_id=auth.user_id)
    with sf() as s:
        return inspection_read(s, svc.get_inspection(s, insp.id), lang)


@router.get("/sites/{site_id}/inspections", response_model=Page[InspectionRead],
            dependencies=[require(P.SITE_SENSITIVE_READ)])
def site_inspections(site_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep,
                     lang: LangQ = "en") -> Page[InspectionRead]:
    """A site's inspections, newest first, with their answered checklists."""
    _check_site(session, guard, site_id, P.SITE_SENSITIVE_READ)
    guard.sensitive_read("site", site_id, "inspections")
    return Page[InspectionRead].mapped(svc.site_inspections(session, site_id), page,
                                       lambda i: inspection_read(session, i, lang))


@router.get("/inspections/{inspection_id}", response_model=InspectionRead,
            dependencies=[require(P.SITE_SENSITIVE_READ)])
def get_inspection(inspection_id: IdPath, session: SessionDep, guard: GuardDep, response: Response,
                   lang: LangQ = "en") -> InspectionRead:
    insp = svc.get_inspection(session, inspection_id)
    _check_site(session, guard, insp.site_id, P.SITE_SENSITIVE_READ, shown=("inspection", inspection_id))
    guard.sensitive_read("inspection", inspection_id, "inspection")
    set_etag(response, insp.version)
    return inspection_read(session, insp, lang)


@router.put("/inspections/{inspection_id}/answers", response_model=InspectionRead,
            dependencies=[require(P.INSPECTION_WRITE)])
def put_answers(inspection_id: IdPath, body: AnswersUpdate, sf: SessionFactoryDep, session: SessionDep,
                guard: GuardDep, auth: AuthDep, pre: PreconditionDep, response: Response,
                lang: LangQ = "en") -> InspectionRead:
    """Record answers and evidence notes. Send the inspection's version (If-Match or `version`): a stale one gets 409."""
    _check_inspector(session, guard, svc.get_inspection(session, inspection_id).site_id,
                     ("inspection", inspection_id))
    svc.answer(sf, inspection_id, body.answers, now=utcnow(), account_id=auth.user_id, notes=body.notes,
               expected_version=pre.expected(body.version))
    with sf() as s:
        insp = svc.get_inspection(s, inspection_id)
        set_etag(response, insp.version)
        return inspection_read(s, insp, lang)


@router.post("/inspections/{inspection_id}/complete", response_model=CompletionRead,
             dependencies=[require(P.INSPECTION_WRITE)])
def complete_inspection(inspection_id: IdPath, body: InspectionComplete, sf: SessionFactoryDep, session: SessionDep,
                        guard: GuardDep, auth: AuthDep, pre: PreconditionDep, lang: LangQ = "en") -> CompletionRead:
    _check_inspector(session, guard, svc.get_inspection(session, inspection_id).site_id,
                     ("inspection", inspection_id))
    rep = svc.complete(sf, inspection_id, now=utcnow(), owner_agency=body.owner_agency,
                       deadline_days=body.deadline_days, actor_account_id=auth.user_id,
                       owner_agency_id=_agency_id(session, body.owner_agency),
                       expected_version=pre.expected(body.version))
    with sf() as s:
        return CompletionRead(inspection=inspection_read(s, svc.get_inspection(s, inspection_id), lang),
                              failed=list(rep.failed), passed=list(rep.passed),
                              not_applicable=list(rep.not_applicable), tasks_created=list(rep.tasks_created),
                              tasks_reopened=list(rep.tasks_reopened), tasks_verified=list(rep.tasks_verified))


@router.get("/tasks", response_model=TaskList, dependencies=[require(P.SITE_SENSITIVE_READ)])
def list_tasks(session: SessionDep, guard: GuardDep, page: PageDep, region_id: int | None = None,
               site_id: int | None = None,
               status: Annotated[list[TaskStatus] | None, Query()] = None, overdue: bool | None = None,
               lang: LangQ = "en") -> TaskList:
    scope = guard.scope(P.SITE_SENSITIVE_READ)
    items = svc.list_tasks(session, region_id=region_id, site_id=site_id, status=status or (), overdue=overdue)
    sites = {x.id: x for x in SiteRepo(session).s.scalars(select(Site).where(Site.id.in_({t.site_id for t in items})))}
    items = [t for t in items if scope.admits(sites[t.site_id].region_id, sites[t.site_id].operator_agency_id,
                                              _task_assigned(t))]
    if items:
        guard.sensitive_read("task", items[0].id if len(items) == 1 else None, "tasks")
    titles = wording.task_texts(session, items, lang)
    return TaskList.mapped(items, page, lambda t: task_read(t, title=titles[t.id]))


@router.get("/tasks/{task_id}", response_model=TaskRead, dependencies=[require(P.SITE_SENSITIVE_READ)])
def get_task(task_id: IdPath, session: SessionDep, guard: GuardDep, response: Response,
             lang: LangQ = "en") -> TaskRead:
    t = svc.get_task(session, task_id)
    _check_site(session, guard, t.site_id, P.SITE_SENSITIVE_READ, assigned=_task_assigned(t), shown=("task", task_id))
    guard.sensitive_read("task", task_id, "task")
    set_etag(response, t.version)
    return task_read(t, session, title=wording.task_texts(session, [t], lang)[t.id])


@router.patch("/tasks/{task_id}", response_model=TaskRead, dependencies=[require(P.TASK_WRITE)])
def patch_task(task_id: IdPath, body: TaskUpdate, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
               auth: AuthDep, pre: PreconditionDep, response: Response) -> TaskRead:
    """Move a task along, reassign or reschedule it. Send its version (If-Match or `version`): a stale one gets
    409; of two identical transitions sent together, one gets 409."""
    t = svc.get_task(session, task_id)
    _check_site(session, guard, t.site_id, P.TASK_WRITE, assigned=_task_assigned(t), shown=("task", task_id))
    svc.update_task(sf, task_id, now=utcnow(), status=body.status, owner_agency=body.owner_agency,
                    deadline=body.deadline, actor_account_id=auth.user_id,
                    owner_agency_id=_agency_id(session, body.owner_agency),
                    expected_version=pre.expected(body.version))
    with sf() as s:
        t = svc.get_task(s, task_id)
        set_etag(response, t.version)
        return task_read(t, s)


@router.post("/tasks/escalate", response_model=Page[EscalationRead],
             dependencies=[require(P.TASK_WRITE, P.PLAN_WRITE)])
def escalate(body: EscalateCreate, sf: SessionFactoryDep, guard: GuardDep, page: PageDep) -> Page[EscalationRead]:
    """Escalate overdue tasks in the caller's jurisdiction (where it holds task:write and plan:write over the
    whole region), as of the server's clock."""
    regions: frozenset[int] | None = None  # None: every region
    for p in (P.TASK_WRITE, P.PLAN_WRITE):
        full = guard.scope(p).full_regions
        if full is not None:
            regions = full if regions is None else regions & full
    out = svc.escalate_overdue(sf, utcnow(), region_ids=regions)
    return Page[EscalationRead].of([EscalationRead(task_id=e.task_id, site_id=e.site_id, days_overdue=e.days_overdue,
                                                   from_level=e.from_level, to_level=e.to_level) for e in out], page)


@router.post("/sites/{site_id}/vehicle-tasks", response_model=VehicleTasksRead,
             dependencies=[require(Permission.INSPECTION_WRITE, Permission.TASK_WRITE)])
def create_vehicle_tasks(site_id: IdPath, body: VehicleTasksCreate, sf: SessionFactoryDep, session: SessionDep,
                         guard: GuardDep, auth: AuthDep) -> VehicleTasksRead:
    """One rectification task per unmet entry point (site + entry + standard); re-runs create none."""
    res = site_resource(SiteRepo(session).get(site_id))
    guard.check(Permission.INSPECTION_WRITE, res, object_id=site_id)
    guard.check(Permission.TASK_WRITE, res, object_id=site_id)
    rep = vehicle_tasks.create_tasks(sf, site_id, now=utcnow(), owner_agency=body.owner_agency,
                                     deadline_days=body.deadline_days, actor_account_id=auth.user_id)
    return VehicleTasksRead(site_id=rep.site_id, gaps=rep.gaps, entries=rep.entries, created=list(rep.created),
                            existing=list(rep.existing), inspection_id=rep.inspection_id)
