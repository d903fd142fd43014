"""Posture over REST (thin): current declarations, preview, propose, approve (a second person), reject, stand
down; the TLP-labelled lead-office briefing. Posture measures are need-to-know: posture:propose to read them.
The router's lifespan runs the periodic check (expiry, escalation, deliveries) inside the server."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Literal

from fastapi import APIRouter
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.responses import Response

from bastion.access.http import AuthDep
from bastion.access.http import GuardDep
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.policy import Permission
from bastion.algorithms.office import tlp as tlp_lib
from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import NotFound
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep
from bastion.office import render
from bastion.office.config import settings as office_settings
from bastion.posture import briefing
from bastion.posture import service as ps
from bastion.posture.models import Declaration
from bastion.posture.schemas import AgencyChangeRead
from bastion.posture.schemas import ApplyRead
from bastion.posture.schemas import DeclarationRead
from bastion.posture.schemas import DeclarationRef
from bastion.posture.schemas import PatrolRead
from bastion.posture.schemas import PostureChange
from bastion.posture.schemas import PostureCreate
from bastion.posture.schemas import PreviewRead
from bastion.posture.ticker import Ticker
from bastion.posture.ticker import default_jobs
from bastion.regions.models import Region


@contextlib.asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    conf = office_settings()
    ticker = None
    if conf.ticker and getattr(app.state, "session_factory", None) is not None:
        ticker = Ticker(app.state.session_factory, interval_s=min(conf.tick_s, 30.0), extra=default_jobs())
        ticker.start()
    try:
        yield
    finally:
        if ticker is not None:
            ticker.stop()


DOC_RESPONSES: dict[int | str, dict[str, object]] = {200: {"description": "the document as HTML or PDF", "content": {
    "text/html": {"schema": {"type": "string"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}
router = APIRouter(prefix="/api/v1", tags=["posture"], lifespan=lifespan)
P = Permission


def _region(session: SessionDep, guard: GuardDep, region_id: int, permission: Permission) -> None:
    if session.get(Region, region_id) is None:
        raise NotFound(f"region {region_id} does not exist")
    guard.check(permission, region_resource(region_id), object_type="region", object_id=region_id)


def _decl(session: SessionDep, region_id: int, declaration_id: int) -> Declaration:
    d = ps.get(session, declaration_id)
    if d.region_id != region_id:
        raise NotFound(f"posture declaration {declaration_id} does not exist in region {region_id}")
    return d


def declaration_read(d: Declaration) -> DeclarationRead:
    return DeclarationRead(id=d.id, region_id=d.region_id, scheme=d.scheme, level=d.level, reason=d.reason,
                           status=d.status, proposed_actor=d.proposed_actor, approved_actor=d.approved_actor,
                           proposed_at=d.proposed_at, approved_at=d.approved_at, expires_at=d.expires_at,
                           ended_at=d.ended_at, summary=d.summary)


def preview_read(pv: ps.Preview) -> PreviewRead:
    titles = {rid for a in pv.agencies for _s, rid, _k, _o in a.items}
    return PreviewRead(
        region_id=pv.region_id, levels_before=dict(pv.levels_before), levels_after=dict(pv.levels_after),
        response_before=dict(pv.response_before), response_after=dict(pv.response_after), added=len(pv.added),
        closed=len(pv.removed),
        agencies=[AgencyChangeRead(agency_id=a.agency_id, agency=a.agency, tasks_added=a.tasks_added,
                                   measures_added=a.measures_added, hvm_added=a.hvm_added, closed=a.closed,
                                   extra_staff_h_per_day=a.extra_staff_h_per_day, days_sustainable=a.days_sustainable,
                                   items=[tuple(x) for x in a.items]) for a in pv.agencies],  # type: ignore[misc]
        patrol=None if pv.patrol is None else PatrolRead(
            resources_before=pv.patrol.resources_before, resources_after=pv.patrol.resources_after,
            defender_eu_before=round(pv.patrol.defender_eu_before, 6),
            defender_eu_after=round(pv.patrol.defender_eu_after, 6)),
        rule_titles={r: pv.rules[r].title for r in sorted(titles)})


@router.get("/regions/{region_id}/posture", response_model=Page[DeclarationRead],
            dependencies=[require(P.POSTURE_PROPOSE)])
def list_declarations(region_id: IdPath, session: SessionDep, guard: GuardDep,
                      page: PageDep) -> Page[DeclarationRead]:
    """The region's declarations, newest first (reasons are need-to-know)."""
    _region(session, guard, region_id, P.POSTURE_PROPOSE)
    guard.sensitive_read("region", region_id, "posture")
    return Page[DeclarationRead].mapped(ps.list_declarations(session, region_id=region_id, limit=10_000), page,
                                        declaration_read)


@router.post("/regions/{region_id}/posture/preview", response_model=PreviewRead,
             dependencies=[require(P.POSTURE_PROPOSE)])
