"""Escalation ladders over rectification tasks (supervision) and duties: reminder to the owner -> supervising
agency -> lead office, at configurable offsets from the deadline (hours, or business days on the region's
holiday calendar); each jurisdiction may set its own ladder. A step fires once (unique (task, level)); each firing
queues notifications. The periodic check calls ``run_due(now)`` every <= 30 s, so a step fires within 60 s of its
time. Each open task's next step and its due time sit in office_escalation_due (indexed by due time): a check reads
the rows due, plus the tasks created or changed since the previous check, never every open task."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Container
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.office import calendar as cal
from bastion.algorithms.office.responsibility import Assignment
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.office import notify
from bastion.office.config import holiday_calendar
from bastion.office.config import settings
from bastion.office.models import Duty
from bastion.office.models import EscalationDue
from bastion.office.models import EscalationMark
from bastion.office.models import EscalationStep
from bastion.office.models import LadderSetting
from bastion.office.models import Notification
from bastion.office.responsibility import resolve_region
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.supervision.models import RectificationTask

log = logging.getLogger(__name__)
DUTY_DUE_LOCAL = dt.time(17, 0)  # a duty due on a day is due at 17:00 local time (ASSUMPTION, editable)
OPEN_TASK = ("open", "in_progress")


def parse_ladder(spec: str) -> tuple[cal.LadderStep, ...]:
    """'-24h:owner,2bd:supervising,5bd:lead' (h = hours, bd = business days) -> ladder steps 1, 2, 3..."""
    steps = []
    for level, part in enumerate([p.strip() for p in spec.split(",") if p.strip()], start=1):
        off, _, target = part.partition(":")
        try:
            if off.endswith("bd"):
                steps.append(cal.LadderStep(level, int(off[:-2]), "business", target or "owner"))
            elif off.endswith("h"):
                steps.append(cal.LadderStep(level, int(off[:-1]), "calendar", target or "owner"))
            else:
                raise ValueError(off)
        except ValueError:
            raise InvalidInput(f"ladder step {part!r}: write <hours>h or <business days>bd, then :owner, "
                               ":supervising or :lead (e.g. -24h:owner,2bd:supervising,5bd:lead)",
                               field="ladder") from None
    if not steps:
        raise InvalidInput("ladder needs at least one step", field="ladder")
    return tuple(steps)


@dataclass(frozen=True)
class Fired:
    task_kind: str
    task_id: int
    level: int
    target: str
    agency_id: int | None
    due_at: dt.datetime


def duty_deadline(due_on: dt.date, tz: str) -> dt.datetime:
    return dt.datetime.combine(due_on, DUTY_DUE_LOCAL, tzinfo=ZoneInfo(tz)).astimezone(dt.UTC)


def ladder_spec(ladder: Sequence[cal.LadderStep]) -> str:
    """The text form parse_ladder reads: '-24h:owner,2bd:supervising,5bd:lead'."""
    return ",".join(f"{st.offset}{'h' if st.clock == 'calendar' else 'bd'}:{st.target}"
                    for st in sorted(ladder, key=lambda x: x.level))


def region_ladder(s: Session, region_id: int) -> tuple[cal.LadderStep, ...]:
    """The jurisdiction's ladder (office_ladders), else the default reminder -> supervising -> lead office."""
    row = s.get(LadderSetting, region_id)
    return cal.DEFAULT_LADDER if row is None else parse_ladder(row.spec)


def set_ladder(sf: sessionmaker[Session], region_id: int, spec: str, *, actor: str,
               now: dt.datetime) -> LadderSetting:
    """Store a jurisdiction's ladder (validated: offsets in hours or business days >= 0, targets owner /
    supervising / lead, levels in order). The next periodic check recomputes the region's due steps."""
    steps = parse_ladder(spec)
    for st in steps:
        if st.clock == "business" and st.offset < 0:
            raise InvalidInput(f"ladder step {st.level}: business days must be 0 or more (use hours before the "
                               "deadline, e.g. -24h)", field="ladder")
        if abs(st.offset) > (24 * 366 if st.clock == "calendar" else 260):
            raise InvalidInput(f"ladder step {st.level}: offset {st.offset} is beyond a year", field="ladder")
    if len(steps) > 6:
        raise InvalidInput("a ladder has at most 6 steps", field="ladder")
    with unit_of_work(sf) as s:
        if s.get(Region, region_id) is None:
            raise NotFound(f"region {region_id} does not exist")
        row = s.get(LadderSetting, region_id)
        if row is None:
            row = LadderSetting(region_id=region_id, spec="", updated_by=actor)
            s.add(row)
        row.spec, row.updated_by, row.updated_at = ladder_spec(steps), actor, now
        s.flush()
        return row


