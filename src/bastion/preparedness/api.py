"""Emergency plans and exercises over REST (thin: parse, authorize, call one service, return a schema).

Plans hang on their site (emergency_plan:read / :write / :approve on the site); exercises on their region
(emergency_plan:read to see the programme, exercise:write to change it). Plan reads are audited as sensitive
(procedures and vehicle approaches). Every exercise record is mode EXERCISE."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Annotated
from typing import Any
from typing import Literal

from fastapi import APIRouter
from fastapi import FastAPI
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session

from bastion.access.http import AuthDep
from bastion.access.http import GuardDep
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.http import site_resource
from bastion.access.policy import Permission
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.db.base import utcnow
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep
from bastion.preparedness import aar as aar_doc
from bastion.preparedness import calendar_packs
from bastion.preparedness import clock as ex_clock
from bastion.preparedness import drafting
from bastion.preparedness import exercises as ex
from bastion.preparedness import ical
from bastion.preparedness import msel_io
from bastion.preparedness import render
from bastion.preparedness import service as svc
from bastion.preparedness import spaces as sp_svc
from bastion.preparedness.jobs import DRAFT_REGION as DRAFT_REGION_JOB
from bastion.preparedness.models import EmergencyPlan
from bastion.preparedness.models import Exercise
from bastion.preparedness.schemas import AarUpdate
from bastion.preparedness.schemas import CalendarPackRead
from bastion.preparedness.schemas import CalendarPackUpdate
from bastion.preparedness.schemas import CalendarRead
from bastion.preparedness.schemas import ClashRead
from bastion.preparedness.schemas import ClockAction
from bastion.preparedness.schemas import ClockRead
from bastion.preparedness.schemas import DraftCreate
from bastion.preparedness.schemas import EvaluationUpdate
from bastion.preparedness.schemas import ExerciseCreate
from bastion.preparedness.schemas import ExerciseRead
from bastion.preparedness.schemas import ExitRead
from bastion.preparedness.schemas import ExitsRead
from bastion.preparedness.schemas import ExitsUpdate
from bastion.preparedness.schemas import FinaliseRead
from bastion.preparedness.schemas import GapRead
from bastion.preparedness.schemas import IcsImportCreate
from bastion.preparedness.schemas import IcsImportRead
from bastion.preparedness.schemas import PlanRead
from bastion.preparedness.schemas import PlanSave
from bastion.preparedness.schemas import PlanTasksCreate
from bastion.preparedness.schemas import PlanTasksRead
from bastion.preparedness.schemas import ProposalRead
from bastion.preparedness.schemas import ReadinessRead
from bastion.preparedness.schemas import RegionDraftCreate
from bastion.preparedness.schemas import SpaceRead
from bastion.preparedness.schemas import SpacesRead
from bastion.preparedness.schemas import SpacesUpdate
from bastion.preparedness.schemas import TrainingRead
from bastion.preparedness.schemas import TrainingUpdate
from bastion.sites.guards import region_in_scope
from bastion.sites.guards import site_in_scope
from bastion.sites.repository import SiteRepo


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The exercise clock's ticker (every second), where the server runs job workers (timed work)."""
    settings = getattr(app.state, "settings", None)
    ticker = None
    if settings is not None and settings.job_workers > 0 and getattr(app.state, "session_factory", None):
        ticker = ex_clock.ExerciseTicker(app.state.session_factory)
        ticker.start()
    try:
        yield
    finally:
        if ticker is not None:
            ticker.stop()


router = APIRouter(prefix="/api/v1", tags=["preparedness"], lifespan=lifespan)
P = Permission

