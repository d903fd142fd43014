"""The supervision loop in the service layer with explicit clocks: inspection -> tasks -> escalation ->
fix -> verifying re-inspection, full history; the site's measures follow the inspection."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.supervision import service as svc

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def days(n: float) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def test_escalation_level_schedule() -> None:
    assert [svc.escalation_level(d) for d in (-1, 0, 0.5, 6.9, 7, 13.9, 14, 100)] == [0, 0, 1, 1, 2, 2, 3, 3]


def test_inspection_tasks_escalation_and_verification(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        sid = int(s.scalar(select(Site.id).where(Site.name == "Stade Louis-II")))
    risk_svc.record_measure(monaco_sf, sid, "cctv", {"retention_days": 30})
    insp = svc.start_inspection(monaco_sf, sid, now=T0, inspector_agency="Direction de la Sûreté Publique")
    with monaco_sf() as s:
        items = {i.item_id: i for i in svc.inspection_items(s, insp.id)}
    assert "uk_ppa_2025:evacuation_procedure" in items and "cn_key_target:cctv" in items
    assert items["cn_key_target:cctv"].suggested == "fail"  # 30 days on record, 90 required
    with pytest.raises(Conflict):
        svc.start_inspection(monaco_sf, sid, now=T0, inspector_agency="x")  # one open inspection per site
    failing = sorted(k for k in items if k.endswith((":evacuation_procedure", ":lockdown_procedure")))
    assert len(failing) >= 2
    answers = {k: ("fail" if k in failing else "pass") for k in items}
    answers["cn_key_target:patrol"] = "not_applicable"
    with pytest.raises(InvalidInput) as e:
        svc.answer(monaco_sf, insp.id, {"nope:cctv": "pass"}, now=T0)
    assert e.value.field == "answers.nope:cctv"
    assert svc.answer(monaco_sf, insp.id, {failing[0]: "fail"}, now=T0) == len(items) - 1
    with pytest.raises(InvalidInput):  # unanswered items block completion
        svc.complete(monaco_sf, insp.id, now=T0, owner_agency="Stade Louis-II operator")
    svc.answer(monaco_sf, insp.id, answers, now=T0)
    rep = svc.complete(monaco_sf, insp.id, now=days(1), owner_agency="Stade Louis-II operator", deadline_days=30)
    assert sorted(rep.failed) == failing and len(rep.tasks_created) == len(failing)
    with monaco_sf() as s:
        ms = {m.kind: m for m in risk_svc.site_measures(s, sid)}
    assert ms["cctv"].params["retention_days"] == 90 and ms["cctv"].source == "inspection"  # record follows
    assert "evacuation_procedure" not in ms
    with monaco_sf() as s:
        by_item = {t.item_id: t.id for t in svc.list_tasks(s, site_id=sid)}
    t_evac, t_lock = by_item["uk_ppa_2025:evacuation_procedure"], by_item["uk_ppa_2025:lockdown_procedure"]

    assert svc.escalate_overdue(monaco_sf, days(30)) == []  # deadline is day 31
    first = svc.escalate_overdue(monaco_sf, days(31.5))
    assert {(e.task_id, e.from_level, e.to_level) for e in first} == {(t, 0, 1) for t in rep.tasks_created}
    assert svc.escalate_overdue(monaco_sf, days(31.5)) == []  # idempotent for the same now
    svc.update_task(monaco_sf, t_evac, now=days(33), status="in_progress")
    svc.update_task(monaco_sf, t_evac, now=days(35), status="fixed")
    second = svc.escalate_overdue(monaco_sf, days(39))
    assert {e.task_id for e in second} == set(rep.tasks_created) - {t_evac}  # fixed tasks do not escalate
    assert {e.to_level for e in second} == {2}
    with pytest.raises(Conflict):
        svc.update_task(monaco_sf, t_evac, now=days(40), status="verified")  # needs a re-inspection
    with pytest.raises(Conflict):
        svc.update_task(monaco_sf, t_evac, now=days(40), status="open")  # not an allowed transition

    re = svc.start_inspection(monaco_sf, sid, now=days(41), inspector_agency="Direction de la Sûreté Publique")
    with monaco_sf() as s:
        keys = [i.item_id for i in svc.inspection_items(s, re.id)]
    still = [k for k in failing if k.endswith(":lockdown_procedure")]
    svc.answer(monaco_sf, re.id, {k: "fail" if k in still else "pass" for k in keys}, now=days(41))
    rep2 = svc.complete(monaco_sf, re.id, now=days(41), owner_agency="Stade Louis-II operator")
    assert t_evac in rep2.tasks_verified and rep2.tasks_created == () and sorted(rep2.failed) == still
    assert set(rep2.tasks_verified) == set(rep.tasks_created) - {by_item[k] for k in still}
    with monaco_sf() as s:
        evac = svc.get_task(s, t_evac)
        assert evac.status == "verified" and evac.verified_by_inspection_id == re.id and not evac.overdue
        hist = [(e.event, e.from_status, e.to_status) for e in svc.task_history(s, t_evac)]
        assert hist == [("created", None, "open"), ("escalated", None, None), ("status", "open", "in_progress"),
                        ("status", "in_progress", "fixed"), ("status", "fixed", "verified")]
        lock = svc.get_task(s, t_lock)
        assert lock.status == "open" and lock.escalation_level == 2 and lock.overdue
        assert {t.id for t in svc.list_tasks(s, site_id=sid, status=("open",))} == {by_item[k] for k in still}
        assert "evacuation_procedure" in {m.kind for m in risk_svc.site_measures(s, sid)}
    with pytest.raises(InvalidInput) as e:
        svc.escalate_overdue(monaco_sf, dt.datetime(2026, 5, 1))  # naive clock refused
    assert e.value.field == "now"
