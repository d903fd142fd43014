"""Exercises on Monaco: model-driven injects, late arrivals (> 2x modelled), the AAR closure rule and its
tasks, the drill -> vulnerability rule, calendar gaps filled by proposals, the iCalendar round trip (and RRULE
expansion), and exercise/real separation."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.preparedness import exercises as ex
from bastion.preparedness import ical
from bastion.preparedness import service as svc
from bastion.preparedness.models import Exercise
from bastion.reports import service as reports
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.supervision import service as sup

T0 = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
START = dt.datetime(2027, 3, 9, 10, 0, tzinfo=dt.UTC)


def _ids(sf: sessionmaker[Session]) -> tuple[int, int]:
    with sf() as s:
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        assert site is not None
        return site.region_id, site.id


def _exercise(sf: sessionmaker[Session], threat: str = "marauding_attack") -> Exercise:
    rid, sid = _ids(sf)
    return ex.create_exercise(sf, rid, name="Stadium lockdown drill", type="drill", start=START,
                              end=START + dt.timedelta(hours=3), site_ids=[sid], threat=threat,
                              agencies=["Direction de la Sûreté Publique", "Sapeurs-pompiers"],
                              objectives=[{"objective": "Lock down the stands within 2 minutes",
                                           "capability": "on_scene_security_protection_and_law_enforcement"}],
                              now=T0)


def test_injects_come_from_the_models(monaco_sf: sessionmaker[Session]) -> None:
    e = ex.generate_msel(monaco_sf, _exercise(monaco_sf).id)
    msel = e.msel
    assert all(i["mode"] == "EXERCISE" and i["synopsis"].startswith("EXERCISE") for i in msel)
    assert [i["offset_s"] for i in msel] == sorted(i["offset_s"] for i in msel)
    arrivals = [i for i in msel if "unit" in i]
    assert arrivals and all(i["offset_s"] == ex.CALL_DELAY_S + i["modelled_travel_s"] for i in arrivals)
    cordon = next(i for i in msel if "cordon_m" in i)
    assert cordon["cordon_m"] == 150.0 and cordon["people_inside"] > 0  # the stadium's own peak occupancy at least
    with pytest.raises(InvalidInput) as err:
        ex.evaluate(monaco_sf, e.id, ratings={"planning": "P"}, observed_arrivals_s={"Nobody": 10})
    assert err.value.field == "observed_arrivals_s"
    u = arrivals[0]
    obs = {u["unit"]: 2 * u["modelled_travel_s"] + 1}  # one second beyond twice the modelled time
    if len(arrivals) > 1:
        obs[arrivals[1]["unit"]] = 2 * arrivals[1]["modelled_travel_s"]  # exactly twice: not late
    e = ex.evaluate(monaco_sf, e.id, ratings={"planning": "P"}, observed_arrivals_s=obs)
    late = {a["unit"]: a["late"] for a in e.evaluation["arrivals"] if a["observed_s"] is not None}
    assert late[u["unit"]] is True
    if len(arrivals) > 1:
        assert late[arrivals[1]["unit"]] is False


def test_aar_cannot_close_while_a_weak_capability_has_no_action(monaco_sf: sessionmaker[Session]) -> None:
    rid, sid = _ids(monaco_sf)
    e = _exercise(monaco_sf)
    with pytest.raises(Conflict, match="no evaluation"):
        ex.finalise(monaco_sf, e.id, now=T0)
    plan = svc.save_plan(monaco_sf, sid, "ied", {}, now=T0)
    after = START + dt.timedelta(days=10)
    with monaco_sf() as s:  # a planned exercise does not count as exercised
        assert "not_exercised_12_months" in svc.readiness(s, sid, now=after).plans["ied"]
    ex.evaluate(monaco_sf, e.id, ratings={"operational_communications": "M", "planning": "S",
                                          "mass_care_services": "U"})
    ex.set_aar(monaco_sf, e.id, strengths=["Stewards knew the lockdown signal"], improvements=[
        {"capability": "operational_communications", "issue": "Radio dead spots under stand B",
         "corrective_action": "Install a leaky-feeder antenna", "element": "equipment",
         "owner_agency": "Stade Louis-II operator", "due": "2027-06-30"}], now=T0)
    with pytest.raises(Conflict, match="mass_care_services"):  # U-rated, no corrective action
        ex.finalise(monaco_sf, e.id, now=T0)
    with pytest.raises(InvalidInput) as err:  # an item needs an owner agency
        ex.set_aar(monaco_sf, e.id, strengths=[], improvements=[{"capability": "planning", "issue": "x",
                   "corrective_action": "y", "due": "2027-06-30"}], now=T0)
    assert err.value.field == "improvements[0].owner_agency"
    ex.set_aar(monaco_sf, e.id, strengths=["Stewards knew the lockdown signal"], improvements=[
        {"capability": "operational_communications", "issue": "Radio dead spots under stand B",
         "corrective_action": "Install a leaky-feeder antenna", "element": "equipment",
         "owner_agency": "Stade Louis-II operator", "due": "2027-06-30"},
        {"capability": "mass_care_services", "issue": "No reunification point",
         "corrective_action": "Designate a reunification point in the plan", "element": "planning",
         "owner_agency": "Stade Louis-II operator", "due": "2027-04-30"}], now=T0)
    with monaco_sf() as s:  # a held (evaluated) exercise does, for 365 days
        assert "not_exercised_12_months" not in svc.readiness(s, sid, now=after).plans["ied"]
        assert "not_exercised_12_months" in svc.readiness(s, sid, now=after + dt.timedelta(days=366)).plans["ied"]
    del plan
    e2, tasks = ex.finalise(monaco_sf, e.id, now=T0)
    assert e2.status == "finalised" and len(tasks) == 2
    with monaco_sf() as s:
        ts = [t for t in sup.list_tasks(s, site_id=sid) if t.item_id.startswith(f"exercise:{e.id}:")]
    assert sorted(t.deadline.date().isoformat() for t in ts) == ["2027-04-30", "2027-06-30"]
    assert all(t.owner_agency == "Stade Louis-II operator" and t.status == "open" for t in ts)
    with pytest.raises(Conflict):
        ex.finalise(monaco_sf, e.id, now=T0)


def test_a_failed_lockdown_drill_raises_vulnerability_by_the_rule(monaco_sf: sessionmaker[Session]) -> None:
    _rid, sid = _ids(monaco_sf)
    risk_svc.record_measure(monaco_sf, sid, "lockdown_procedure", {})

    def v_mta() -> float:
        with monaco_sf() as s:
            site = s.get(Site, sid)
            return next(t.vulnerability for t in risk_svc.assess(s, site).by_threat if t.threat == "marauding_attack")

    before = v_mta()
    e = _exercise(monaco_sf)
    ex.evaluate(monaco_sf, e.id, ratings={"planning": "S"},
                drills=[{"procedure": "lockdown", "observed_s": 360, "target_s": 120}])  # 6 min vs 2 min
    ex.finalise(monaco_sf, e.id, now=T0)
    after = v_mta()
    assert after == pytest.approx(before / (1 - 0.3))  # lockdown_procedure's effectiveness vs MTA is 0.3
    e = _exercise(monaco_sf)  # a passing drill restores the procedure and records the drill date
    ex.evaluate(monaco_sf, e.id, ratings={"planning": "P"},
                drills=[{"procedure": "lockdown", "observed_s": 100, "target_s": 120}])
    ex.finalise(monaco_sf, e.id, now=T0)
    with monaco_sf() as s:
        ms = {m.kind: m.params for m in risk_svc.site_measures(s, sid)}
    assert "lockdown_procedure" in ms and ms["drills"]["dates"] == ["2027-03-09"]
    assert v_mta() < before


def test_calendar_gaps_and_proposals(monaco_sf: sessionmaker[Session]) -> None:
    rid, sid = _ids(monaco_sf)
    with monaco_sf() as s:
        cal = ex.calendar(s, rid, first_year=2027, years=2)
    assert any(g.site_id == sid and g.rule_id == "uk_enhanced_annual" for g in cal["gaps"])
    made = ex.schedule_proposals(monaco_sf, rid, first_year=2027, years=2, now=T0)
    assert len(made) == len(cal["proposals"]) > 0
    with monaco_sf() as s:
        cal2 = ex.calendar(s, rid, first_year=2027, years=2)
    assert cal2["gaps"] == () and cal2["proposals"] == ()
    assert [c for c in cal2["conflicts"] if c.kind == "site"] == []


def test_icalendar_round_trip_and_rrule(monaco_sf: sessionmaker[Session]) -> None:
    rid, sid = _ids(monaco_sf)
    e = _exercise(monaco_sf)
    ex.create_exercise(monaco_sf, rid, name="Tabletop, ministry", type="tabletop", start=START,
                       end=START + dt.timedelta(hours=4), site_ids=[sid], now=T0)
    with monaco_sf() as s:
        rows = ex.list_exercises(s, rid)
        before = [{f: getattr(r, f) for f in (*ical.FIELDS, "uid")} for r in rows]
    data = ical.to_ics(rows, now=T0)
    assert b"BEGIN:VEVENT" in data and b"SUMMARY:EXERCISE: Stadium lockdown drill" in data
    assert ical.import_ics(monaco_sf, rid, data, now=T0).unchanged == tuple(r.id for r in rows)
    with monaco_sf.begin() as s:  # wipe and re-import: the same records come back
        s.execute(text("DELETE FROM exercises"))
    rep = ical.import_ics(monaco_sf, rid, data, now=T0)
    assert len(rep.created) == 2
    with monaco_sf() as s:
        after = [{f: getattr(r, f) for f in (*ical.FIELDS, "uid")} for r in ex.list_exercises(s, rid)]
        assert ical.to_ics(ex.list_exercises(s, rid), now=T0) == data  # byte-identical second export
    assert after == before
    del e
    rrule = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\nBEGIN:VEVENT\r\nUID:quarterly-drill\r\n"
             b"DTSTAMP:20270101T000000Z\r\nDTSTART:20270112T090000Z\r\nDTEND:20270112T110000Z\r\n"
             b"SUMMARY:Quarterly evacuation drill\r\nCATEGORIES:DRILL\r\nRRULE:FREQ=MONTHLY;INTERVAL=3;COUNT=4\r\n"
             b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    rep = ical.import_ics(monaco_sf, rid, rrule, now=T0, default_site_ids=[sid])
    with monaco_sf() as s:
        got = [r for r in ex.list_exercises(s, rid) if r.uid.startswith("quarterly-drill/")]
    assert [r.start.date().isoformat() for r in got] == ["2027-01-12", "2027-04-12", "2027-07-12", "2027-10-12"]
    assert {r.type for r in got} == {"drill"} and len(rep.created) == 4
    with pytest.raises(InvalidInput):
        ical.import_ics(monaco_sf, rid, b"not a calendar", now=T0)


def test_exercise_records_never_reach_real_views(monaco_sf: sessionmaker[Session]) -> None:
    rid, sid = _ids(monaco_sf)
    with monaco_sf() as s:
        report0 = reports.region_report_html(s, rid, at=T0, generated_at=T0)
        site0 = reports.site_report_html(s, sid, at=T0, generated_at=T0)
        tasks0 = len(sup.list_tasks(s, region_id=rid))
    e = _exercise(monaco_sf)
    ex.generate_msel(monaco_sf, e.id)
    ex.evaluate(monaco_sf, e.id, ratings={"planning": "P"})
    with monaco_sf() as s:
        assert reports.region_report_html(s, rid, at=T0, generated_at=T0) == report0
        assert reports.site_report_html(s, sid, at=T0, generated_at=T0) == site0
        assert len(sup.list_tasks(s, region_id=rid)) == tasks0
        assert {m for (m,) in s.execute(select(Exercise.mode))} == {"EXERCISE"}
    with pytest.raises(IntegrityError), monaco_sf.begin() as s:  # the table refuses a REAL row
        s.execute(text("UPDATE exercises SET mode = 'REAL'"))