@dataclass
class _Clock:
    """What a step's due time depends on besides the task: the ladder of each region, zone and holidays."""

    tz: str
    hol: Container[dt.date]
    holiday_region: str
    fixed: tuple[cal.LadderStep, ...] | None  # a ladder given by the caller for every region
    ladders: dict[int, tuple[cal.LadderStep, ...]]
    memo: dict[tuple[int, dt.datetime, int], tuple[int, dt.datetime] | None]

    def ladder(self, s: Session, region_id: int) -> tuple[cal.LadderStep, ...]:
        if self.fixed is not None:
            return self.fixed
        if region_id not in self.ladders:
            self.ladders[region_id] = region_ladder(s, region_id)
        return self.ladders[region_id]

    def signature(self, s: Session, region_id: int) -> str:
        return f"{ladder_spec(self.ladder(s, region_id))}|{self.tz}|{self.holiday_region}"

    def next_step(self, s: Session, region_id: int, deadline: dt.datetime,
                  fired: int) -> tuple[int, dt.datetime] | None:
        """(level, due time) of the earliest step above ``fired``; None when every step has fired."""
        key = (region_id, deadline, fired)
        if key not in self.memo:
            due = [(cal.step_due(st, deadline, tz=self.tz, holidays=self.hol), st.level)
                   for st in self.ladder(s, region_id) if st.level > fired]
            self.memo[key] = None if not due else (min(due)[1], min(due)[0])
        return self.memo[key]


_Item = tuple[str, int, int, int, dt.datetime, int | None]  # kind, task id, region, site, deadline, owner


def _open_items(s: Session, kind: str, *, lo: int = 0, hi: int | None = None, region_id: int | None = None,
                ids: Sequence[int] | None = None, tz: str) -> list[_Item]:
    if kind == "rectification":
        rq = (select(RectificationTask.id, Site.region_id, RectificationTask.site_id, RectificationTask.deadline,
                     RectificationTask.owner_agency_id).join(Site, Site.id == RectificationTask.site_id)
              .where(RectificationTask.status.in_(OPEN_TASK), RectificationTask.id > lo))
        if hi is not None:
            rq = rq.where(RectificationTask.id <= hi)
        if region_id is not None:
            rq = rq.where(Site.region_id == region_id)
        if ids is not None:
            rq = rq.where(RectificationTask.id.in_(list(ids)))
        return [(kind, a, b, c, d, e) for a, b, c, d, e in s.execute(rq)]
    dq = (select(Duty.id, Site.region_id, Duty.site_id, Duty.due_on, Duty.agency_id).join(Site, Site.id == Duty.site_id)
          .where(Duty.status == "open", Duty.id > lo))
    if hi is not None:
        dq = dq.where(Duty.id <= hi)
    if region_id is not None:
        dq = dq.where(Site.region_id == region_id)
    deadlines: dict[dt.date, dt.datetime] = {}
    return [(kind, a, b, c, deadlines.setdefault(d, duty_deadline(d, tz)), e) for a, b, c, d, e in s.execute(dq)]


def _enrol(s: Session, clock: _Clock, items: list[_Item], *, replace: bool) -> None:
    """Queue each task's next step (the highest level already fired comes from office_escalations)."""
    if not items:
        return
    fired: dict[tuple[str, int], int] = {}
    kinds = {k for k, *_ in items}
    for kind in kinds:
        ids = [i for k, i, *_ in items if k == kind]
        for chunk in range(0, len(ids), 5000):
            part = ids[chunk:chunk + 5000]
            q = (select(EscalationStep.task_id, func.max(EscalationStep.level))
                 .where(EscalationStep.task_kind == kind, EscalationStep.task_id.in_(part))
                 .group_by(EscalationStep.task_id))
            fired.update({(kind, int(i)): int(lvl) for i, lvl in s.execute(q)})
    if replace:
        for kind in kinds:
            ids = [i for k, i, *_ in items if k == kind]
            for chunk in range(0, len(ids), 5000):
                s.execute(delete(EscalationDue).where(EscalationDue.task_kind == kind,
                                                      EscalationDue.task_id.in_(ids[chunk:chunk + 5000])))
    rows = []
    for kind, tid, region, site, deadline, owner in items:
        f = fired.get((kind, tid), 0)
        nxt = clock.next_step(s, region, deadline, f)
        if nxt is not None:
            rows.append({"task_kind": kind, "task_id": tid, "region_id": region, "site_id": site,
                         "owner_agency_id": owner, "deadline": deadline, "fired_level": f, "next_due_at": nxt[1]})
    for chunk in range(0, len(rows), 5000):
        s.execute(insert(EscalationDue), rows[chunk:chunk + 5000])


