"""Incident routes (thin: parse, authorize by the incident's region, call one service, return a schema)."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated
from typing import Literal

import anyio
from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.http import AuthDep
from bastion.access.http import GuardDep
from bastion.access.http import client_address
from bastion.access.http import require
from bastion.access.http import site_resource
from bastion.access.policy import Permission
from bastion.access.policy import Resource
from bastion.incidents import csvimport
from bastion.incidents import dispatch
from bastion.incidents import render
from bastion.incidents import replay
from bastion.incidents import runcards
from bastion.incidents import service as svc
from bastion.incidents import sitreps
from bastion.incidents import warnings as cap
from bastion.incidents.enums import Mode
from bastion.incidents.models import Incident
from bastion.incidents.models import Sitrep
from bastion.incidents.models import SitrepSchedule
from bastion.incidents.models import Warning
from bastion.incidents.schemas import BoardRead
from bastion.incidents.schemas import BoardRowRead
from bastion.incidents.schemas import CloseCreate
from bastion.incidents.schemas import CloseRead
from bastion.incidents.schemas import CordonPut
from bastion.incidents.schemas import CordonRead
from bastion.incidents.schemas import DispatchCreate
from bastion.incidents.schemas import FrameRead
from bastion.incidents.schemas import IncidentCreate
from bastion.incidents.schemas import IncidentImport
from bastion.incidents.schemas import IncidentImportRead
from bastion.incidents.schemas import IncidentRead
from bastion.incidents.schemas import IncidentUpdate
from bastion.incidents.schemas import MoveRead
from bastion.incidents.schemas import MoveUpRead
from bastion.incidents.schemas import NoteCreate
from bastion.incidents.schemas import RankedRead
from bastion.incidents.schemas import RecommendationRead
from bastion.incidents.schemas import RunCardRead
from bastion.incidents.schemas import SiteInRingRead
from bastion.incidents.schemas import SitrepCountsRead
from bastion.incidents.schemas import SitrepRead
from bastion.incidents.schemas import SitrepSchedulePut
from bastion.incidents.schemas import SitrepScheduleRead
from bastion.incidents.schemas import TimelineEntryRead
from bastion.incidents.schemas import UnitStateRead
from bastion.incidents.schemas import UnitStateUpdate
from bastion.incidents.schemas import WarningCreate
from bastion.incidents.schemas import WarningRead
from bastion.jobs.service import principal_snapshot
from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import NotFound
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep
from bastion.sites.models import Site
from bastion.units.models import ResponseUnit

router = APIRouter(prefix="/api/v1", tags=["incidents"])
P = Permission
READ, WRITE, COMMAND = require(P.INCIDENT_READ), require(P.INCIDENT_WRITE), require(P.INCIDENT_COMMAND)
LangQ = Annotated[Literal["en", "zh-CN"], Query(description="the report's language: en (default) or zh-CN")]
ModesQ = Annotated[list[Mode] | None, Query(description="modes to include; default real only")]


def _res(region_id: int) -> Resource:
    return Resource(region_id=region_id, visibility=P.INCIDENT_READ)


def _incident(s: Session, guard: GuardDep, incident_id: int, permission: Permission) -> Incident:
    try:
        inc = svc.get_incident(s, incident_id)
    except NotFound:
        raise NotFound(f"incident {incident_id} does not exist") from None
    guard.check(permission, _res(inc.region_id), object_type="incident", object_id=incident_id)
    return inc


def _actor(request: Request, auth: AuthDep) -> svc.Actor:
    return svc.Actor(auth.principal.actor, auth.user_id, client_address(request))


def incident_read(inc: Incident) -> IncidentRead:
    return IncidentRead.model_validate(inc, from_attributes=True)


def _modes(modes: list[Mode] | None) -> tuple[str, ...]:
    return tuple(m.value for m in modes) if modes else (Mode.REAL.value,)


@router.get("/incidents", response_model=Page[IncidentRead], dependencies=[READ])
def list_incidents(session: SessionDep, guard: GuardDep, page: PageDep, modes: ModesQ = None,
                   region_id: Annotated[int | None, Query(ge=1)] = None,
                   status: Annotated[str | None, Query(pattern="^(open|closed)$")] = None) -> Page[IncidentRead]:
    """Incidents in the caller's jurisdictions, newest first; real ones only unless ``modes`` asks."""
    scope = guard.scope(P.INCIDENT_READ)
    rows = [i for i in svc.list_incidents(session, region_ids=None if region_id is None else [region_id],
                                          modes=_modes(modes), status=status) if scope.admits(i.region_id)]
    return Page[IncidentRead].mapped(rows, page, incident_read)


