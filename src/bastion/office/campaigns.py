"""Supervision campaigns (督导检查): scope (jurisdiction, categories, tiers), checklist (measures), deadline on the
region's business calendar -> exactly one inspection per site in scope (the supervision domain's inspection,
reused: an open one is linked, never duplicated), assigned to the site's supervising agency; a progress board;
printable rectification notices (整改通知书) per site."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.algorithms.office import calendar as cal
from bastion.algorithms.risk import CATALOGUE as MEASURES
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.office.config import holiday_calendar
from bastion.office.config import settings
from bastion.office.models import Campaign
from bastion.office.models import CampaignSite
from bastion.office.responsibility import resolve_region
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.supervision import service as sup
from bastion.supervision.models import Inspection
from bastion.supervision.models import InspectionItem
from bastion.supervision.models import RectificationTask

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None] | None


def _validate(name: str, categories: Sequence[str], tiers: Sequence[str], checklist: Sequence[str],
              deadline_days: int, clock: str) -> None:
    if not name or not name.strip() or len(name) > 200:
        raise InvalidInput("name is required (at most 200 characters)", field="name")
    bad = [t for t in tiers if ":" not in t]
    if bad:
        raise InvalidInput(f"tiers are '<standard>:<tier>' (e.g. uk_ppa_2025:enhanced), got {bad}", field="tiers")
    unknown = [m for m in checklist if m not in MEASURES]
    if unknown:
        raise InvalidInput(f"checklist has unknown measures {unknown}; use {sorted(MEASURES)}", field="checklist")
    if isinstance(deadline_days, bool) or not 1 <= deadline_days <= 365:
        raise InvalidInput(f"deadline_days must be 1..365, got {deadline_days}", field="deadline_days")
    if clock not in cal.CLOCKS:
        raise InvalidInput(f"clock must be one of {list(cal.CLOCKS)}, got {clock!r}", field="clock")


@dataclass(frozen=True)
class CampaignSpec:
    """What the lead office decides: scope (region, categories, tiers; empty = any), checklist (measures; empty
    = every tier requirement) and deadline (days on the calendar or business clock of ``holiday_region``)."""

    name: str
    region_id: int
    categories: Sequence[str] = ()
    tiers: Sequence[str] = ()
    checklist: Sequence[str] = ()
    deadline_days: int = 10
    clock: str = "business"
    holiday_region: str | None = None


def validate(spec: CampaignSpec) -> None:
    """The spec's checks that need no database (a route runs them before queuing the launch)."""
    _validate(spec.name, spec.categories, spec.tiers, spec.checklist, spec.deadline_days, spec.clock)


def launch(sf: sessionmaker[Session], spec: CampaignSpec, *, now: dt.datetime, actor: str,
           progress: Progress = None) -> Campaign:
    """Create the campaign and its inspections (see ``fill``)."""
    name, region_id, categories, tiers, checklist = spec.name, spec.region_id, spec.categories, spec.tiers, \
        spec.checklist
    deadline_days, clock = spec.deadline_days, spec.clock
    _validate(name, categories, tiers, checklist, deadline_days, clock)
    conf = settings()
    hreg = spec.holiday_region or conf.holiday_region
    hol = holiday_calendar(hreg, now.year, now.year + 2)
    deadline = cal.deadline(now, deadline_days, clock=clock, tz=conf.timezone, holidays=hol)
    with unit_of_work(sf) as s:
        if s.get(Region, region_id) is None:
            raise NotFound(f"region {region_id} does not exist")
        c = Campaign(name=name.strip(), region_id=region_id, categories=sorted(set(categories)),
                     tiers=sorted(set(tiers)), checklist=sorted(set(checklist)), deadline_days=deadline_days,
                     clock=clock, holiday_region=hreg, deadline=deadline, status="active", created_by=actor,
                     created_at=now)
        s.add(c)
        s.flush()
        cid = c.id
    fill(sf, cid, now=now, progress=progress)
    with sf() as s:
        return get(s, cid)


