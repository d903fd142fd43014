"""Weekly and monthly lead-office briefings built from the data, labelled with a TLP 2.0 level.

Every section carries its own label: counts and public threat levels are TLP:GREEN; posture measures and
temporary tasks are TLP:AMBER (need-to-know, ProtectUK IB1: "should not be made public"); the reasons for a raised
posture are TLP:AMBER+STRICT. A document labelled L holds only sections labelled <= L (algorithms.office.tlp):
restricted content never reaches a lower-label output."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.access.models import Agency
from bastion.algorithms.office import tlp as tlp_lib
from bastion.algorithms.posture.levels import SCHEMES
from bastion.kernel.errors import InvalidInput
from bastion.office import campaigns
from bastion.office import scorecards
from bastion.office.models import Duty
from bastion.regions.models import Region
from bastion.supervision.models import RectificationTask

KINDS = {"weekly": 7, "monthly": 30}
LANGS = ("en", "zh-CN")


@dataclass(frozen=True)
class Section:
    key: str  # i18n key of the heading
    tlp: str
    columns: tuple[str, ...]  # i18n keys
    rows: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Briefing:
    kind: str
    tlp: str
    start: dt.date
    end: dt.date
    generated: dt.datetime
    sections: tuple[Section, ...]
    withheld: int  # sections left out because of the label


def build(s: Session, *, kind: str, tlp: str, now: dt.datetime, region_id: int | None = None,
          extra: Sequence[Section] = ()) -> Briefing:
    """``extra``: sections other domains add (the posture domain's need-to-know sections; it depends on the
    office, not the reverse)."""
    if kind not in KINDS:
        raise InvalidInput(f"kind must be one of {list(KINDS)}, got {kind!r}", field="kind")
    tlp_lib.rank(tlp)
    end = now.date() + dt.timedelta(days=1)
    start = end - dt.timedelta(days=KINDS[kind])
    names = {a.id: a.name for a in s.scalars(select(Agency))}
    sections: list[Section] = []
    # levels in force (public facts): GREEN
    from bastion.risk import service as risk_svc

    level_rows = []
    for r in s.scalars(select(Region).order_by(Region.name)):
        if region_id is not None and r.id != region_id:
            continue
        ts = risk_svc.threat_setting(s, r.id)
        level_rows.append((r.name, "uk", ts.uk_threat_level, SCHEMES["uk"].response(ts.uk_threat_level)))
        if ts.cn_heightened_level:
            level_rows.append((r.name, "cn", ts.cn_heightened_level, SCHEMES["cn"].response(ts.cn_heightened_level)))
    sections.append(Section("office.briefing.posture", "TLP:GREEN",
                            ("office.region", "office.briefing.scheme", "office.briefing.level",
                             "office.briefing.response"), tuple(level_rows)))
    sections.extend(extra)
    today = now.date()
    duty_rows = []
    q = (select(Duty.agency_id, func.count(), func.sum(case((Duty.status == "done", 1), else_=0)),
                func.sum(case(((Duty.status == "open") & (Duty.due_on < today), 1), else_=0)))
         .where(Duty.due_on >= start, Duty.due_on < end, Duty.status != "withdrawn").group_by(Duty.agency_id))
    for agency, n, done, overdue in s.execute(q):
        duty_rows.append((names.get(agency, "unassigned") if agency else "unassigned", int(n), int(done or 0),
                          int(overdue or 0)))
    sections.append(Section("office.briefing.duties", "TLP:GREEN",
                            ("office.agency", "office.due", "office.done", "office.overdue"),
                            tuple(sorted(duty_rows))))
    rect: Counter[tuple[str, bool]] = Counter()
    for t in s.scalars(select(RectificationTask).where(RectificationTask.status.in_(("open", "in_progress")))):
        rect[t.owner_agency, t.deadline < now] += 1
    sections.append(Section("office.briefing.rectification", "TLP:GREEN",
                            ("office.agency", "office.open", "office.overdue"),
                            tuple(sorted({(a, rect[a, False] + rect[a, True], rect[a, True]) for a, _ in rect}))))
    camp_rows = []
    for c in campaigns.list_campaigns(s, region_id=region_id)[:10]:
        for b in campaigns.board(s, c.id, now=now):
            camp_rows.append((c.name, b.agency, b.sites, b.completed, b.overdue))
    sections.append(Section("office.briefing.campaigns", "TLP:GREEN",
                            ("office.campaigns", "office.agency", "office.sites", "office.completed",
                             "office.overdue"), tuple(camp_rows)))
    cards = scorecards.scorecards(s, start=start, end=end)
    sections.append(Section("office.briefing.scorecards", "TLP:GREEN",
                            ("office.agency", "office.due", "office.on_time_pct", "office.median_days"),
                            tuple((c.name, c.rectification.due + c.duties.due, c.duties.on_time_pct,
                                   c.rectification.median_days_to_close) for c in cards
                                  if c.rectification.due or c.duties.due)))
    kept = tlp_lib.admissible([(x.tlp, x) for x in sections], tlp)
    return Briefing(kind, tlp, start, end, now, tuple(kept), len(sections) - len(kept))