@router.post("/incidents", response_model=IncidentRead, status_code=201, dependencies=[WRITE])
def create_incident(body: IncidentCreate, request: Request, sf: SessionFactoryDep, guard: GuardDep,
                    auth: AuthDep) -> IncidentRead:
    guard.check(P.INCIDENT_WRITE, _res(body.region_id), object_type="region", object_id=body.region_id)
    spec = svc.IncidentSpec(region=body.region_id, **body.model_dump(exclude={"region_id"}))
    return incident_read(svc.create_incident(sf, spec, actor=_actor(request, auth), now=utcnow()))


@router.post("/regions/{region_id}/incident-imports", response_model=IncidentImportRead, dependencies=[WRITE])
def import_incidents(region_id: IdPath, body: IncidentImport, request: Request, sf: SessionFactoryDep,
                     guard: GuardDep, auth: AuthDep) -> IncidentImportRead:
    """Incidents from CSV: every row validated (personal data refused in every free-text field), all or none;
    a ``ref`` the region already holds is skipped, so a re-import changes nothing."""
    guard.check(P.INCIDENT_WRITE, _res(region_id), object_type="region", object_id=region_id)
    r = csvimport.import_csv(sf, region_id, body.csv, actor=_actor(request, auth), now=utcnow())
    return IncidentImportRead(rows=r.rows, created=r.created, existing=r.existing)


@router.get("/incidents/{incident_id}", response_model=IncidentRead, dependencies=[READ])
def get_incident(incident_id: IdPath, session: SessionDep, guard: GuardDep) -> IncidentRead:
    return incident_read(_incident(session, guard, incident_id, P.INCIDENT_READ))


@router.patch("/incidents/{incident_id}", response_model=IncidentRead, dependencies=[WRITE])
def patch_incident(incident_id: IdPath, body: IncidentUpdate, request: Request, sf: SessionFactoryDep,
                   session: SessionDep, guard: GuardDep, auth: AuthDep) -> IncidentRead:
    """Edit M/ETHANE fields; ``version`` must be the one read (else 409: someone else changed it)."""
    _incident(session, guard, incident_id, P.INCIDENT_WRITE)
    changes = {k: getattr(body, k) for k in body.model_fields_set if k != "version"}
    return incident_read(svc.update_incident(sf, incident_id, changes, expected_version=body.version,
                                             actor=_actor(request, auth), now=utcnow()))


