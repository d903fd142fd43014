"""The lead-office briefing with the posture's need-to-know sections: measures and temporary tasks in force
(TLP:AMBER) and the reasons for raised levels (TLP:AMBER+STRICT). The office's briefing drops them from any
lower-label output."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.office import briefing as office_briefing
from bastion.office.briefing import Briefing
from bastion.office.briefing import Section
from bastion.posture import service as ps
from bastion.posture.models import Declaration
from bastion.posture.models import PostureTask
from bastion.regions.models import Region


def sections(s: Session, now: dt.datetime, region_id: int | None = None) -> list[Section]:
    titles = {r.rule_id: r.title for r in ps.pack().rules}
    regions = {r.id: r.name for r in s.scalars(select(Region))}
    count: Counter[tuple[str, str]] = Counter()
    q = select(PostureTask.region_id, PostureTask.rule_id).where(PostureTask.status == "open")
    if region_id is not None:
        q = q.where(PostureTask.region_id == region_id)
    for rid, rule in s.execute(q):
        count[regions.get(rid, str(rid)), titles.get(rule, rule)] += 1
    reasons = tuple((regions.get(d.region_id, ""), d.scheme, d.level, d.reason) for d in s.scalars(
        select(Declaration).where(Declaration.status == "active").order_by(Declaration.region_id, Declaration.scheme))
        if region_id is None or d.region_id == region_id)
    return [Section("office.briefing.posture_tasks", "TLP:AMBER",
                    ("office.region", "office.briefing.measure", "office.briefing.count"),
                    tuple((a, b, n) for (a, b), n in sorted(count.items()))),
            Section("office.briefing.reasons", "TLP:AMBER+STRICT",
                    ("office.region", "office.briefing.scheme", "office.briefing.level", "posture.reason"), reasons)]


def build(s: Session, *, kind: str, tlp: str, now: dt.datetime, region_id: int | None = None) -> Briefing:
    return office_briefing.build(s, kind=kind, tlp=tlp, now=now, region_id=region_id,
                                 extra=sections(s, now, region_id))
