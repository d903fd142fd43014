"""Writing rectification tasks: every domain that opens one (inspections, vehicle gaps, missing emergency plans,
exercise improvement plans, incident lessons) goes through `add_task`, so a task always starts its history with one
"created" event."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bastion.supervision.models import RectificationTask
from bastion.supervision.models import TaskEvent


def add_task(s: Session, *, site_id: int, inspection_id: int, item_id: str, measure: str, standard_id: str, text: str,
             owner_agency: str | None, owner_agency_id: int | None, deadline: dt.datetime, now: dt.datetime,
             actor_account_id: int | None, detail: str) -> RectificationTask:
    """One open task (level 0, not overdue) and its "created" event, flushed so the task has its id."""
    t = RectificationTask(site_id=site_id, inspection_id=inspection_id, item_id=item_id, measure=measure,
                          standard_id=standard_id, text=text, owner_agency=owner_agency,
                          owner_agency_id=owner_agency_id, deadline=deadline, status="open", escalation_level=0,
                          overdue=False, created_at=now, updated_at=now)
    s.add(t)
    s.flush()
    s.add(TaskEvent(task_id=t.id, at=now, event="created", to_status="open", escalation_level=0,
                    inspection_id=inspection_id, actor_account_id=actor_account_id, detail=detail[:300]))
    return t