DOC: dict[int | str, dict[str, Any]] = {200: {"description": "the plan as HTML or PDF", "content": {
    "text/html": {"schema": {"type": "string"}}, "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}
ICS: dict[int | str, dict[str, Any]] = {200: {"description": "iCalendar (RFC 5545)",
                                             "content": {"text/calendar": {"schema": {"type": "string"}}}}}


def plan_read(p: EmergencyPlan) -> PlanRead:
    return PlanRead(id=p.id, site_id=p.site_id, threat=p.threat, version=p.version, status=p.status, source=p.source,
                    sections=p.sections, data=p.data, evacuation=p.evacuation, review_date=p.review_date,
                    created_by_account_id=p.created_by_account_id, created_at=p.created_at,
                    approved_by_account_id=p.approved_by_account_id, approved_at=p.approved_at)


def exercise_read(e: Exercise) -> ExerciseRead:
    return ExerciseRead(id=e.id, region_id=e.region_id, uid=e.uid, mode="EXERCISE", name=e.name, type=e.type,
                        threat=e.threat, start=e.start, end=e.end, status=e.status, site_ids=e.site_ids,
                        agencies=e.agencies, objectives=e.objectives, msel=e.msel, evaluation=e.evaluation,
                        aar=e.aar, created_at=e.created_at, finalised_at=e.finalised_at)


def _plan_in_scope(s: Session, guard: GuardDep, plan_id: int, permission: Permission) -> EmergencyPlan:
    p = svc.get_plan(s, plan_id)
    guard.check(permission, site_resource(SiteRepo(s).get(p.site_id)), object_type="emergency_plan", object_id=plan_id)
    return p


def _exercise_in_scope(s: Session, guard: GuardDep, exercise_id: int, permission: Permission) -> Exercise:
    e = ex.get_exercise(s, exercise_id)
    guard.check(permission, region_resource(e.region_id), object_type="exercise", object_id=exercise_id)
    return e


# ---------------------------------------------------------------- plans


@router.get("/sites/{site_id}/emergency-plans", response_model=Page[PlanRead], dependencies=[require(P.EPLAN_READ)])
def list_plans(site_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep,
               threat: str | None = None) -> Page[PlanRead]:
    """Every version of the site's plans, per threat newest first."""
    site_in_scope(session, guard, site_id, P.EPLAN_READ, "emergency_plans")
    return Page[PlanRead].mapped(svc.site_plans(session, site_id, threat=threat), page, plan_read)


@router.post("/sites/{site_id}/emergency-plans", response_model=PlanRead, status_code=201,
             dependencies=[require(P.EPLAN_WRITE)])
def save_plan(site_id: IdPath, body: PlanSave, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
              auth: AuthDep) -> PlanRead:
    """A new draft version of the site's plan for one scenario."""
    site_in_scope(session, guard, site_id, P.EPLAN_WRITE)
    return plan_read(svc.save_plan(sf, site_id, body.threat, body.sections, now=utcnow(),
                                   review_date=body.review_date, account_id=auth.user_id))


@router.post("/sites/{site_id}/emergency-plans/draft", response_model=PlanRead, status_code=201,
             dependencies=[require(P.EPLAN_WRITE)])
def draft_plan(site_id: IdPath, body: DraftCreate, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
               auth: AuthDep) -> PlanRead:
    """A draft from data: people at the peak hour, exits, assembly points, units, hospitals, vehicle approaches."""
    site_in_scope(session, guard, site_id, P.EPLAN_WRITE)
    return plan_read(drafting.draft_site(sf, site_id, body.threat, now=utcnow(), account_id=auth.user_id))


@router.get("/sites/{site_id}/readiness", response_model=ReadinessRead, dependencies=[require(P.EPLAN_READ)])
def readiness(site_id: IdPath, session: SessionDep, guard: GuardDep) -> ReadinessRead:
    """Requirement level from the site's tiers, top three threats, plans' completeness flags, training counts."""
    site_in_scope(session, guard, site_id, P.EPLAN_READ, "readiness")
    r = svc.readiness(session, site_id, now=utcnow())
    return ReadinessRead(site_id=r.site_id, site_name=r.site_name, level=r.level, tiers=[list(t) for t in r.tiers],
                         top_threats=list(r.top_threats), missing_scenarios=list(r.missing_scenarios),
                         plans={k: list(v) for k, v in r.plans.items()}, trained=r.training[0],
                         expected=r.training[1], invacuation=r.invacuation)


@router.post("/sites/{site_id}/emergency-plan-tasks", response_model=PlanTasksRead,
             dependencies=[require(P.EPLAN_WRITE, P.TASK_WRITE)])
def plan_tasks(site_id: IdPath, body: PlanTasksCreate, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
               auth: AuthDep) -> PlanTasksRead:
    """A rectification task for each top-three threat without a plan; re-runs create none."""
    site_in_scope(session, guard, site_id, P.EPLAN_WRITE)
    site_in_scope(session, guard, site_id, P.TASK_WRITE)
    created, existing = svc.create_plan_tasks(sf, site_id, now=utcnow(), owner_agency=body.owner_agency,
                                              deadline_days=body.deadline_days, actor_account_id=auth.user_id)
    return PlanTasksRead(site_id=site_id, created=created, existing=existing)


def _exit(e: Any) -> ExitRead:
    return ExitRead(id=e.id, label=e.label, width_m=e.width_m, lon=e.lon, lat=e.lat, source=e.source)


@router.get("/sites/{site_id}/exits", response_model=Page[ExitRead], dependencies=[require(P.EPLAN_READ)])
def get_exits(site_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[ExitRead]:
    site_in_scope(session, guard, site_id, P.EPLAN_READ)
    return Page[ExitRead].mapped(svc.site_exits(session, site_id), page, _exit)


@router.put("/sites/{site_id}/exits", response_model=ExitsRead, dependencies=[require(P.EPLAN_WRITE)])
def put_exits(site_id: IdPath, body: ExitsUpdate, sf: SessionFactoryDep, session: SessionDep,
              guard: GuardDep) -> ExitsRead:
    """Replace the site's user-entered exits (clear widths in metres)."""
    site_in_scope(session, guard, site_id, P.EPLAN_WRITE)
    rows = svc.set_exits(sf, site_id, [e.model_dump() for e in body.exits])
    return ExitsRead(site_id=site_id, exits=[_exit(e) for e in rows],
                     clear_width_m=round(sum(e.width_m for e in rows), 3))


def _spaces_read(s: Session, site_id: int) -> SpacesRead:
    v = svc.site_spaces_view(s, site_id)
    return SpacesRead(site_id=site_id, spaces=[SpaceRead(id=r.id, kind=r.kind, label=r.label, area_m2=r.area_m2,
                                                         capacity=r.capacity, source=r.source) for r in v.rows],
                      protected_spaces=v.protected_spaces, lockable_zones=v.lockable_zones, invacuation=v.invacuation)


@router.get("/sites/{site_id}/spaces", response_model=SpacesRead, dependencies=[require(P.EPLAN_READ)])
def get_spaces(site_id: IdPath, session: SessionDep, guard: GuardDep) -> SpacesRead:
    """Protected spaces (invacuation) and lockable zones on record, the plan lines they give, and the capacity
    against the peak-hour people (the site's building stands in when no protected space is entered)."""
    site_in_scope(session, guard, site_id, P.EPLAN_READ)
    return _spaces_read(session, site_id)


@router.put("/sites/{site_id}/spaces", response_model=SpacesRead, dependencies=[require(P.EPLAN_WRITE)])
def put_spaces(site_id: IdPath, body: SpacesUpdate, sf: SessionFactoryDep, session: SessionDep,
               guard: GuardDep) -> SpacesRead:
    """Replace the site's user-entered spaces: [{kind, label, area_m2?, capacity?}] (a protected space needs its
    usable area or its capacity)."""
    site_in_scope(session, guard, site_id, P.EPLAN_WRITE)
    sp_svc.set_spaces(sf, site_id, [x.model_dump() for x in body.spaces])
    session.expire_all()
    return _spaces_read(session, site_id)


@router.get("/sites/{site_id}/training", response_model=Page[TrainingRead], dependencies=[require(P.EPLAN_READ)])
def get_training(site_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[TrainingRead]:
    site_in_scope(session, guard, site_id, P.EPLAN_READ)
    return Page[TrainingRead].mapped(svc.training(session, site_id), page, lambda r: TrainingRead(
        position=r.position, trained=r.trained, expected=r.expected, updated_at=r.updated_at))


@router.put("/sites/{site_id}/training", response_model=TrainingRead, dependencies=[require(P.EPLAN_WRITE)])
def put_training(site_id: IdPath, body: TrainingUpdate, sf: SessionFactoryDep, session: SessionDep,
                 guard: GuardDep) -> TrainingRead:
    """'18 of 22 stewards trained': counts per site and position, never who."""
    site_in_scope(session, guard, site_id, P.EPLAN_WRITE)
    r = svc.set_training(sf, site_id, body.position, trained=body.trained, expected=body.expected, now=utcnow())
    return TrainingRead(position=r.position, trained=r.trained, expected=r.expected, updated_at=r.updated_at)


@router.get("/emergency-plans/{eplan_id}", response_model=PlanRead, dependencies=[require(P.EPLAN_READ)])
def get_plan(eplan_id: IdPath, session: SessionDep, guard: GuardDep) -> PlanRead:
    p = _plan_in_scope(session, guard, eplan_id, P.EPLAN_READ)
    guard.sensitive_read("emergency_plan", eplan_id, "emergency_plan")
    return plan_read(p)


@router.post("/emergency-plans/{eplan_id}/approve", response_model=PlanRead, dependencies=[require(P.EPLAN_APPROVE)])
def approve_plan(eplan_id: IdPath, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
                 auth: AuthDep) -> PlanRead:
    """Approve the newest draft: by an account other than its author."""
    _plan_in_scope(session, guard, eplan_id, P.EPLAN_APPROVE)
    return plan_read(svc.approve_plan(sf, eplan_id, account_id=auth.user_id, now=utcnow()))


@router.get("/emergency-plans/{eplan_id}/print", response_model=None, responses=DOC,
            dependencies=[require(P.EPLAN_READ)])
def print_plan(eplan_id: IdPath, session: SessionDep, guard: GuardDep,
               lang: Annotated[Literal["en", "zh-CN"], Query()] = "en",
               format: Annotated[Literal["html", "pdf"], Query()] = "html") -> Response:
    p = _plan_in_scope(session, guard, eplan_id, P.EPLAN_READ)
    guard.sensitive_read("emergency_plan", eplan_id, "emergency_plan_print")
    r = svc.readiness(session, p.site_id, now=utcnow())
    html = render.plan_html(p, SiteRepo(session).get(p.site_id), flags=r.plans.get(p.threat, ()), lang=lang,
                            generated_at=utcnow(), invacuation=r.invacuation)
    if format == "pdf":
        return Response(render.to_pdf(html), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="emergency-plan-{eplan_id}.pdf"'})
    return HTMLResponse(html)


@router.post("/regions/{region_id}/emergency-plans/draft", response_model=JobRead, status_code=202,
             dependencies=[require(P.EPLAN_WRITE)], responses=ACCEPTED_DOC)
def draft_region(region_id: IdPath, body: RegionDraftCreate, request: Request, response: Response,
                 session: SessionDep, guard: GuardDep) -> JobRead:
    """Queue the drafting of the top threats' plans for every site of the region (or `site_ids`): 202 with
    Location /api/v1/jobs/{id}; the job's result counts the plans created and unchanged (a re-run creates none)."""
    region_in_scope(session, guard, region_id, P.EPLAN_WRITE)
    params = {"region_id": region_id, "site_ids": body.site_ids, "threats_per_site": body.threats_per_site,
              "now": utcnow().isoformat()}
    return accept(request, response, DRAFT_REGION_JOB, params, region_id=region_id)


# ---------------------------------------------------------------- exercises


@router.get("/regions/{region_id}/exercises", response_model=Page[ExerciseRead], dependencies=[require(P.EPLAN_READ)])
def list_exercises(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep,
                   year: Annotated[int | None, Query(ge=1970, le=2200)] = None) -> Page[ExerciseRead]:
    region_in_scope(session, guard, region_id, P.EPLAN_READ)
    return Page[ExerciseRead].mapped(ex.list_exercises(session, region_id, year=year), page, exercise_read)


@router.post("/regions/{region_id}/exercises", response_model=ExerciseRead, status_code=201,
             dependencies=[require(P.EXERCISE_WRITE)])
def create_exercise(region_id: IdPath, body: ExerciseCreate, sf: SessionFactoryDep, session: SessionDep,
                    guard: GuardDep, auth: AuthDep) -> ExerciseRead:
    region_in_scope(session, guard, region_id, P.EXERCISE_WRITE)
    e = ex.create_exercise(sf, region_id, name=body.name, type=body.type, start=body.start, end=body.end,
                           site_ids=body.site_ids, agencies=body.agencies,
                           objectives=[o.model_dump() for o in body.objectives], threat=body.threat,
                           owner_agency_id=auth.principal.agency_id, now=utcnow())
    return exercise_read(e)


@router.get("/regions/{region_id}/exercise-calendar", response_model=CalendarRead,
            dependencies=[require(P.EPLAN_READ)])
def exercise_calendar(region_id: IdPath, session: SessionDep, guard: GuardDep,
                      first_year: Annotated[int, Query(ge=2000, le=2200)] = 2027,
                      years: Annotated[int, Query(ge=1, le=10)] = 3) -> CalendarRead:
    """The programme with the frequency rules' gaps, conflicts and proposals that fill every gap."""
    region_in_scope(session, guard, region_id, P.EPLAN_READ)
    c = ex.calendar(session, region_id, first_year=first_year, years=years)
    return CalendarRead(region_id=region_id, first_year=first_year, years=years, mode="EXERCISE", rules=c["rules"],
                        pack=c["pack"], pack_source=c["pack_source"],
                        exercises=[exercise_read(e) for e in c["exercises"]],
                        gaps=[GapRead(**g.__dict__) for g in c["gaps"]],
                        conflicts=[ClashRead(**k.__dict__) for k in c["conflicts"]],
                        proposals=[ProposalRead(type=p.type, start=p.start, end=p.end, site_ids=list(p.site_ids))
                                   for p in c["proposals"]])


@router.get("/regions/{region_id}/exercise-calendar-pack", response_model=CalendarPackRead,
            dependencies=[require(P.EPLAN_READ)])
def get_calendar_pack(region_id: IdPath, session: SessionDep, guard: GuardDep) -> CalendarPackRead:
    """The calendar's rule pack in force: the region's own, else the bundled default."""
    region_in_scope(session, guard, region_id, P.EPLAN_READ)
    pack, source = calendar_packs.region_pack(session, region_id)
    return CalendarPackRead(region_id=region_id, source=source,  # type: ignore[arg-type]
                            pack=calendar_packs.pack_document(pack))


@router.put("/regions/{region_id}/exercise-calendar-pack", response_model=CalendarPackRead,
            dependencies=[require(P.EXERCISE_WRITE)])
def put_calendar_pack(region_id: IdPath, body: CalendarPackUpdate, sf: SessionFactoryDep, session: SessionDep,
                      guard: GuardDep, auth: AuthDep) -> CalendarPackRead:
    """Load the region's own rule pack (YAML): every rule cites its source; errors name the rule and field."""
    region_in_scope(session, guard, region_id, P.EXERCISE_WRITE)
    pack = calendar_packs.set_region_pack(sf, region_id, body.yaml, now=utcnow(), account_id=auth.user_id)
    return CalendarPackRead(region_id=region_id, source="region", pack=calendar_packs.pack_document(pack))


@router.delete("/regions/{region_id}/exercise-calendar-pack", status_code=204, response_model=None,
               dependencies=[require(P.EXERCISE_WRITE)])
def delete_calendar_pack(region_id: IdPath, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep) -> Response:
    """Back to the bundled default pack."""
    region_in_scope(session, guard, region_id, P.EXERCISE_WRITE)
    calendar_packs.clear_region_pack(sf, region_id)
    return Response(status_code=204)


@router.get("/regions/{region_id}/exercises.ics", response_model=None, responses=ICS,
            dependencies=[require(P.EPLAN_READ)])
def export_ics(region_id: IdPath, session: SessionDep, guard: GuardDep) -> Response:
    region_in_scope(session, guard, region_id, P.EPLAN_READ)
    data = ical.to_ics(ex.list_exercises(session, region_id), now=utcnow())
    return Response(data, media_type="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="exercises-region-{region_id}.ics"'})


@router.post("/regions/{region_id}/exercises.ics", response_model=IcsImportRead,
             dependencies=[require(P.EXERCISE_WRITE)])
def import_ics(region_id: IdPath, body: IcsImportCreate, sf: SessionFactoryDep, session: SessionDep,
               guard: GuardDep, auth: AuthDep) -> IcsImportRead:
    """Upsert exercises by UID from an iCalendar file (RRULEs expanded within horizon_years)."""
    region_in_scope(session, guard, region_id, P.EXERCISE_WRITE)
    r = ical.import_ics(sf, region_id, body.ics.encode("utf-8"), now=utcnow(), default_site_ids=body.default_site_ids,
                        default_type=body.default_type, horizon_years=body.horizon_years,
                        owner_agency_id=auth.principal.agency_id)
    return IcsImportRead(created=list(r.created), updated=list(r.updated), unchanged=list(r.unchanged),
                         skipped_finalised=list(r.skipped_finalised))


@router.get("/exercises/{exercise_id}", response_model=ExerciseRead, dependencies=[require(P.EPLAN_READ)])
def get_exercise(exercise_id: IdPath, session: SessionDep, guard: GuardDep) -> ExerciseRead:
    return exercise_read(_exercise_in_scope(session, guard, exercise_id, P.EPLAN_READ))


@router.post("/exercises/{exercise_id}/msel", response_model=ExerciseRead, dependencies=[require(P.EXERCISE_WRITE)])
def generate_msel(exercise_id: IdPath, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep) -> ExerciseRead:
    """(Re)generate the injects from the models: vehicle approach, unit arrivals, cordon, evacuation."""
    _exercise_in_scope(session, guard, exercise_id, P.EXERCISE_WRITE)
    return exercise_read(ex.generate_msel(sf, exercise_id))


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MSEL_CSV: dict[int | str, dict[str, Any]] = {200: {"description": "the MSEL as CSV (formula-injection safe)",
                                                  "content": {"text/csv": {"schema": {"type": "string"}}}}}
MSEL_XLSX: dict[int | str, dict[str, Any]] = {200: {"description": "the MSEL as an XLSX workbook", "content": {
    XLSX_MIME: {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/exercises/{exercise_id}/msel.csv", response_model=None, responses=MSEL_CSV,
            dependencies=[require(P.EPLAN_READ)])
def export_msel_csv(exercise_id: IdPath, session: SessionDep, guard: GuardDep) -> Response:
    """The injects, one row each (every row EXERCISE); text cells cannot run as spreadsheet formulas."""
    e = _exercise_in_scope(session, guard, exercise_id, P.EPLAN_READ)
    return Response(msel_io.to_csv(e.msel), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="msel-exercise-{exercise_id}.csv"'})


@router.get("/exercises/{exercise_id}/msel.xlsx", response_model=None, responses=MSEL_XLSX,
            dependencies=[require(P.EPLAN_READ)])
def export_msel_xlsx(exercise_id: IdPath, session: SessionDep, guard: GuardDep) -> Response:
    """The injects as an XLSX workbook (sheet 'MSEL (EXERCISE)'; text cells are strings, never formulas)."""
    e = _exercise_in_scope(session, guard, exercise_id, P.EPLAN_READ)
    return Response(msel_io.to_xlsx(e.msel, title=e.name, created=e.created_at), media_type=XLSX_MIME,
                    headers={"Content-Disposition": f'attachment; filename="msel-exercise-{exercise_id}.xlsx"'})


@router.get("/exercises/{exercise_id}/clock", response_model=ClockRead, dependencies=[require(P.EPLAN_READ)])
def get_clock(exercise_id: IdPath, session: SessionDep, guard: GuardDep) -> ClockRead:
    """The exercise clock: state, speed, exercise time, its timeline and the injects released so far."""
    e = _exercise_in_scope(session, guard, exercise_id, P.EPLAN_READ)
    return ClockRead(**ex_clock.view(e, now=utcnow()))


@router.post("/exercises/{exercise_id}/clock", response_model=ClockRead, dependencies=[require(P.EXERCISE_WRITE)])
def clock_action(exercise_id: IdPath, body: ClockAction, sf: SessionFactoryDep, session: SessionDep,
                 guard: GuardDep) -> ClockRead:
    """Start, pause, resume, or change the speed (discussion-based exercises only); due injects are released
    now and then by the server's ticker at their scheduled exercise time."""
    _exercise_in_scope(session, guard, exercise_id, P.EXERCISE_WRITE)
    now = utcnow()
    e, _released = ex_clock.act(sf, exercise_id, body.action, now=now, speed=body.speed)
    return ClockRead(**ex_clock.view(e, now=now))


@router.put("/exercises/{exercise_id}/evaluation", response_model=ExerciseRead,
            dependencies=[require(P.EXERCISE_WRITE)])
def put_evaluation(exercise_id: IdPath, body: EvaluationUpdate, sf: SessionFactoryDep, session: SessionDep,
                   guard: GuardDep) -> ExerciseRead:
    _exercise_in_scope(session, guard, exercise_id, P.EXERCISE_WRITE)
    return exercise_read(ex.evaluate(sf, exercise_id, ratings=body.ratings,
                                     observed_arrivals_s=body.observed_arrivals_s,
                                     drills=[d.model_dump() for d in body.drills], notes=body.notes))


@router.put("/exercises/{exercise_id}/aar", response_model=ExerciseRead, dependencies=[require(P.EXERCISE_WRITE)])
def put_aar(exercise_id: IdPath, body: AarUpdate, sf: SessionFactoryDep, session: SessionDep,
            guard: GuardDep) -> ExerciseRead:
    _exercise_in_scope(session, guard, exercise_id, P.EXERCISE_WRITE)
    items = [{**i.model_dump(), "due": i.due.isoformat()} for i in body.improvements]
    return exercise_read(ex.set_aar(sf, exercise_id, strengths=body.strengths, improvements=items, now=utcnow()))


@router.get("/exercises/{exercise_id}/aar/print", response_model=None, responses=DOC,
            dependencies=[require(P.EPLAN_READ)])
def print_aar(exercise_id: IdPath, session: SessionDep, guard: GuardDep,
              lang: Annotated[Literal["en", "zh-CN"], Query()] = "en",
              format: Annotated[Literal["html", "pdf"], Query()] = "html") -> Response:
    """The after-action report and improvement plan (HSEEP): ratings, strengths, areas for improvement,
    improvement items with agency, deadline and task; marked EXERCISE."""
    _exercise_in_scope(session, guard, exercise_id, P.EPLAN_READ)
    html = render.aar_html(aar_doc.aar_report(session, exercise_id), lang=lang, generated_at=utcnow())
    if format == "pdf":
        return Response(render.to_pdf(html), media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="aar-exercise-{exercise_id}.pdf"'})
    return HTMLResponse(html)


@router.post("/exercises/{exercise_id}/finalise", response_model=FinaliseRead,
             dependencies=[require(P.EXERCISE_WRITE)])
def finalise(exercise_id: IdPath, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
             auth: AuthDep) -> FinaliseRead:
    """Close the exercise: refused while an M/U-rated capability has no corrective action; improvement items
    become rectification tasks; drill results update the sites' measures (documented rule)."""
    _exercise_in_scope(session, guard, exercise_id, P.EXERCISE_WRITE)
    e, tasks = ex.finalise(sf, exercise_id, now=utcnow(), actor_account_id=auth.user_id)
    return FinaliseRead(exercise=exercise_read(e), task_ids=tasks)
