"""Escalation ladders over rectification tasks (supervision) and duties: reminder to the owner -> supervising
agency -> lead office, at configurable offsets from the deadline (hours, or business days on the region's
holiday calendar). A step fires once (unique (task, level)); each firing queues notifications. The periodic
check calls ``run_due(now)`` every <= 30 s, so a step fires within 60 s of its time."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.office import calendar as cal
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.office import notify
from bastion.office.config import holiday_calendar
from bastion.office.config import settings
from bastion.office.models import Duty
from bastion.office.models import EscalationStep
from bastion.office.responsibility import resolve_region
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


def run_due(sf: sessionmaker[Session], now: dt.datetime, *, ladder: Sequence[cal.LadderStep] = cal.DEFAULT_LADDER,
            tz: str | None = None, holiday_region: str | None = None) -> list[Fired]:
    """Fire every ladder step due at ``now`` and not fired yet; queue a notification for each."""
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware", field="now")
    conf = settings()
    tz = tz or conf.timezone
    hol = holiday_calendar(holiday_region or conf.holiday_region, now.year - 1, now.year + 1)
    # the earliest deadline that can have any step due now: bounded by the largest positive offset
    fired: list[Fired] = []
    with unit_of_work(sf) as s:
        done = {(k, i): lvl for k, i, lvl in s.execute(select(EscalationStep.task_kind, EscalationStep.task_id,
                                                              EscalationStep.level))}
        items: list[tuple[str, int, int, dt.datetime, int | None]] = []
        for t in s.scalars(select(RectificationTask).where(RectificationTask.status.in_(OPEN_TASK))):
            items.append(("rectification", t.id, t.site_id, t.deadline, t.owner_agency_id))
        horizon = (now + dt.timedelta(days=2)).date()
        for d in s.scalars(select(Duty).where(Duty.status == "open", Duty.due_on <= horizon)):
            items.append(("duty", d.id, d.site_id, duty_deadline(d.due_on, tz), d.agency_id))
        if not items:
            return []
        fired_level: dict[tuple[str, int], int] = {}
        for (k, i), lvl in done.items():
            fired_level[k, i] = max(fired_level.get((k, i), 0), lvl)
        pending = []
        for kind, tid, sid, deadline, owner in items:
            steps = cal.due_steps(ladder, deadline, fired=fired_level.get((kind, tid), 0), now=now, tz=tz,
                                  holidays=hol)
            if steps:
                pending.append((kind, tid, sid, deadline, owner, steps))
        if not pending:
            return []
        _keys, res = resolve_region(s, site_ids=sorted({p[2] for p in pending}))
        for kind, tid, sid, deadline, owner, steps in pending:
            roles = res.assignments.get(sid, {})
            for st in steps:
                agency = owner if st.target == "owner" else (roles[st.target].agency_id if st.target in roles
                                                              else None)
                due_at = cal.step_due(st, deadline, tz=tz, holidays=hol)
                s.add(EscalationStep(task_kind=kind, task_id=tid, level=st.level, target=st.target, agency_id=agency,
                                     due_at=due_at, fired_at=now))
                fired.append(Fired(kind, tid, st.level, st.target, agency, due_at))
                if agency is not None:
                    notify.queue(s, event=f"escalation:{kind}:{tid}:{st.level}", agency_id=agency,
                                 subject=f"[TLP:AMBER] {kind} {tid}: escalation level {st.level} ({st.target})",
                                 body=f"{kind} {tid} at site {sid} was due {deadline.isoformat()}; ladder step "
                                      f"{st.level} ({st.target}) fell due {due_at.isoformat()}.", now=now)
        log.info("escalation: %d steps fired at %s", len(fired), now.isoformat())
    return fired