def _mark(s: Session, key: str) -> EscalationMark:
    m = s.get(EscalationMark, key)
    if m is None:
        m = EscalationMark(key=key, last_id=0)
        s.add(m)
    return m


def _catch_up(s: Session, clock: _Clock) -> None:
    """Bring the due table up to date: regions whose ladder (or zone, holidays) changed are re-queued whole;
    tasks created since the last check are queued; rectification tasks changed since (deadline moved, reopened,
    closed) are re-queued. Reads only new or changed rows, never every open task."""
    marks = {k: _mark(s, k) for k in ("rectification", "duty")}
    hi = {"rectification": int(s.scalar(select(func.max(RectificationTask.id))) or 0),
          "duty": int(s.scalar(select(func.max(Duty.id))) or 0)}
    for rid in s.scalars(select(Region.id).order_by(Region.id)):
        m, sig = _mark(s, f"ladder:{rid}"), clock.signature(s, rid)
        if m.spec != sig:
            s.execute(delete(EscalationDue).where(EscalationDue.region_id == rid))
            for kind in ("rectification", "duty"):
                _enrol(s, clock, _open_items(s, kind, hi=marks[kind].last_id, region_id=rid, tz=clock.tz),
                       replace=False)
            m.spec = sig
    rect = marks["rectification"]
    if rect.last_at is not None and rect.last_id:
        changed = list(s.execute(select(RectificationTask.id, RectificationTask.updated_at).where(
            RectificationTask.updated_at >= rect.last_at, RectificationTask.id <= rect.last_id)))
        if changed:
            ids = [int(i) for i, _u in changed]
            for chunk in range(0, len(ids), 5000):
                part = ids[chunk:chunk + 5000]
                s.execute(delete(EscalationDue).where(EscalationDue.task_kind == "rectification",
                                                      EscalationDue.task_id.in_(part)))
                _enrol(s, clock, _open_items(s, "rectification", ids=part, tz=clock.tz), replace=False)
            rect.last_at = max(u for _i, u in changed)
    for kind in ("rectification", "duty"):
        if hi[kind] > marks[kind].last_id:
            _enrol(s, clock, _open_items(s, kind, lo=marks[kind].last_id, hi=hi[kind], tz=clock.tz), replace=True)
            marks[kind].last_id = hi[kind]
    if rect.last_at is None:
        rect.last_at = s.scalar(select(func.max(RectificationTask.updated_at)))
    s.flush()


def _still_open(s: Session, rows: Sequence[EscalationDue]) -> dict[tuple[str, int], dt.datetime]:
    """The due rows' tasks that are still open, with their current deadline."""
    out: dict[tuple[str, int], dt.datetime] = {}
    rids = [r.task_id for r in rows if r.task_kind == "rectification"]
    dids = [r.task_id for r in rows if r.task_kind == "duty"]
    for chunk in range(0, len(rids), 5000):
        q = select(RectificationTask.id, RectificationTask.deadline).where(
            RectificationTask.id.in_(rids[chunk:chunk + 5000]), RectificationTask.status.in_(OPEN_TASK))
        out.update({("rectification", int(i)): d for i, d in s.execute(q)})
    for chunk in range(0, len(dids), 5000):
        dq = select(Duty.id).where(Duty.id.in_(dids[chunk:chunk + 5000]), Duty.status == "open")
        out.update({("duty", int(i)): dt.datetime.min for i in s.scalars(dq)})
    return out


