"""Situation reports on a schedule, with a controlled clock: the server's periodic check (posture.Ticker, the one
scheduler) queues one job per due time on the jobs queue, a worker runs it; exactly the expected reports appear,
each report's counts are the database's at its generation, a timeline entry follows each, the schedule stops when
the incident closes, and exercise reports never mix with real ones."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.policy import Principal
from bastion.incidents import dispatch
from bastion.incidents import render
from bastion.incidents import service as svc
from bastion.incidents import sitreps
from bastion.incidents.models import Sitrep
from bastion.incidents.models import SitrepSchedule
from bastion.incidents.models import UnitState
from bastion.incidents.sitreps import SITREP
from bastion.jobs import service as jobs
from bastion.jobs.models import Job
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.posture.ticker import Ticker
from bastion.posture.ticker import default_jobs
from bastion.units import service as units
from tests.incidents.helpers import ACTOR
from tests.incidents.helpers import NOW
from tests.incidents.helpers import open_incident

COMMANDER = jobs.principal_snapshot(Principal(actor="test:commander", superuser=True))
MIN = dt.timedelta(minutes=1)


class Clock:
    def __init__(self, t: dt.datetime) -> None:
        self.t = t

    def __call__(self) -> dt.datetime:
        return self.t


def drain(sf: sessionmaker[Session]) -> list[Job]:
    """What a worker does: claim each queued job and run it."""
    done = []
    while (job_id := jobs.claim(sf, "test-worker")) is not None:
        done.append(jobs.execute(sf, job_id, SITREP))
    return done


def db_counts(sf: sessionmaker[Session], incident_id: int) -> dict[str, Any]:
    """The figures a report must show, read straight from the tables (not through the report code)."""
    with sf() as s:
        inc = svc.get_incident(s, incident_id)
        states = list(s.scalars(select(UnitState).where(UnitState.incident_id == incident_id)))
        return {"casualties_total": sum(inc.casualties.values()),
                "units_committed": sum(st.status in ("dispatched", "en_route", "on_scene") for st in states),
                "timeline_entries": inc.timeline_count}


def reports(sf: sessionmaker[Session], incident_id: int) -> list[Sitrep]:
    with sf() as s:
        return sorted(sitreps.list_sitreps(s, incident_id=incident_id), key=lambda r: r.report_no)


@pytest.fixture
def quick_pdf(monaco_sf: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch) -> sessionmaker[Session]:
    """WeasyPrint takes ~1.5 s a page here: tests about which reports and what counts skip it (the fixed-times
    test makes real PDFs)."""
    monkeypatch.setattr(render, "to_pdf", lambda html: b"%PDF-1.7 test stand-in")
    return monaco_sf


def test_every_15_min_until_close_with_counts_of_the_moment(quick_pdf: sessionmaker[Session]) -> None:
    sf = quick_pdf
    inc = open_incident(sf, casualties={"immediate": 1})
    cars = units.add_units(sf, "Monaco", [units.UnitSpec(unit_type="patrol_car", name=f"Car {i}", lon=7.42,
                                                         lat=43.738) for i in range(4)])
    sitreps.set_schedule(sf, inc.id, interval_min=15, actor=ACTOR, principal=COMMANDER, now=NOW)  # 14:05
    clock = Clock(NOW)
    ticker = Ticker(sf, interval_s=20, clock=clock, extra=default_jobs())
    # what happens on the ground, minute by minute (changes land before that minute's tick)
    events = {NOW + 7 * MIN: lambda: dispatch.dispatch_units(sf, inc.id, [cars[0].id], actor=ACTOR, now=clock.t),
              NOW + 21 * MIN: lambda: svc.update_incident(sf, inc.id, {"casualties": {"immediate": 4, "dead": 1}},
                                                          expected_version=1, actor=ACTOR, now=clock.t),
              NOW + 30 * MIN: lambda: dispatch.dispatch_units(sf, inc.id, [c.id for c in cars[1:]], actor=ACTOR,
                                                              now=clock.t),
              NOW + 44 * MIN: lambda: svc.add_note(sf, inc.id, "Cordon holding", actor=ACTOR, now=clock.t)}
    expected_at_generation: dict[dt.datetime, dict[str, Any]] = {}
    while clock.t <= NOW + 70 * MIN:
        if clock.t in events:
            events[clock.t]()
        before = db_counts(sf, inc.id)
        ticker.tick_once()
        if drain(sf):
            expected_at_generation[clock.t] = before
        if clock.t == NOW + 67 * MIN:  # 15:12
            with sf() as s:
                version = svc.get_incident(s, inc.id).version
            svc.close_incident(sf, inc.id, expected_version=version, actor=ACTOR, now=clock.t)
        clock.t += MIN
    made = reports(sf, inc.id)
    # exactly one report per 15 minutes from 14:05 while open: 14:20, 14:35, 14:50, 15:05; none after the close
    due = [NOW + k * 15 * MIN for k in (1, 2, 3, 4)]
    assert [r.report_no for r in made] == [1, 2, 3, 4]
    assert [r.due_at.replace(tzinfo=dt.UTC) for r in made] == due
    assert sorted(expected_at_generation) == due
    for r in made:
        want = expected_at_generation[r.due_at.replace(tzinfo=dt.UTC)]
        got = {k: r.counts[k] for k in want}
        assert got == want, r.report_no
        assert f'data-k="total">{want["casualties_total"]}<' in r.html
        assert f'<span id="units-committed">{want["units_committed"]}</span>' in r.html
        assert r.pdf is not None and r.pdf[:5] == b"%PDF-" and r.mode == "real" and r.lang == "en"
    assert [r.counts["units_committed"] for r in made] == [1, 4, 4, 4]  # 3 more dispatched at 14:35, before its tick
    assert [r.counts["casualties_total"] for r in made] == [1, 5, 5, 5]
    with sf() as s:
        tl = svc.timeline(s, inc.id)
        assert not s.get(SitrepSchedule, inc.id).active  # type: ignore[union-attr]
    generated = [e for e in tl if e.kind == "sitrep" and e.details.get("event") == "generated"]
    assert [e.details["report_no"] for e in generated] == [1, 2, 3, 4]
    assert [e.at.replace(tzinfo=dt.UTC) for e in generated] == due
    assert tl[-1].kind == "closed"


def test_fixed_times_missed_slots_and_idempotent_rerun(monaco_sf: sessionmaker[Session]) -> None:
    sf = monaco_sf
    inc = open_incident(sf)
    sched = sitreps.set_schedule(sf, inc.id, times_utc=["18:00", "06:00", "14:30"], lang="zh-CN", actor=ACTOR,
                                 principal=COMMANDER, now=NOW)
    assert sched.times_utc == ["06:00", "14:30", "18:00"]
    assert sched.next_due_at.replace(tzinfo=dt.UTC) == NOW.replace(hour=14, minute=30)  # type: ignore[union-attr]
    assert sitreps.run_due(sf, NOW.replace(hour=14, minute=29)) == []
    # the server was down from 14:29 until 06:10 next day: one report, for the latest missed time (06:00)
    late = NOW.replace(hour=6, minute=10) + dt.timedelta(days=1)
    assert len(sitreps.run_due(sf, late)) == 1
    assert sitreps.run_due(sf, late) == []  # the due time was claimed: a second check queues nothing
    [job] = drain(sf)
    assert job.state == "succeeded"
    [rep] = reports(sf, inc.id)
    assert rep.due_at.replace(tzinfo=dt.UTC) == late.replace(minute=0) and rep.lang == "zh-CN"
    assert "态势报告" in rep.html and rep.pdf is not None and rep.pdf[:5] == b"%PDF-"
    with sf() as s:
        assert s.get(SitrepSchedule, inc.id).next_due_at.replace(tzinfo=dt.UTC) == late.replace(  # type: ignore[union-attr]
            hour=14, minute=30)
        n_tl = svc.get_incident(s, inc.id).timeline_count
    # a re-run of the job finds the report made and adds nothing
    again = jobs.rerun(sf, job.id, jobs.principal_of(COMMANDER))
    drain(sf)
    assert [r.id for r in reports(sf, inc.id)] == [rep.id]
    with sf() as s:
        assert jobs.get(sf, again.id, jobs.principal_of(COMMANDER)).result["sitrep_id"] == rep.id  # type: ignore[index]
        assert svc.get_incident(s, inc.id).timeline_count == n_tl


def test_exercise_reports_stay_apart(quick_pdf: sessionmaker[Session]) -> None:
    sf = quick_pdf
    real = open_incident(sf, casualties={"urgent": 2})
    drill = open_incident(sf, mode="exercise", title="Drill: suspicious item", incident_type="suspicious_item",
                          casualties={"immediate": 40})
    cars = units.add_units(sf, "Monaco", [units.UnitSpec(unit_type="patrol_car", name=f"Car {i}", lon=7.42,
                                                         lat=43.738) for i in range(3)])
    dispatch.dispatch_units(sf, drill.id, [c.id for c in cars], actor=ACTOR, now=NOW)
    for i in (real.id, drill.id):
        sitreps.set_schedule(sf, i, interval_min=10, actor=ACTOR, principal=COMMANDER, now=NOW)
    assert len(sitreps.run_due(sf, NOW + 10 * MIN)) == 2
    drain(sf)
    with sf() as s:
        default = sitreps.list_sitreps(s)
        both = sitreps.list_sitreps(s, modes=("real", "exercise"))
    assert [r.incident_id for r in default] == [real.id]
    assert sorted(r.incident_id for r in both) == sorted([real.id, drill.id])
    [r_real] = reports(sf, real.id)
    [r_drill] = reports(sf, drill.id)
    assert (r_real.counts["casualties_total"], r_real.counts["units_committed"]) == (2, 0)
    assert (r_drill.counts["casualties_total"], r_drill.counts["units_committed"]) == (40, 3)
    assert r_drill.mode == "exercise" and "EXERCISE — NOT A REAL INCIDENT" in r_drill.html
    assert "NOT A REAL INCIDENT" not in r_real.html


def test_schedule_is_validated(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf)
    kw: dict[str, Any] = {"actor": ACTOR, "principal": COMMANDER, "now": NOW}
    bad: list[tuple[dict[str, Any], str]] = [
        ({"interval_min": 4}, "interval_min"), ({"interval_min": 1441}, "interval_min"), ({}, "interval_min"),
        ({"interval_min": 30, "times_utc": ["06:00"]}, "interval_min"), ({"times_utc": ["24:00"]}, "times_utc"),
        ({"times_utc": ["6:00"]}, "times_utc"), ({"times_utc": ["06:00", "06:00"]}, "times_utc"),
        ({"interval_min": 30, "lang": "fr"}, "lang")]
    for args, fld in bad:
        with pytest.raises(InvalidInput) as e:
            sitreps.set_schedule(monaco_sf, inc.id, **args, **kw)
        assert e.value.field == fld, args
    svc.close_incident(monaco_sf, inc.id, expected_version=1, actor=ACTOR, now=NOW)
    with pytest.raises(Conflict, match="closed"):
        sitreps.set_schedule(monaco_sf, inc.id, interval_min=30, **kw)


def test_stop_appends_to_the_timeline_and_ends_the_reports(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf)
    sitreps.set_schedule(monaco_sf, inc.id, interval_min=5, actor=ACTOR, principal=COMMANDER, now=NOW)
    sitreps.stop_schedule(monaco_sf, inc.id, actor=ACTOR, now=NOW + MIN)
    assert sitreps.run_due(monaco_sf, NOW + 60 * MIN) == []
    with monaco_sf() as s:
        kinds = [(e.kind, e.details.get("event")) for e in svc.timeline(s, inc.id)]
    assert kinds[-2:] == [("sitrep", "scheduled"), ("sitrep", "stopped")]
    with pytest.raises(Conflict, match="already stopped"):
        sitreps.stop_schedule(monaco_sf, inc.id, actor=ACTOR, now=NOW + 2 * MIN)
