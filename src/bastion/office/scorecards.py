"""Scorecards per agency and per jurisdiction (never per person), recomputable from the raw records:
rectification tasks (deadline; closed = first history event to fixed/verified), duties (due 17:00 local on the
due day; closed = done), campaign inspections (completed by the campaign deadline), drills and plan reviews
(duties `drill`, `plan_review` done). Window: deadlines in [start, end)."""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.access.models import Agency
from bastion.algorithms.office import scorecard as algo
from bastion.office.config import settings
from bastion.office.escalation import duty_deadline
from bastion.office.models import Campaign
from bastion.office.models import CampaignSite
from bastion.office.models import Duty
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask
from bastion.supervision.models import TaskEvent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Card:
    key: int
    name: str
    rectification: algo.Scorecard
    duties: algo.Scorecard
    inspections_due: int
    inspections_on_time: int
    drills_due: int
    drills_done: int
    plan_reviews_due: int
    plan_reviews_done: int


Flags = list[tuple[int, str, bool]]  # (key, duty code, done)


def _rows(s: Session, by: str, start: dt.date, end: dt.date, region_id: int | None
          ) -> tuple[list[algo.TaskRow], list[algo.TaskRow], Flags]:
    tz = settings().timezone
    closed = dict(s.execute(select(TaskEvent.task_id, func.min(TaskEvent.at))
                            .where(TaskEvent.to_status.in_(("fixed", "verified"))).group_by(TaskEvent.task_id)).all())
    region_of = dict(s.execute(select(Site.id, Site.region_id)).all())
    if region_id is not None:
        region_of = {k: v for k, v in region_of.items() if v == region_id}
    rect = []
    for t in s.scalars(select(RectificationTask)):
        if t.site_id not in region_of:
            continue
        key = t.owner_agency_id if by == "agency" else region_of.get(t.site_id)
        if key is not None:
            rect.append(algo.TaskRow(key, t.deadline, closed.get(t.id), t.created_at))
    lo, hi = start - dt.timedelta(days=1), end + dt.timedelta(days=1)
    duties, flags = [], []
    for d in s.scalars(select(Duty).where(Duty.due_on >= lo, Duty.due_on <= hi)):
        if d.site_id not in region_of:
            continue
        key = d.agency_id if by == "agency" else region_of.get(d.site_id)
        if key is None:
            continue
        deadline = duty_deadline(d.due_on, tz)
        duties.append(algo.TaskRow(key, deadline, d.done_at, d.created_at))
        if d.code in ("drill", "plan_review") and start <= d.due_on < end:
            flags.append((key, d.code, d.status == "done"))
    return rect, duties, flags


def scorecards(s: Session, *, start: dt.date, end: dt.date, by: str = "agency",
               region_id: int | None = None) -> list[Card]:
    """One card per agency (``by="agency"``) or region (``by="region"``), sorted by name; ``region_id``: only
    that jurisdiction's records."""
    t0 = time.perf_counter()
    if by not in ("agency", "region"):
        raise ValueError("by must be agency or region")
    names = ({a.id: a.name for a in s.scalars(select(Agency))} if by == "agency"
             else {r.id: r.name for r in s.scalars(select(Region))})
    rect, duties, flags = _rows(s, by, start, end, region_id)
    keys = sorted(names)
    rc = {c.key: c for c in algo.scorecards(rect, keys, start=start, end=end)}
    dc = {c.key: c for c in algo.scorecards(duties, keys, start=start, end=end)}
    insp: dict[int, list[bool]] = {}
    q = (select(CampaignSite.supervising_agency_id, Site.region_id, Campaign.deadline, Inspection.completed_at)
         .join(Campaign, Campaign.id == CampaignSite.campaign_id).join(Site, Site.id == CampaignSite.site_id)
         .join(Inspection, Inspection.id == CampaignSite.inspection_id))
    s0 = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    e0 = dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC)
    for agency, region, deadline, completed in s.execute(q):
        key = agency if by == "agency" else region
        if key is not None and s0 <= deadline < e0 and (region_id is None or region == region_id):
            insp.setdefault(key, []).append(completed is not None and completed <= deadline)
    out = []
    for k in keys:
        f = [x for x in flags if x[0] == k]
        out.append(Card(k, names[k], rc[k], dc[k], len(insp.get(k, [])), sum(insp.get(k, [])),
                        sum(1 for x in f if x[1] == "drill"), sum(1 for x in f if x[1] == "drill" and x[2]),
                        sum(1 for x in f if x[1] == "plan_review"),
                        sum(1 for x in f if x[1] == "plan_review" and x[2])))
    out.sort(key=lambda c: c.name)
    log.info("scorecards by %s: %d cards in %.3fs", by, len(out), time.perf_counter() - t0)
    return out


def trend(s: Session, *, end: dt.date, periods: int = 4, days: int = 7, by: str = "agency",
          region_id: int | None = None) -> list[list[Card]]:
    """Consecutive windows of ``days`` ending at ``end`` (oldest first)."""
    return [scorecards(s, start=end - dt.timedelta(days=days * (i + 1)), end=end - dt.timedelta(days=days * i), by=by,
                       region_id=region_id) for i in reversed(range(periods))]