@router.get("/incidents/{incident_id}/timeline", response_model=Page[TimelineEntryRead], dependencies=[READ])
def get_timeline(incident_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[TimelineEntryRead]:
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    return Page[TimelineEntryRead].mapped(svc.timeline(session, incident_id), page,
                                          lambda e: TimelineEntryRead.model_validate(e, from_attributes=True))


@router.get("/incidents/{incident_id}/replay", response_model=Page[FrameRead], dependencies=[READ])
def get_replay(incident_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[FrameRead]:
    """The incident's state after each timeline entry (for replay on the map)."""
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    return Page[FrameRead].mapped(replay.frames(svc.timeline(session, incident_id)), page,
                                  lambda f: FrameRead(**f.__dict__))


@router.post("/incidents/{incident_id}/notes", response_model=TimelineEntryRead, status_code=201,
             dependencies=[WRITE])
def add_note(incident_id: IdPath, body: NoteCreate, request: Request, sf: SessionFactoryDep, session: SessionDep,
             guard: GuardDep, auth: AuthDep) -> TimelineEntryRead:
    _incident(session, guard, incident_id, P.INCIDENT_WRITE)
    e = svc.add_note(sf, incident_id, body.text, actor=_actor(request, auth), now=utcnow())
    return TimelineEntryRead.model_validate(e, from_attributes=True)


def _fin(v: float) -> float | None:
    return v if v != float("inf") else None


@router.get("/incidents/{incident_id}/recommendation", response_model=RecommendationRead, dependencies=[READ])
def recommendation(incident_id: IdPath, session: SessionDep, guard: GuardDep,
                   limit_s: Annotated[float, Query(ge=30, le=7200)] = 900) -> RecommendationRead:
    """The region's dispatchable units ranked by road ETA (one bounded reverse search from the incident)."""
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    rec = dispatch.recommend(session, incident_id, limit_s=limit_s)
    return RecommendationRead(
        incident_id=incident_id, required_capabilities=list(rec.required), limit_s=rec.limit_s,
        target_nodes=rec.target_nodes, cordon_closed_nodes=rec.cordon_closed_nodes,
        units=[RankedRead(unit_id=r.unit_id, call_sign=rec.call_signs[r.unit_id], status=rec.statuses[r.unit_id],  # type: ignore[arg-type]
                          travel_s=_fin(r.travel_s), eta_s=_fin(r.eta_s), meets_s=list(r.meets_s),
                          capability_match=list(r.capability_match), capability_missing=list(r.capability_missing))
               for r in rec.ranked])


def unit_state_read(v: svc.UnitView) -> UnitStateRead:
    lon, lat = v.position
    return UnitStateRead(unit_id=v.unit.id, region_id=v.unit.region_id, call_sign=v.unit.name,
                         unit_type=v.unit.unit_type, status=v.state.status, lon=lon, lat=lat,  # type: ignore[arg-type]
                         position_at=v.state.position_at, incident_id=v.state.incident_id,
                         crew_count=v.state.crew_count, capabilities=sorted(v.capabilities), version=v.state.version)


@router.post("/incidents/{incident_id}/dispatch", response_model=Page[UnitStateRead], dependencies=[COMMAND])
def dispatch_units(incident_id: IdPath, body: DispatchCreate, request: Request, sf: SessionFactoryDep,
                   session: SessionDep, guard: GuardDep, auth: AuthDep, page: PageDep) -> Page[UnitStateRead]:
    inc = _incident(session, guard, incident_id, P.INCIDENT_COMMAND)
    for v in svc.unit_views(session, unit_ids=body.unit_ids):
        if v.unit.region_id != inc.region_id:
            raise NotFound(f"unit {v.unit.id} does not exist")
    out = dispatch.dispatch_units(sf, incident_id, body.unit_ids, actor=_actor(request, auth), now=utcnow())
    return Page[UnitStateRead].mapped(out, page, unit_state_read)


def cordon_read(session: Session, incident_id: int) -> CordonRead:
    view = dispatch.cordon_view(session, incident_id, at=utcnow())
    c = view.cordon
    return CordonRead(incident_id=incident_id, lon=c.lon, lat=c.lat, inner_m=c.inner_m, outer_m=c.outer_m,
                      device=c.device, source=c.source, active=c.active, version=c.version,
                      people_inner=view.people_inner, people_outer=view.people_outer,
                      closed_road_nodes=view.closed_road_nodes,
                      sites=[SiteInRingRead(**x.__dict__) for x in view.sites])


@router.put("/incidents/{incident_id}/cordon", response_model=CordonRead, dependencies=[COMMAND])
def put_cordon(incident_id: IdPath, body: CordonPut, request: Request, sf: SessionFactoryDep, session: SessionDep,
               guard: GuardDep, auth: AuthDep) -> CordonRead:
    """Draw or redraw the cordon (NCTC chart for a device, the type's default, or given radii)."""
    _incident(session, guard, incident_id, P.INCIDENT_COMMAND)
    dispatch.draw_cordon(sf, incident_id, actor=_actor(request, auth), now=utcnow(), inner_m=body.inner_m,
                         outer_m=body.outer_m, device=body.device, lon=body.lon, lat=body.lat, active=body.active)
    with sf() as s:
        return cordon_read(s, incident_id)


@router.get("/incidents/{incident_id}/cordon", response_model=CordonRead, dependencies=[READ])
def get_cordon(incident_id: IdPath, session: SessionDep, guard: GuardDep) -> CordonRead:
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    return cordon_read(session, incident_id)


@router.post("/incidents/{incident_id}/close", response_model=CloseRead, dependencies=[COMMAND])
def close_incident(incident_id: IdPath, body: CloseCreate, request: Request, sf: SessionFactoryDep,
                   session: SessionDep, guard: GuardDep, auth: AuthDep) -> CloseRead:
    """Close; each lesson becomes a rectification task (owner agency, deadline) at the incident's site."""
    _incident(session, guard, incident_id, P.INCIDENT_COMMAND)
    lessons = [svc.LessonSpec(x.text, x.owner_agency, x.deadline_days, x.site_id) for x in body.lessons]
    inc, tasks = svc.close_incident(sf, incident_id, expected_version=body.version, actor=_actor(request, auth),
                                    now=utcnow(), lessons=lessons)
    return CloseRead(incident=incident_read(inc), task_ids=tasks)


@router.get("/incidents/{incident_id}/report", dependencies=[READ],
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def report(incident_id: IdPath, session: SessionDep, guard: GuardDep,
           format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html", lang: LangQ = "en") -> Response:
    """Situation report (ICS-209-like: positions, call signs and counts, never names), in English or Chinese."""
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    guard.sensitive_read("incident", incident_id, "sitrep")
    html = render.sitrep_html(session, incident_id, at=utcnow(), lang=lang)
    if format == "pdf":
        return Response(render.to_pdf(html), media_type="application/pdf")
    return Response(html, media_type="text/html; charset=utf-8")


# ---------------------------------------------------------------- run cards


def _card(session: Session, guard: GuardDep, site_id: int, first: int, limit_s: float) -> runcards.RunCard:
    site = session.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id} does not exist")
    guard.check(P.INCIDENT_READ, site_resource(site), object_type="site", object_id=site_id)
    return runcards.run_card(session, site_id, first=first, limit_s=limit_s)


FirstQ = Annotated[int, Query(ge=1, le=runcards.MAX_FIRST, description="how many first units to list")]
LimitQ = Annotated[float, Query(ge=30, le=7200, description="search limit (s)")]


@router.get("/sites/{site_id}/run-card", response_model=RunCardRead, dependencies=[READ])
def get_run_card(site_id: IdPath, session: SessionDep, guard: GuardDep, first: FirstQ = 5,
                 limit_s: LimitQ = 900) -> RunCardRead:
    """The site's pre-planned first units by road travel time from their bases, and per incident type the
    nearest unit holding each capability the type needs."""
    card = _card(session, guard, site_id, first, limit_s)
    return RunCardRead.model_validate(card, from_attributes=True)


@router.get("/sites/{site_id}/run-card/print", dependencies=[READ],
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def print_run_card(site_id: IdPath, session: SessionDep, guard: GuardDep, first: FirstQ = 5, limit_s: LimitQ = 900,
                   format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html",  # noqa: A002
                   lang: LangQ = "en") -> Response:
    """The run card to print (HTML or PDF, English or Chinese)."""
    html = runcards.run_card_html(_card(session, guard, site_id, first, limit_s), lang=lang, at=utcnow())
    if format == "pdf":
        return Response(render.to_pdf(html), media_type="application/pdf")
    return Response(html, media_type="text/html; charset=utf-8")


# ---------------------------------------------------------------- scheduled situation reports


def schedule_read(incident_id: int, sched: SitrepSchedule | None) -> SitrepScheduleRead:
    if sched is None:
        return SitrepScheduleRead(incident_id=incident_id, active=False)
    return SitrepScheduleRead.model_validate(sched, from_attributes=True)


def sitrep_read(rep: Sitrep) -> SitrepRead:
    base = f"/api/v1/incidents/{rep.incident_id}/sitreps/{rep.id}"
    return SitrepRead(id=rep.id, incident_id=rep.incident_id, report_no=rep.report_no, mode=rep.mode,  # type: ignore[arg-type]
                      lang=rep.lang, due_at=rep.due_at, generated_at=rep.generated_at,
                      counts=SitrepCountsRead(**rep.counts), job_id=rep.job_id, html_url=base,
                      pdf_url=f"{base}?format=pdf" if rep.pdf is not None else None)


@router.get("/incidents/{incident_id}/sitrep-schedule", response_model=SitrepScheduleRead, dependencies=[READ])
def get_sitrep_schedule(incident_id: IdPath, session: SessionDep, guard: GuardDep) -> SitrepScheduleRead:
    """The incident's situation-report schedule (``active`` false when there is none)."""
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    return schedule_read(incident_id, session.get(SitrepSchedule, incident_id))


@router.put("/incidents/{incident_id}/sitrep-schedule", response_model=SitrepScheduleRead, dependencies=[COMMAND])
def put_sitrep_schedule(incident_id: IdPath, body: SitrepSchedulePut, request: Request, sf: SessionFactoryDep,
                        session: SessionDep, guard: GuardDep, auth: AuthDep) -> SitrepScheduleRead:
    """Set or replace the schedule; each report is generated as a job running with the setter's grants."""
    _incident(session, guard, incident_id, P.INCIDENT_COMMAND)
    sched = sitreps.set_schedule(sf, incident_id, interval_min=body.interval_min, times_utc=body.times_utc,
                                 lang=body.lang, actor=_actor(request, auth),
                                 principal=principal_snapshot(auth.principal), now=utcnow())
    return schedule_read(incident_id, sched)


@router.delete("/incidents/{incident_id}/sitrep-schedule", status_code=204, dependencies=[COMMAND])
def delete_sitrep_schedule(incident_id: IdPath, request: Request, sf: SessionFactoryDep, session: SessionDep,
                           guard: GuardDep, auth: AuthDep) -> Response:
    """Stop the schedule (reports already made are kept); stopping no schedule changes nothing."""
    _incident(session, guard, incident_id, P.INCIDENT_COMMAND)
    sched = session.get(SitrepSchedule, incident_id)
    if sched is not None and sched.active:
        sitreps.stop_schedule(sf, incident_id, actor=_actor(request, auth), now=utcnow())
    return Response(status_code=204)


@router.get("/incidents/{incident_id}/sitreps", response_model=Page[SitrepRead], dependencies=[READ])
def list_incident_sitreps(incident_id: IdPath, session: SessionDep, guard: GuardDep,
                          page: PageDep) -> Page[SitrepRead]:
    """The incident's generated situation reports, newest first, with their generation time and counts."""
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    return Page[SitrepRead].mapped(sitreps.list_sitreps(session, incident_id=incident_id), page, sitrep_read)


@router.get("/sitreps", response_model=Page[SitrepRead], dependencies=[READ])
def list_all_sitreps(session: SessionDep, guard: GuardDep, page: PageDep, modes: ModesQ = None) -> Page[SitrepRead]:
    """Generated situation reports in the caller's jurisdictions, newest first; real incidents' only unless
    ``modes`` asks."""
    scope = guard.scope(P.INCIDENT_READ)
    rows = sitreps.list_sitreps(session, modes=_modes(modes))
    regions = {i.id: i.region_id for i in session.query(Incident).filter(Incident.id.in_({r.incident_id
                                                                                           for r in rows}))}
    return Page[SitrepRead].mapped([r for r in rows if scope.admits(regions[r.incident_id])], page, sitrep_read)


@router.get("/incidents/{incident_id}/sitreps/{sitrep_id}", dependencies=[READ],
            responses={200: {"content": {"text/html": {}, "application/pdf": {}}}})
def get_sitrep(incident_id: IdPath, sitrep_id: IdPath, session: SessionDep, guard: GuardDep,
               format: Annotated[str, Query(pattern="^(html|pdf)$")] = "html") -> Response:  # noqa: A002
    """One generated report, exactly as it was made (HTML or PDF)."""
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    rep = sitreps.get_sitrep(session, incident_id, sitrep_id)
    guard.sensitive_read("incident", incident_id, "sitrep")
    if format == "pdf":
        if rep.pdf is None:
            raise NotFound(f"situation report {sitrep_id} has no PDF")
        return Response(rep.pdf, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="incident-{incident_id}-sitrep-{rep.report_no}.pdf"'})
    return Response(rep.html, media_type="text/html; charset=utf-8")


# ---------------------------------------------------------------- warnings


def warning_read(w: Warning) -> WarningRead:
    return WarningRead.model_validate(w, from_attributes=True)


def _warning(s: Session, guard: GuardDep, warning_id: int, permission: Permission) -> Warning:
    w = s.get(Warning, warning_id)
    if w is None:
        raise NotFound(f"warning {warning_id} does not exist")
    inc = svc.get_incident(s, w.incident_id)
    guard.check(permission, _res(inc.region_id), object_type="warning", object_id=warning_id)
    return w


@router.post("/incidents/{incident_id}/warnings", response_model=WarningRead, status_code=201,
             dependencies=[COMMAND])
def draft_warning(incident_id: IdPath, body: WarningCreate, request: Request, sf: SessionFactoryDep,
                  session: SessionDep, guard: GuardDep, auth: AuthDep) -> WarningRead:
    """Draft a CAP 1.2 public warning; it is published only when a second person approves it."""
    _incident(session, guard, incident_id, P.INCIDENT_COMMAND)
    return warning_read(cap.draft(sf, incident_id, headline=body.headline, instruction=body.instruction,
                                  radius_m=body.radius_m, actor=_actor(request, auth), now=utcnow()))


@router.get("/incidents/{incident_id}/warnings", response_model=Page[WarningRead], dependencies=[READ])
def list_warnings(incident_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[WarningRead]:
    _incident(session, guard, incident_id, P.INCIDENT_READ)
    return Page[WarningRead].mapped(cap.list_warnings(session, incident_id), page, warning_read)


@router.post("/warnings/{warning_id}/approve", response_model=WarningRead, dependencies=[COMMAND])
def approve_warning(warning_id: IdPath, request: Request, sf: SessionFactoryDep, session: SessionDep,
                    guard: GuardDep, auth: AuthDep) -> WarningRead:
    _warning(session, guard, warning_id, P.INCIDENT_COMMAND)
    return warning_read(cap.approve(sf, warning_id, actor=_actor(request, auth), now=utcnow()))


@router.get("/warnings/{warning_id}/cap", dependencies=[READ],
            responses={200: {"content": {"application/cap+xml": {}}}})
def warning_xml(warning_id: IdPath, session: SessionDep, guard: GuardDep) -> Response:
    """The CAP 1.2 XML (a draft's is a preview, not published)."""
    w = _warning(session, guard, warning_id, P.INCIDENT_READ)
    return Response(w.xml or "", media_type="application/cap+xml",
                    headers={"Content-Disposition": f'attachment; filename="{w.identifier}.xml"'})


# ---------------------------------------------------------------- units, move-ups, board


@router.get("/regions/{region_id}/unit-status", response_model=Page[UnitStateRead], dependencies=[READ])
def unit_status(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[UnitStateRead]:
    guard.check(P.INCIDENT_READ, _res(region_id), object_type="region", object_id=region_id)
    return Page[UnitStateRead].mapped(svc.unit_views(session, [region_id]), page, unit_state_read)


@router.patch("/units/{unit_id}/status", response_model=UnitStateRead, dependencies=[WRITE])
def patch_unit_status(unit_id: IdPath, body: UnitStateUpdate, request: Request, sf: SessionFactoryDep,
                      session: SessionDep, guard: GuardDep, auth: AuthDep) -> UnitStateRead:
    """Status by the state machine, position report, crew count, capabilities; ``version`` as read (else 409)."""
    u = session.get(ResponseUnit, unit_id)
    if u is None:
        raise NotFound(f"unit {unit_id} does not exist")
    guard.check(P.INCIDENT_WRITE, _res(u.region_id), object_type="unit", object_id=unit_id)
    ch = svc.UnitChange(status=body.status, incident_id=body.incident_id, lon=body.lon, lat=body.lat,
                        crew_count=body.crew_count,
                        capabilities=None if body.capabilities is None else [c.value for c in body.capabilities])
    return unit_state_read(svc.change_unit(sf, unit_id, ch, expected_version=body.version,
                                           actor=_actor(request, auth), now=utcnow()))


@router.get("/regions/{region_id}/moveups", response_model=MoveUpRead, dependencies=[READ])
def moveups(region_id: IdPath, session: SessionDep, guard: GuardDep,
            max_moves: Annotated[int, Query(ge=0, le=20)] = 3) -> MoveUpRead:
    """Crowded places that lost 3-minute coverage to committed units, and the best at most K moves."""
    guard.check(P.INCIDENT_READ, _res(region_id), object_type="region", object_id=region_id)
    p = dispatch.propose_moveups(session, region_id, max_moves=max_moves, at=utcnow())
    return MoveUpRead(moves=[MoveRead(unit_id=m[0], call_sign=m[1], to_lon=m[3], to_lat=m[4]) for m in p.moves],
                      before_people=p.before_people, committed_people=p.committed_people,
                      after_people=p.after_people, lost_site_ids=list(p.lost_sites),
                      restored_site_ids=list(p.restored_sites), idle_units=p.idle_units,
                      committed_units=p.committed_units, status=p.status, runtime_s=p.runtime_s)


@router.get("/incident-board", response_model=BoardRead, dependencies=[READ])
def get_board(session: SessionDep, guard: GuardDep, modes: ModesQ = None) -> BoardRead:
    """Open incidents in the caller's jurisdictions: status, units committed, elapsed time."""
    scope = guard.scope(P.INCIDENT_READ)
    rows = [r for r in svc.board(session, region_ids=None, modes=_modes(modes), now=utcnow())
            if scope.admits(r.incident.region_id)]
    return BoardRead(changes=svc.change_count(session), rows=[
        BoardRowRead(incident=incident_read(r.incident), units_committed=r.units_committed, elapsed_s=r.elapsed_s,
                     casualties_total=r.casualties_total) for r in rows])


# The stream tells signed-in clients THAT something changed (the domain's change counter, shared by every process
# through the database); each client then re-reads the board with its own permissions. One poll of the counter per
# process every POLL_S, shared by all streams of the process.
POLL_S = 0.25
_poll_lock = threading.Lock()
_poll: dict[str, float] = {"at": 0.0, "value": -1.0}


def _changes(sf: sessionmaker[Session]) -> int:
    with _poll_lock:
        if time.monotonic() - _poll["at"] < POLL_S:
            return int(_poll["value"])
    with sf() as s:
        v = svc.change_count(s)
    with _poll_lock:
        _poll.update(at=time.monotonic(), value=float(v))
    return v


@router.get("/incident-board/stream", dependencies=[READ],
            responses={200: {"content": {"text/event-stream": {}}}})
async def board_stream(request: Request, sf: SessionFactoryDep,
                       max_s: Annotated[float, Query(gt=0, le=3600)] = 3600,
                       once: bool = False) -> StreamingResponse:
    """Server-Sent Events: a ``change`` event (the counter) within ~0.5 s of any incident write, in any process;
    a comment line every 15 s keeps proxies from closing the stream. ``once``: end after the first event."""

    async def events() -> AsyncIterator[str]:
        last = await anyio.to_thread.run_sync(_changes, sf)
        yield f"event: change\ndata: {json.dumps({'changes': last})}\n\n"
        if once:
            return
        start = beat = time.monotonic()
        while time.monotonic() - start < max_s:
            await asyncio.sleep(POLL_S)
            if await request.is_disconnected():
                return
            v = await anyio.to_thread.run_sync(_changes, sf)
            if v != last:
                last = v
                yield f"event: change\ndata: {json.dumps({'changes': v})}\n\n"
            elif time.monotonic() - beat > 15:
                beat = time.monotonic()
                yield ": keep-alive\n\n"

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
