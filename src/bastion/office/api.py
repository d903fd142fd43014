"""The lead office over REST (thin): responsibility rules and matrix, exceptions, duties, campaigns, notices,
scorecards (with the stored coverage of each agency's sites), duty completion with evidence, agency notification
endpoints, the jurisdiction's escalation ladder, in-page notifications and preferences."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from fastapi import APIRouter
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.responses import Response
from sqlalchemy import select

from bastion.access.http import AuthDep
from bastion.access.http import GuardDep
from bastion.access.http import authenticated
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.http import site_resource
from bastion.access.models import Agency
from bastion.access.policy import Permission
from bastion.jobs.http import ACCEPTED_DOC
from bastion.jobs.http import accept
from bastion.jobs.schemas import JobRead
from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.errors import PermissionDenied
from bastion.kernel.http import IdPath
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.pagination import Page
from bastion.kernel.pagination import PageDep
from bastion.office import campaigns as camp
from bastion.office import duties as duty_svc
from bastion.office import escalation
from bastion.office import notify
from bastion.office import render
from bastion.office import responsibility as resp
from bastion.office import scorecards as cards
from bastion.office.jobs import CAMPAIGN as CAMPAIGN_JOB
from bastion.office.jobs import COVERAGE as COVERAGE_JOB
from bastion.office.jobs import DUTIES as DUTIES_JOB
from bastion.office.models import Campaign
from bastion.office.models import Duty
from bastion.office.models import LadderSetting
from bastion.office.models import ResponsibilityRule
from bastion.office.models import SiteResponsibility
from bastion.office.schemas import BoardRowRead
from bastion.office.schemas import CampaignCreate
from bastion.office.schemas import CampaignRead
from bastion.office.schemas import CardRead
from bastion.office.schemas import CoverageRead
from bastion.office.schemas import DutiesGenerate
from bastion.office.schemas import DutyComplete
from bastion.office.schemas import DutyRead
from bastion.office.schemas import EndpointRead
from bastion.office.schemas import EndpointSet
from bastion.office.schemas import ExceptionSet
from bastion.office.schemas import Holder
from bastion.office.schemas import ImportRead
from bastion.office.schemas import LadderRead
from bastion.office.schemas import LadderSet
from bastion.office.schemas import LadderStepRead
from bastion.office.schemas import MatrixRead
from bastion.office.schemas import MatrixRowRead
from bastion.office.schemas import NotificationRead
from bastion.office.schemas import PreferencesSet
from bastion.office.schemas import RuleCreate
from bastion.office.schemas import RuleRead
from bastion.office.schemas import RulesImport
from bastion.office.schemas import ScoreRead
from bastion.office.sites_index import load_sites
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo

DOC_RESPONSES: dict[int | str, dict[str, object]] = {200: {"description": "the document as HTML or PDF", "content": {
    "text/html": {"schema": {"type": "string"}},
    "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}
router = APIRouter(prefix="/api/v1", tags=["office"])
P = Permission


def _region(session: SessionDep, guard: GuardDep, region_id: int, permission: Permission) -> None:
    if session.get(Region, region_id) is None:
        from bastion.kernel.errors import NotFound

        raise NotFound(f"region {region_id} does not exist")
    guard.check(permission, region_resource(region_id), object_type="region", object_id=region_id)


def card_read(c: cards.Card) -> CardRead:
    return CardRead(key=c.key, name=c.name, window_start=c.rectification.window_start,
                    window_end=c.rectification.window_end,
                    rectification=ScoreRead(**{k: getattr(c.rectification, k) for k in ScoreRead.model_fields}),
                    duties=ScoreRead(**{k: getattr(c.duties, k) for k in ScoreRead.model_fields}),
                    inspections_due=c.inspections_due, inspections_on_time=c.inspections_on_time,
                    drills_due=c.drills_due, drills_done=c.drills_done, plan_reviews_due=c.plan_reviews_due,
                    plan_reviews_done=c.plan_reviews_done,
                    coverage=None if c.coverage is None else CoverageRead(
                        sites=c.coverage.sites, standards_s=list(c.coverage.standards_s),
                        within=list(c.coverage.within), share_pct=list(c.coverage.share_pct)))


def _holder(cell: tuple[int, str, str] | None) -> Holder | None:
    return None if cell is None else Holder(agency_id=cell[0], agency=cell[1], source=cell[2])


@router.get("/regions/{region_id}/office/matrix", response_model=MatrixRead, dependencies=[require(P.BRIEFING_READ)])
def get_matrix(region_id: IdPath, session: SessionDep, guard: GuardDep) -> MatrixRead:
    """Every site's operator agency, supervising sector agency and lead office, with where each came from."""
    _region(session, guard, region_id, P.BRIEFING_READ)
    rows, res = resp.matrix(session, region_id)
    return MatrixRead(region_id=region_id, rows=[
        MatrixRowRead(site_id=r.site_id, site_name=r.site_name, category=r.category, tiers=list(r.tiers),
                      operator=_holder(r.operator), supervising=_holder(r.supervising), lead=_holder(r.lead))
        for r in rows], conflicts=[(a, b, list(c)) for a, b, c in res.conflicts])