def preview(region_id: IdPath, body: PostureChange, session: SessionDep, guard: GuardDep) -> PreviewRead:
    """Exactly what a change to ``level`` would create and close, per agency (nothing is stored)."""
    _region(session, guard, region_id, P.POSTURE_PROPOSE)
    guard.sensitive_read("region", region_id, "posture_preview")
    from bastion.algorithms.posture.levels import scheme

    scheme(body.scheme).index(body.level)
    before = ps.current_levels(session, region_id)
    return preview_read(ps.compute_preview(session, region_id, before, {**before, body.scheme: body.level}))


@router.post("/regions/{region_id}/posture", response_model=DeclarationRead, status_code=201,
             dependencies=[require(P.POSTURE_PROPOSE)])
def propose(region_id: IdPath, body: PostureCreate, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
            auth: AuthDep) -> DeclarationRead:
    _region(session, guard, region_id, P.POSTURE_PROPOSE)
    d = ps.propose(sf, region_id, scheme=body.scheme, level=body.level, reason=body.reason, now=utcnow(),
                   by=ps.Signer(auth.principal.actor, auth.user_id), expires_at=body.expires_at)
    return declaration_read(d)


@router.get("/regions/{region_id}/posture/{declaration_id}/preview", response_model=PreviewRead,
            dependencies=[require(P.POSTURE_PROPOSE)])
def preview_declaration(region_id: IdPath, declaration_id: IdPath, session: SessionDep,
                        guard: GuardDep) -> PreviewRead:
    _region(session, guard, region_id, P.POSTURE_PROPOSE)
    _decl(session, region_id, declaration_id)
    guard.sensitive_read("posture", declaration_id, "posture_preview")
    return preview_read(ps.preview_declaration(session, declaration_id))


@router.post("/regions/{region_id}/posture/approve", response_model=ApplyRead,
             dependencies=[require(P.POSTURE_APPROVE)])
def approve(region_id: IdPath, body: DeclarationRef, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
            auth: AuthDep) -> ApplyRead:
    """Apply a proposed change; the approver must not be the proposer (two-person rule)."""
    _region(session, guard, region_id, P.POSTURE_APPROVE)
    _decl(session, region_id, body.declaration_id)
    r = ps.approve(sf, body.declaration_id, now=utcnow(), by=ps.Signer(auth.principal.actor, auth.user_id))
    return ApplyRead(**r.__dict__)


@router.post("/regions/{region_id}/posture/reject", response_model=DeclarationRead,
             dependencies=[require(P.POSTURE_APPROVE)])
def reject(region_id: IdPath, body: DeclarationRef, sf: SessionFactoryDep, session: SessionDep,
           guard: GuardDep, auth: AuthDep) -> DeclarationRead:
    """Turn a proposal down; the rejecting account must not be the proposer (two-person rule)."""
    _region(session, guard, region_id, P.POSTURE_APPROVE)
    _decl(session, region_id, body.declaration_id)
    return declaration_read(ps.reject(sf, body.declaration_id, now=utcnow(),
                                      by=ps.Signer(auth.principal.actor, auth.user_id)))


@router.post("/regions/{region_id}/posture/end", response_model=ApplyRead, dependencies=[require(P.POSTURE_APPROVE)])
def stand_down(region_id: IdPath, body: DeclarationRef, sf: SessionFactoryDep, session: SessionDep,
               guard: GuardDep) -> ApplyRead:
    """Stand an active declaration down: back to the previous level; its temporary tasks close."""
    _region(session, guard, region_id, P.POSTURE_APPROVE)
    _decl(session, region_id, body.declaration_id)
    return ApplyRead(**ps.end(sf, body.declaration_id, now=utcnow()).__dict__)


@router.get("/regions/{region_id}/briefing", response_model=None, dependencies=[require(P.BRIEFING_READ)],
            responses=DOC_RESPONSES)
def get_briefing(region_id: IdPath, session: SessionDep, guard: GuardDep,
                 kind: Literal["weekly", "monthly"] = "weekly",
                 tlp: Literal["TLP:CLEAR", "TLP:GREEN", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:RED"] = "TLP:GREEN",
                 lang: Literal["en", "zh-CN"] = "en", format: Literal["html", "pdf"] = "html") -> Response:  # noqa: A002
    """The lead-office briefing; content above TLP:GREEN (posture measures, reasons) needs posture:propose."""
    _region(session, guard, region_id, P.BRIEFING_READ)
    if tlp_lib.rank(tlp) > tlp_lib.rank("TLP:GREEN"):
        guard.check(P.POSTURE_PROPOSE, region_resource(region_id), object_type="region", object_id=region_id)
        guard.sensitive_read("region", region_id, f"briefing {tlp}")
    b = briefing.build(session, kind=kind, tlp=tlp, now=utcnow(), region_id=region_id)
    html = render.briefing_html(b, lang=lang)
    if format == "pdf":
        return Response(render.to_pdf(html), media_type="application/pdf")
    return HTMLResponse(html)
