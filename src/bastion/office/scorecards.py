"""Scorecards per agency and per jurisdiction (never per person), recomputable from the raw records:
rectification tasks (deadline; closed = first history event to fixed/verified), duties (due 17:00 local on the
due day; closed = done), campaign inspections (completed by the campaign deadline), drills and plan reviews
(duties `drill`, `plan_review` done), coverage of the key's sites within the 1/3/5-minute standards (stored per-site
coverage results, office.coverage; the latest refresh, not windowed). Window: deadlines in [start, end)."""

from __future__ import annotations

import datetime as dt
import logging
import statistics
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.access.models import Agency
from bastion.algorithms.office import scorecard as algo
from bastion.office.config import settings
from bastion.office.coverage import coverage_cards
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
    coverage: algo.CoverageCard | None = None  # stored per-site coverage (office.coverage); not windowed


Flags = list[tuple[int, str, bool]]  # (key, duty code, done)


def _rows(s: Session, by: str, region_id: int | None) -> list[algo.TaskRow]:
    """Rectification tasks as scorecard rows (closed = the first history event to fixed or verified)."""
    closed = dict(s.execute(select(TaskEvent.task_id, func.min(TaskEvent.at))
                            .where(TaskEvent.to_status.in_(("fixed", "verified"))).group_by(TaskEvent.task_id)).all())
    q = select(RectificationTask.id, RectificationTask.owner_agency_id, Site.region_id, RectificationTask.deadline,
               RectificationTask.created_at).join(Site, Site.id == RectificationTask.site_id)
    if region_id is not None:
        q = q.where(Site.region_id == region_id)
    rect = []
    for tid, owner, region, deadline, created in s.execute(q):
        key = owner if by == "agency" else region
        if key is not None:
            rect.append(algo.TaskRow(key, deadline, closed.get(tid), created))
    return rect


def _duty_cards(s: Session, by: str, keys: list[int], start: dt.date, end: dt.date,
                region_id: int | None) -> tuple[dict[int, algo.Scorecard], Flags]:
    """The duty scorecards with the same definitions as algorithms.office.scorecard (deadline = 17:00 local on the
    due day, in [start, end); on time = done at or before it), counted per (key, due day) in the database; only
    closed duties are fetched one by one (for on-time and the median). Also the drill / plan-review flags."""
    tz = settings().timezone
    s0 = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    e0 = dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC)
    lo, hi = start - dt.timedelta(days=1), end + dt.timedelta(days=1)
    group = Duty.agency_id if by == "agency" else Site.region_id

    def scoped(q: Any) -> Any:
        if by == "region" or region_id is not None:
            q = q.join(Site, Site.id == Duty.site_id)
        return q.where(Site.region_id == region_id) if region_id is not None else q

    is_drill, is_plan, done = Duty.code == "drill", Duty.code == "plan_review", Duty.status == "done"
    q = scoped(select(group, Duty.due_on, func.count(), func.count(Duty.done_at),
                      func.sum(case((is_drill, 1), else_=0)), func.sum(case((is_drill & done, 1), else_=0)),
                      func.sum(case((is_plan, 1), else_=0)), func.sum(case((is_plan & done, 1), else_=0)))
               .where(Duty.due_on >= lo, Duty.due_on <= hi, Duty.status != "withdrawn")).group_by(group, Duty.due_on)
    deadlines: dict[dt.date, dt.datetime] = {}
    n: Counter[int] = Counter()
    overdue: Counter[int] = Counter()
    flags: Flags = []
    for k, due_on, count, closed_n, drills, drills_done, plans, plans_done in s.execute(q):
        if k is None:
            continue
        dl = deadlines.setdefault(due_on, duty_deadline(due_on, tz))
        if s0 <= dl < e0:
            n[k] += count
            if dl < e0:
                overdue[k] += count - closed_n
        if start <= due_on < end:
            flags += [(k, "drill", True)] * int(drills_done or 0) + [(k, "drill", False)] * int(
                (drills or 0) - (drills_done or 0)) + [(k, "plan_review", True)] * int(plans_done or 0) + \
                [(k, "plan_review", False)] * int((plans or 0) - (plans_done or 0))
    days = [d for d, dl in deadlines.items() if s0 <= dl < e0]
    on_time: Counter[int] = Counter()
    spans: dict[int, list[float]] = {}
    if days:
        dq = scoped(select(group, Duty.due_on, Duty.done_at, Duty.created_at)
                    .where(Duty.due_on.in_(days), Duty.done_at.is_not(None)))
        for k, due_on, done_at, created in s.execute(dq):
            if k is None or done_at is None:
                continue
            spans.setdefault(k, []).append((done_at - created).total_seconds() / 86400)
            if done_at <= deadlines[due_on]:
                on_time[k] += 1
    out = {}
    for k in keys:
        med = statistics.median(spans[k]) if spans.get(k) else None
        total = n[k]
        out[k] = algo.Scorecard(k, start, end, total, on_time[k], round(100 * on_time[k] / total, 1) if total else None,
                                len(spans.get(k, [])), None if med is None else round(med, 2), overdue[k])
    return out, flags

def scorecards(s: Session, *, start: dt.date, end: dt.date, by: str = "agency",
               region_id: int | None = None) -> list[Card]:
    """One card per agency (``by="agency"``) or region (``by="region"``), sorted by name; ``region_id``: only
    that jurisdiction's records."""
    t0 = time.perf_counter()
    if by not in ("agency", "region"):
        raise ValueError("by must be agency or region")
    names = ({a.id: a.name for a in s.scalars(select(Agency))} if by == "agency"
             else {r.id: r.name for r in s.scalars(select(Region))})
    rect = _rows(s, by, region_id)
    keys = sorted(names)
    rc = {c.key: c for c in algo.scorecards(rect, keys, start=start, end=end)}
    dc, flags = _duty_cards(s, by, keys, start, end, region_id)
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
    cov = coverage_cards(s, by=by, keys=keys, region_id=region_id)
    out = []
    flags_by: dict[int, Flags] = {}
    for x in flags:
        flags_by.setdefault(x[0], []).append(x)
    for k in keys:
        f = flags_by.get(k, [])
        out.append(Card(k, names[k], rc[k], dc[k], len(insp.get(k, [])), sum(insp.get(k, [])),
                        sum(1 for x in f if x[1] == "drill"), sum(1 for x in f if x[1] == "drill" and x[2]),
                        sum(1 for x in f if x[1] == "plan_review"),
                        sum(1 for x in f if x[1] == "plan_review" and x[2]), cov[k]))
    out.sort(key=lambda c: c.name)
    log.info("scorecards by %s: %d cards in %.3fs", by, len(out), time.perf_counter() - t0)
    return out


def trend(s: Session, *, end: dt.date, periods: int = 4, days: int = 7, by: str = "agency",
          region_id: int | None = None) -> list[list[Card]]:
    """Consecutive windows of ``days`` ending at ``end`` (oldest first)."""
    return [scorecards(s, start=end - dt.timedelta(days=days * (i + 1)), end=end - dt.timedelta(days=days * i), by=by,
                       region_id=region_id) for i in reversed(range(periods))]