@router.get("/regions/{region_id}/office/rules", response_model=Page[RuleRead],
            dependencies=[require(P.BRIEFING_READ)])
def list_rules(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[RuleRead]:
    """Rules that apply in the region (its own and those for every region)."""
    _region(session, guard, region_id, P.BRIEFING_READ)
    return Page[RuleRead].mapped(resp.list_rules(session, region_id=region_id), page, lambda r: RuleRead(
        id=r.id, role=r.role, agency_id=r.agency_id, region_id=r.region_id, category=r.category, tier=r.tier))


@router.post("/office/rules", response_model=RuleRead, status_code=201, dependencies=[require(P.OFFICE_WRITE)])
def create_rule(body: RuleCreate, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep) -> RuleRead:
    """Create (or re-point) a rule; a rule for every region needs office:write everywhere."""
    if body.region_id is None:
        if not guard.scope(P.OFFICE_WRITE).everything:
            raise PermissionDenied("a rule for every region needs office:write in every region; give region_id")
    else:
        _region(session, guard, body.region_id, P.OFFICE_WRITE)
    r = resp.add_rule(sf, role=body.role, agency_id=body.agency_id, region_id=body.region_id,
                      category=body.category, tier=body.tier)
    return RuleRead(id=r.id, role=r.role, agency_id=r.agency_id, region_id=r.region_id, category=r.category,
                    tier=r.tier)


@router.post("/office/rules/import", response_model=ImportRead, dependencies=[require(P.OFFICE_WRITE)])
def import_rules(body: RulesImport, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep) -> ImportRead:
    """CSV bulk import, validated and all-or-nothing; re-importing changes nothing. office:write in every region a
    row names (a row for every region, or a per-site exception, needs it everywhere)."""
    regions = resp.csv_regions(session, body.csv)
    if None in regions and not guard.scope(P.OFFICE_WRITE).everything:
        raise PermissionDenied("rows for every region (no region) or per-site exceptions need office:write in "
                               "every region; give each row's region")
    for rid in sorted(r for r in regions if r is not None):
        guard.check(P.OFFICE_WRITE, region_resource(rid), object_type="region", object_id=rid)
    r = resp.import_csv(sf, body.csv)
    return ImportRead(**r.__dict__)


@router.put("/sites/{site_id}/responsibility", response_model=MatrixRowRead, dependencies=[require(P.OFFICE_WRITE)])
def set_exception(site_id: IdPath, body: ExceptionSet, sf: SessionFactoryDep, session: SessionDep,
                  guard: GuardDep) -> MatrixRowRead:
    """A per-site exception: this role of this site is held by this agency whatever the rules say."""
    site = SiteRepo(session).get(site_id)
    guard.check(P.OFFICE_WRITE, site_resource(site), object_id=site_id)
    resp.set_exception(sf, site_id, role=body.role, agency_id=body.agency_id, reason=body.reason)
    with sf() as s:
        row = next(r for r in resp.matrix(s, site.region_id)[0] if r.site_id == site_id)
    return MatrixRowRead(site_id=row.site_id, site_name=row.site_name, category=row.category, tiers=list(row.tiers),
                         operator=_holder(row.operator), supervising=_holder(row.supervising), lead=_holder(row.lead))


@router.post("/regions/{region_id}/office/duties", response_model=JobRead, status_code=202,
             dependencies=[require(P.OFFICE_WRITE)], responses=ACCEPTED_DOC)
def generate_duties(region_id: IdPath, body: DutiesGenerate, request: Request, response: Response,
                    session: SessionDep, guard: GuardDep) -> JobRead:
    """Queue the generation of the duties of the periods containing ``on`` (default today): 202 with Location
    /api/v1/jobs/{id}; the job's result counts the duties created and already there (a re-run creates none)."""
    _region(session, guard, region_id, P.OFFICE_WRITE)
    now = utcnow()
    params = {"region_id": region_id, "on": (body.on or now.date()).isoformat(), "now": now.isoformat()}
    return accept(request, response, DUTIES_JOB, params, region_id=region_id)


@router.get("/regions/{region_id}/office/duties", response_model=Page[DutyRead],
            dependencies=[require(P.BRIEFING_READ)])
def list_duties(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep, agency_id: int | None = None,
                period: str | None = None, status: Literal["open", "done", "withdrawn"] | None = None
                ) -> Page[DutyRead]:
    """The region's duties (what, who, by when, evidence), by due date."""
    _region(session, guard, region_id, P.BRIEFING_READ)
    ids = [x.id for x in load_sites(session, region_id=region_id)]
    items, total = duty_svc.list_duties(session, site_ids=ids, agency_id=agency_id, period=period, status=status,
                                        limit=page.limit, offset=page.offset)
    return Page[DutyRead](items=[duty_read(d) for d in items], total=total, limit=page.limit, offset=page.offset)


def duty_read(d: Duty) -> DutyRead:
    return DutyRead(id=d.id, site_id=d.site_id, code=d.code, period=d.period, role=d.role, agency_id=d.agency_id,
                    due_on=d.due_on, title=d.title, evidence=d.evidence, source=d.source, status=d.status,
                    done_at=d.done_at, evidence_given=d.evidence_given)


@router.post("/office/duties/{duty_id}/complete", response_model=DutyRead, dependencies=[require(P.TASK_WRITE)])
def complete_duty(duty_id: IdPath, body: DutyComplete, sf: SessionFactoryDep, session: SessionDep,
                  guard: GuardDep) -> DutyRead:
    """Close an open duty with its evidence (a record reference, a date or counts; never names). The site's
    operator agency may close its own site's duties (task:write), a coordinator any in its jurisdiction."""
    d = session.get(Duty, duty_id)
    if d is None:
        raise NotFound(f"duty {duty_id} does not exist")
    site = SiteRepo(session).get(d.site_id)
    guard.check(P.TASK_WRITE, site_resource(site), object_type="duty", object_id=duty_id)
    return duty_read(duty_svc.complete_duty(sf, duty_id, now=utcnow(), evidence=body.evidence))


def _agency(session: SessionDep, guard: GuardDep, agency_id: int, permission: Permission) -> None:
    """An agency's settings are in the hands of those holding ``permission`` in a jurisdiction where the agency
    works (operates a site, or holds a responsibility rule or exception there); elsewhere it does not exist."""
    if session.get(Agency, agency_id) is None:
        raise NotFound(f"agency {agency_id} does not exist")
    sc = guard.scope(permission)
    if sc.everything:
        return
    regions = set(session.scalars(select(Site.region_id).where(Site.operator_agency_id == agency_id).distinct()))
    rule_regions = set(session.scalars(select(ResponsibilityRule.region_id)
                                       .where(ResponsibilityRule.agency_id == agency_id)))
    regions |= {r for r in rule_regions if r is not None}
    regions |= set(session.scalars(select(Site.region_id).join(SiteResponsibility, SiteResponsibility.site_id == Site.id)
                                   .where(SiteResponsibility.agency_id == agency_id).distinct()))
    full = sc.full_regions or frozenset()
    if None in rule_regions and full:
        return  # a rule for every region: the agency works in each of the caller's
    if not regions & full:
        raise NotFound(f"agency {agency_id} does not exist")


@router.get("/office/agencies/{agency_id}/endpoints", response_model=Page[EndpointRead],
            dependencies=[require(P.OFFICE_WRITE)])
def list_endpoints(agency_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[EndpointRead]:
    """Where the agency receives notifications (a duty mailbox, a webhook)."""
    _agency(session, guard, agency_id, P.OFFICE_WRITE)
    return Page[EndpointRead].mapped(notify.list_endpoints(session, agency_id), page, lambda e: EndpointRead(
        agency_id=e.agency_id, channel=e.channel, address=e.address))  # type: ignore[arg-type]


@router.put("/office/agencies/{agency_id}/endpoints/{channel}", response_model=EndpointRead,
            dependencies=[require(P.OFFICE_WRITE)])
def set_endpoint(agency_id: IdPath, channel: Literal["email", "webhook"], body: EndpointSet, sf: SessionFactoryDep,
                 session: SessionDep, guard: GuardDep) -> EndpointRead:
    """Set the agency's duty mailbox (email) or webhook URL; messages go there from the next delivery."""
    _agency(session, guard, agency_id, P.OFFICE_WRITE)
    e = notify.set_endpoint(sf, agency_id, channel, body.address)
    return EndpointRead(agency_id=e.agency_id, channel=channel, address=e.address)


@router.delete("/office/agencies/{agency_id}/endpoints/{channel}", status_code=204, response_model=None,
               dependencies=[require(P.OFFICE_WRITE)])
def delete_endpoint(agency_id: IdPath, channel: Literal["email", "webhook"], sf: SessionFactoryDep,
                    session: SessionDep, guard: GuardDep) -> Response:
    _agency(session, guard, agency_id, P.OFFICE_WRITE)
    notify.delete_endpoint(sf, agency_id, channel)
    return Response(status_code=204)


def _ladder_read(session: SessionDep, region_id: int) -> LadderRead:
    row = session.get(LadderSetting, region_id)
    steps = escalation.region_ladder(session, region_id)
    return LadderRead(region_id=region_id, spec=escalation.ladder_spec(steps), default=row is None,
                      steps=[LadderStepRead(level=st.level, offset=st.offset, clock=st.clock,  # type: ignore[arg-type]
                                            target=st.target) for st in steps],  # type: ignore[arg-type]
                      updated_by=row.updated_by if row else None, updated_at=row.updated_at if row else None)


@router.get("/regions/{region_id}/office/ladder", response_model=LadderRead, dependencies=[require(P.BRIEFING_READ)])
def get_ladder(region_id: IdPath, session: SessionDep, guard: GuardDep) -> LadderRead:
    """The jurisdiction's escalation ladder: reminder to the owner, then the supervising agency, the lead office."""
    _region(session, guard, region_id, P.BRIEFING_READ)
    return _ladder_read(session, region_id)


@router.put("/regions/{region_id}/office/ladder", response_model=LadderRead, dependencies=[require(P.OFFICE_WRITE)])
def set_ladder(region_id: IdPath, body: LadderSet, sf: SessionFactoryDep, session: SessionDep, guard: GuardDep,
               auth: AuthDep) -> LadderRead:
    """Set the jurisdiction's ladder; the next periodic check recomputes every open task's next step."""
    _region(session, guard, region_id, P.OFFICE_WRITE)
    escalation.set_ladder(sf, region_id, body.spec, actor=auth.principal.actor, now=utcnow())
    with sf() as s:
        return _ladder_read(s, region_id)


@router.post("/regions/{region_id}/office/coverage", response_model=JobRead, status_code=202,
             dependencies=[require(P.OFFICE_WRITE)], responses=ACCEPTED_DOC)
def refresh_coverage(region_id: IdPath, request: Request, response: Response, session: SessionDep,
                     guard: GuardDep) -> JobRead:
    """Queue the storing of the region's per-site response coverage (1/3/5 min) that the scorecards read:
    202 with Location /api/v1/jobs/{id}."""
    _region(session, guard, region_id, P.OFFICE_WRITE)
    return accept(request, response, COVERAGE_JOB, {"region_id": region_id, "now": utcnow().isoformat()},
                  region_id=region_id)


def _campaign_read(session: SessionDep, c: Campaign) -> CampaignRead:
    board = [BoardRowRead(**b.__dict__) for b in camp.board(session, c.id, now=utcnow())]
    return CampaignRead(id=c.id, name=c.name, region_id=c.region_id, categories=c.categories, tiers=c.tiers,
                        checklist=c.checklist, deadline=c.deadline, clock=c.clock, holiday_region=c.holiday_region,
                        status=c.status, board=board)


@router.post("/regions/{region_id}/office/campaigns", response_model=JobRead, status_code=202,
             dependencies=[require(P.OFFICE_WRITE)], responses=ACCEPTED_DOC)
def launch_campaign(region_id: IdPath, body: CampaignCreate, request: Request, response: Response,
                    session: SessionDep, guard: GuardDep, auth: AuthDep) -> JobRead:
    """Queue the launch of a supervision campaign (one inspection per in-scope site, assigned to its supervising
    agency): 202 with Location /api/v1/jobs/{id}; the job's result names the campaign (a re-run reuses it)."""
    _region(session, guard, region_id, P.OFFICE_WRITE)
    spec = camp.CampaignSpec(body.name, region_id, body.categories, body.tiers, body.checklist, body.deadline_days,
                             body.clock, body.holiday_region)
    camp.validate(spec)  # 422 before anything is queued
    params = {"region_id": region_id, "name": body.name, "categories": body.categories, "tiers": body.tiers,
              "checklist": body.checklist, "deadline_days": body.deadline_days, "clock": body.clock,
              "holiday_region": body.holiday_region, "actor": auth.principal.actor, "now": utcnow().isoformat()}
    return accept(request, response, CAMPAIGN_JOB, params, region_id=region_id)


@router.get("/regions/{region_id}/office/campaigns", response_model=Page[CampaignRead],
            dependencies=[require(P.BRIEFING_READ)])
def list_campaigns(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep) -> Page[CampaignRead]:
    """Campaigns of the region with their progress board (per supervising agency, sorted by name)."""
    _region(session, guard, region_id, P.BRIEFING_READ)
    return Page[CampaignRead].mapped(camp.list_campaigns(session, region_id=region_id), page,
                                     lambda c: _campaign_read(session, c))


@router.get("/sites/{site_id}/office/notice", response_model=None, dependencies=[require(P.SITE_SENSITIVE_READ)],
            responses=DOC_RESPONSES)
def rectification_notice(site_id: IdPath, session: SessionDep, guard: GuardDep,
                         campaign_id: int | None = None, lang: Literal["en", "zh-CN"] = "en",
                         format: Literal["html", "pdf"] = "html") -> Response:  # noqa: A002
    """Printable rectification notice (整改通知书) for the site's latest inspection (or a campaign's)."""
    site = SiteRepo(session).get(site_id)
    guard.check(P.SITE_SENSITIVE_READ, site_resource(site), object_id=site_id)
    guard.sensitive_read("site", site_id, "rectification_notice")
    n = camp.notice(session, site_id, campaign_id=campaign_id, now=utcnow(), lang=lang)
    html = render.notice_html(n, lang=lang)
    if format == "pdf":
        return Response(render.to_pdf(html), media_type="application/pdf")
    return HTMLResponse(html)


@router.get("/regions/{region_id}/office/scorecards", response_model=Page[CardRead],
            dependencies=[require(P.BRIEFING_READ)])
def get_scorecards(region_id: IdPath, session: SessionDep, guard: GuardDep, page: PageDep,
                   by: Literal["agency", "region"] = "agency", start: dt.date | None = None,
                   end: dt.date | None = None) -> Page[CardRead]:
    """Per agency (or for the jurisdiction) from the region's records; window [start, end), default 30 days."""
    _region(session, guard, region_id, P.BRIEFING_READ)
    end = end or utcnow().date() + dt.timedelta(days=1)
    start = start or end - dt.timedelta(days=30)
    if start >= end or (end - start).days > 3660:
        raise InvalidInput("start must be before end, at most 10 years apart", field="start")
    return Page[CardRead].mapped(cards.scorecards(session, start=start, end=end, by=by, region_id=region_id), page,
                                 card_read)


@router.get("/office/inbox", response_model=Page[NotificationRead], dependencies=[authenticated()])
def inbox(session: SessionDep, auth: AuthDep, page: PageDep) -> Page[NotificationRead]:
    """The in-page notifications of the caller's agency (newest first, the latest 500)."""
    aid = auth.principal.agency_id
    rows = [] if aid is None else notify.inbox(session, aid, limit=500)
    return Page[NotificationRead].mapped(rows, page, lambda n: NotificationRead(
        id=n.id, event=n.event, channel=n.channel, subject=n.subject, body=n.body, tlp=n.tlp, status=n.status,
        receipt=n.receipt, created_at=n.created_at))


@router.put("/office/preferences", response_model=PreferencesSet, dependencies=[authenticated()])
def set_preferences(body: PreferencesSet, sf: SessionFactoryDep, auth: AuthDep) -> PreferencesSet:
    """The caller's own choice of channels and daily digest."""
    if auth.user_id is None:
        raise PermissionDenied("preferences belong to a signed-in account")
    p = notify.set_preferences(sf, auth.user_id, channels=list(body.channels), digest=body.digest, now=utcnow())
    return PreferencesSet(channels=p.channels, digest=p.digest)