def get(s: Session, campaign_id: int) -> Campaign:
    c = s.get(Campaign, campaign_id)
    if c is None:
        raise NotFound(f"campaign {campaign_id} does not exist")
    return c


def in_scope(s: Session, c: Campaign) -> list[tuple[int, int | None]]:
    """(site id, supervising agency id) of every site the campaign covers: in its region, of its categories and
    tiers (empty = any), and tiered under some standard (otherwise there is nothing to inspect)."""
    keys, res = resolve_region(s, c.region_id)
    cats, tiers = set(c.categories), set(c.tiers)
    out = []
    for k in keys:
        if not k.tiers or (cats and k.category not in cats) or (tiers and not tiers & k.tiers):
            continue
        sup_a = res.assignments.get(k.site_id, {}).get("supervising")
        out.append((k.site_id, sup_a.agency_id if sup_a else None))
    return out


def fill(sf: sessionmaker[Session], campaign_id: int, *, now: dt.datetime, progress: Progress = None) -> int:
    """Give every in-scope site its one campaign inspection; idempotent (run again after an interruption).
    Returns how many sites were added."""
    with sf() as s:
        c = get(s, campaign_id)
        scope = in_scope(s, c)
        linked = set(s.scalars(select(CampaignSite.site_id).where(CampaignSite.campaign_id == campaign_id)))
        names = {a.id: a.name for a in s.scalars(select(Agency))}
        checklist = set(c.checklist)
    added = 0
    todo = [(sid, a) for sid, a in scope if sid not in linked]
    for n, (sid, agency) in enumerate(todo):
        with sf() as s:
            open_id = s.scalar(select(Inspection.id).where(Inspection.site_id == sid, Inspection.status == "open"))
        if open_id is None:
            insp = sup.start_inspection(sf, sid, now=now, inspector_agency=names.get(agency, "lead office") if agency
                                        else "lead office")
            open_id = insp.id
            if checklist:  # the campaign's checklist: only the chosen measures are inspected
                with unit_of_work(sf) as s:
                    s.execute(delete(InspectionItem).where(InspectionItem.inspection_id == open_id,
                                                           InspectionItem.measure.not_in(sorted(checklist))))
        with unit_of_work(sf) as s:
            s.add(CampaignSite(campaign_id=campaign_id, site_id=sid, inspection_id=open_id,
                               supervising_agency_id=agency))
        added += 1
        if progress and n % 20 == 0:
            progress(n / max(1, len(todo)), f"{n} of {len(todo)} inspections")
    if progress:
        progress(1.0, f"{len(scope)} sites in scope")
    log.info("campaign %d: %d sites in scope, %d added", campaign_id, len(scope), added)
    return added


@dataclass(frozen=True)
class BoardRow:
    agency_id: int | None
    agency: str
    sites: int
    completed: int
    completed_on_time: int
    open: int
    overdue: int
    tasks_open: int
    tasks_closed: int


def board(s: Session, campaign_id: int, *, now: dt.datetime) -> list[BoardRow]:
    """Progress per supervising agency (sorted by name, never by value)."""
    c = get(s, campaign_id)
    names = {a.id: a.name for a in s.scalars(select(Agency))}
    rows = s.execute(select(CampaignSite.supervising_agency_id, Inspection.id, Inspection.status,
                            Inspection.completed_at)
                     .join(Inspection, Inspection.id == CampaignSite.inspection_id)
                     .where(CampaignSite.campaign_id == campaign_id)).all()
    insp_ids = [r[1] for r in rows]
    tasks: Counter[tuple[int, bool]] = Counter()
    for insp_id, status in s.execute(select(RectificationTask.inspection_id, RectificationTask.status)
                                     .where(RectificationTask.inspection_id.in_(insp_ids))) if insp_ids else []:
        tasks[insp_id, status in ("fixed", "verified")] += 1
    groups: dict[int | None, list[tuple[int, str, dt.datetime | None]]] = {}
    for agency_id, insp_id, status, completed_at in rows:
        groups.setdefault(agency_id, []).append((insp_id, status, completed_at))
    out = []
    for agency, rs in groups.items():
        done = [r for r in rs if r[1] == "completed"]
        on_time = sum(1 for r in done if r[2] is not None and r[2] <= c.deadline)
        still = [r for r in rs if r[1] != "completed"]
        out.append(BoardRow(agency, names.get(agency, "unassigned") if agency else "unassigned", len(rs), len(done),
                            on_time, len(still), sum(1 for _r in still if now > c.deadline),
                            sum(tasks[r[0], False] for r in rs), sum(tasks[r[0], True] for r in rs)))
    return sorted(out, key=lambda b: b.agency)


