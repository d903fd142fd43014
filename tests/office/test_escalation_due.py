"""The periodic check reads only what is due (office_escalation_due) yet follows every change: a jurisdiction's
own ladder, a deadline moved earlier after the task was queued, a task closed before its step (never escalated)
and reopened (escalated again), a ladder changed between checks. Hand-checked times on the real Monaco sites
(English bank holidays, Europe/London)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.office import escalation
from bastion.office.models import EscalationDue
from bastion.sites.models import Site
from bastion.supervision import service as sup
from tests.office_fixtures import agency_id

DONE = dt.datetime(2026, 2, 25, 17, tzinfo=dt.UTC)
D = DONE + dt.timedelta(days=30)  # both tasks' deadline: Fri 27 Mar 2026 17:00 UTC (GMT)


def _two_tasks(sf: sessionmaker[Session]) -> tuple[int, int]:
    with sf() as s:
        site = int(s.scalar(select(Site.id).where(Site.category == "education").order_by(Site.id).limit(1)))
    insp = sup.start_inspection(sf, site, now=DONE, inspector_agency="Lead office")
    with sf() as s:
        items = [i.item_id for i in sup.inspection_items(s, insp.id)]
    sup.answer(sf, insp.id, {k: "fail" if k in items[:2] else "pass" for k in items}, now=DONE)
    rep = sup.complete(sf, insp.id, now=DONE, owner_agency="Venue operators",
                       owner_agency_id=agency_id(sf, "Venue operators"), deadline_days=30)
    return rep.tasks_created[0], rep.tasks_created[1]


def _run(sf: sessionmaker[Session], now: dt.datetime) -> set[tuple[int, int, dt.datetime]]:
    return {(f.task_id, f.level, f.due_at) for f in escalation.run_due(sf, now, tz="Europe/London",
                                                                      holiday_region="GB-ENG")}


def test_due_rows_follow_ladder_deadline_and_status_changes(office_sf: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidInput, match="business days must be 0 or more"):
        escalation.set_ladder(office_sf, 1, "-2bd:owner", actor="test", now=DONE)
    escalation.set_ladder(office_sf, 1, "-48h:owner, 1bd:lead", actor="test", now=DONE)
    a, b = _two_tasks(office_sf)
    assert _run(office_sf, D - dt.timedelta(hours=49)) == set()  # queued, nothing due yet
    with office_sf() as s:
        assert s.scalar(select(func.count()).select_from(EscalationDue)) == 2  # one row per open task
    sup.update_task(office_sf, b, now=D - dt.timedelta(hours=48, minutes=30), status="fixed")  # closed in time
    at = D - dt.timedelta(hours=48) + dt.timedelta(seconds=10)
    assert _run(office_sf, at) == {(a, 1, D - dt.timedelta(hours=48))}  # the jurisdiction's -48 h, not -24 h
    assert _run(office_sf, at + dt.timedelta(seconds=20)) == set()  # never twice
    # the deadline moves a day earlier: step 2 (1 business day after) is now Fri 27 Mar 17:00, not Mon 30 Mar
    sup.update_task(office_sf, a, now=D - dt.timedelta(hours=47), deadline=D - dt.timedelta(days=1))
    assert _run(office_sf, D - dt.timedelta(seconds=30)) == set()
    assert _run(office_sf, D + dt.timedelta(seconds=15)) == {(a, 2, D)}
    with office_sf() as s:  # every step of a has fired; b is closed: nothing left to read
        assert s.scalar(select(func.count()).select_from(EscalationDue)) == 0
    # b reopened after its deadline: its step 1 (-48 h) is overdue and fires at the next check; then a new ladder
    # with a third step (2 business days after, to the supervising agency) re-queues the region
    sup.update_task(office_sf, b, now=D + dt.timedelta(minutes=5), status="in_progress")
    assert _run(office_sf, D + dt.timedelta(minutes=6)) == {(b, 1, D - dt.timedelta(hours=48))}
    escalation.set_ladder(office_sf, 1, "-48h:owner,1bd:lead,2bd:supervising", actor="test", now=D)
    mon = dt.datetime(2026, 3, 30, 16, tzinfo=dt.UTC)  # Mon 30 Mar 17:00 BST: 1 business day after Fri 27 Mar
    tue = dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
    # a (deadline Thu 26 Mar) gets the new step 3 two business days later, Mon 30 Mar; b (Fri 27 Mar) on Tue 31
    assert _run(office_sf, mon + dt.timedelta(seconds=5)) == {(b, 2, mon), (a, 3, mon)}
    assert _run(office_sf, tue + dt.timedelta(seconds=5)) == {(b, 3, tue)}