def run_due(sf: sessionmaker[Session], now: dt.datetime, *, ladder: Sequence[cal.LadderStep] | None = None,
            tz: str | None = None, holiday_region: str | None = None) -> list[Fired]:
    """Fire every ladder step due at ``now`` and not fired yet; queue a notification for each. ``ladder``: one
    ladder for every region (default: each region's own, office_ladders). Reads only the tasks whose next step is
    due (office_escalation_due), after queueing new and changed tasks."""
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware", field="now")
    conf = settings()
    region_hol = holiday_region or conf.holiday_region
    clock = _Clock(tz or conf.timezone, holiday_calendar(region_hol, now.year - 2, now.year + 11), region_hol,
                   None if ladder is None else tuple(ladder), {}, {})
    fired: list[Fired] = []
    with unit_of_work(sf) as s:
        _catch_up(s, clock)
        due = list(s.scalars(select(EscalationDue).where(EscalationDue.next_due_at <= now)
                             .order_by(EscalationDue.task_kind, EscalationDue.task_id)))
        if not due:
            return []
        alive = _still_open(s, due)
        pending: list[tuple[EscalationDue, list[cal.LadderStep]]] = []
        for row in due:
            key = (row.task_kind, row.task_id)
            if key not in alive:
                s.delete(row)  # closed, done or withdrawn: nothing more to escalate
                continue
            if row.task_kind == "rectification" and alive[key] != row.deadline:
                row.deadline = alive[key]  # moved since queued (also caught by the change scan)
            steps = cal.due_steps(clock.ladder(s, row.region_id), row.deadline, fired=row.fired_level, now=now,
                                  tz=clock.tz, holidays=clock.hol)
            if steps:
                pending.append((row, steps))
            else:
                _requeue(s, clock, row)
        if pending:
            _keys, res = resolve_region(s, site_ids=sorted({r.site_id for r, _st in pending}))
            out = _Out([], [], {})
            for row, steps in pending:
                fired += _fire(s, row, steps, res.assignments.get(row.site_id, {}), clock, now, out)
                row.fired_level = max(row.fired_level, *(st.level for st in steps))
                _requeue(s, clock, row)
            for table, batch in ((EscalationStep, out.steps), (Notification, out.notes)):
                for chunk in range(0, len(batch), 5000):
                    s.execute(insert(table), batch[chunk:chunk + 5000])
        log.info("escalation: %d due rows, %d steps fired at %s", len(due), len(fired), now.isoformat())
    return fired


def _requeue(s: Session, clock: _Clock, row: EscalationDue) -> None:
    nxt = clock.next_step(s, row.region_id, row.deadline, row.fired_level)
    if nxt is None:
        s.delete(row)
    else:
        row.next_due_at = nxt[1]


@dataclass
class _Out:
    """The rows one check writes, inserted in bulk: steps fired, notifications, channels per agency."""

    steps: list[dict[str, object]]
    notes: list[dict[str, object]]
    channels: dict[int, list[str]]


def _fire(s: Session, row: EscalationDue, steps: Sequence[cal.LadderStep], roles: Mapping[str, Assignment],
          clock: _Clock, now: dt.datetime, out: _Out) -> list[Fired]:
    got = []
    kind, tid, sid, deadline = row.task_kind, row.task_id, row.site_id, row.deadline
    for st in steps:
        agency = row.owner_agency_id if st.target == "owner" else (
            roles[st.target].agency_id if st.target in roles else None)
        due_at = cal.step_due(st, deadline, tz=clock.tz, holidays=clock.hol)
        out.steps.append({"task_kind": kind, "task_id": tid, "level": st.level, "target": st.target,
                          "agency_id": agency, "due_at": due_at, "fired_at": now})
        got.append(Fired(kind, tid, st.level, st.target, agency, due_at))
        if agency is not None:
            if agency not in out.channels:
                out.channels[agency] = notify.channels_of(s, agency)
            out.notes += notify.rows(
                event=f"escalation:{kind}:{tid}:{st.level}", agency_id=agency, channels=out.channels[agency],
                subject=f"[TLP:AMBER] {kind} {tid}: escalation level {st.level} ({st.target})",
                body=f"{kind} {tid} at site {sid} was due {deadline.isoformat()}; ladder step {st.level} "
                     f"({st.target}) fell due {due_at.isoformat()}.", now=now)
    return got