def list_campaigns(s: Session, *, region_id: int | None = None) -> list[Campaign]:
    q = select(Campaign).order_by(Campaign.id.desc())
    if region_id is not None:
        q = q.where(Campaign.region_id == region_id)
    return list(s.scalars(q))


@dataclass(frozen=True)
class Notice:
    """整改通知书 / rectification notice: every mandatory field (C.3 of the anchors)."""

    notice_no: str
    site_id: int
    unit: str
    issues: tuple[tuple[str, str, str], ...]  # (clause/basis, issue, requirement)
    deadline: dt.datetime
    reply_requirement: str
    issuing_authority: str
    issued_on: dt.date
    receipt: str


def notice(s: Session, site_id: int, *, campaign_id: int | None = None, now: dt.datetime,
           lang: str = "en") -> Notice:
    """The notice for the site's inspection in ``campaign_id`` (or its latest inspection): every failed item with
    its clause, the rectification deadline, reply requirement, issuing authority, date and a receipt line; the
    generated wording (standard, clause, requirement, reply requirement) in ``lang``."""
    from bastion.kernel.i18n import translator
    from bastion.risk import wording as risk_wording
    from bastion.supervision import wording as sup_wording

    tr = translator(lang)
    site = s.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id} does not exist")
    c = None
    if campaign_id is not None:
        c = get(s, campaign_id)
        link = s.scalar(select(CampaignSite).where(CampaignSite.campaign_id == campaign_id,
                                                   CampaignSite.site_id == site_id))
        if link is None:
            raise NotFound(f"site {site_id} is not in campaign {campaign_id}")
        inspection_id: int | None = link.inspection_id
        authority_id = link.supervising_agency_id
    else:
        inspection_id = s.scalar(select(Inspection.id).where(Inspection.site_id == site_id)
                                 .order_by(Inspection.started_at.desc(), Inspection.id.desc()).limit(1))
        authority_id = None
    items = s.scalars(select(InspectionItem).where(InspectionItem.inspection_id == inspection_id,
                                                   InspectionItem.answer == "fail").order_by(InspectionItem.id)).all() \
        if inspection_id is not None else []
    tasks = list(s.scalars(select(RectificationTask).where(RectificationTask.inspection_id == inspection_id))) \
        if inspection_id is not None else []
    deadline = max((t.deadline for t in tasks), default=c.deadline if c is not None else now)
    insp = s.get(Inspection, inspection_id) if inspection_id is not None else None
    agency = s.get(Agency, authority_id) if authority_id else None
    authority = agency.name if agency else (sup_wording.inspector(insp.inspector_agency, lang) or ""
                                            if insp and insp.inspector_agency else tr("office.notice.lead_office"))
    issued = (c.created_at if c is not None else (insp.completed_at or insp.started_at) if insp else now).date()
    return Notice(f"C{c.id}-S{site_id}" if c is not None else f"I{inspection_id or 0}-S{site_id}", site_id,
                  site.name or tr("office.notice.site", id=site_id),
                  tuple((f"{tr(f'risk.standard.{i.standard_id}', i.standard_id)} {risk_wording.clause(i.clause, lang)}",
                         sup_wording.item_text(i.measure, i.params, i.text, lang), tr("office.notice.rectify"))
                        for i in items), deadline,
                  tr("office.notice.reply_requirement"), authority, issued, "")
