"""The vehicle assessment wired into the product, on SQLite and PostgreSQL (Place du Casino, Monaco):
catalogued certified barriers, rectification tasks from unmet requirements, the site report section and the
vehicle-as-a-weapon vulnerability.

By hand (tests/services/test_vehicle_service.py): a car reaches the square at 119 km/h up Avenue des
Spélugues (no ISO rating covers it) and at 60 km/h along Avenue de Monte-Carlo, which needs V/1500[M1]/64."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.reports import service as reports
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.supervision import service as insp_svc
from bastion.supervision import vehicle_tasks
from bastion.supervision.models import RectificationTask
from bastion.supervision.models import TaskEvent
from bastion.vehicle import read
from bastion.vehicle import service as svc

CASINO_SQUARE = "11144655"
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)
KEY = "measure:site/{}/hvm_barrier"


def _vuln(sf: sessionmaker[Session], sid: int) -> dict[str, float]:
    with sf() as s:
        r = risk_svc.assess(s, s.get(Site, sid))
    return {t.threat: t.vulnerability for t in r.by_threat}


def _south(sf: sessionmaker[Session], sid: int) -> dict[str, object]:
    with sf() as s:
        aps = read.site_vehicle(s, sid, vehicle="car", wrong_way=False)["assessments"][0]["approaches"]
    (south,) = [ap for ap in aps if ap["way_id"] == 161775592]
    assert aps[0]["status"] == "not_coverable"  # 119 km/h: no barrier can be rated for it
    return south


def test_catalogued_barrier_report_tasks_and_risk(monaco_sf: sessionmaker[Session]) -> None:
    sf = monaco_sf
    with sf() as s:
        sid = s.scalar(select(Site.id).where(Site.source_id == CASINO_SQUARE))
        assert sid is not None
        assert "report-vehicle" not in reports.site_report_html(s, sid)  # nothing assessed yet
    # an ISO 22343-1 barrier rated for 48 km/h is recorded in the measures catalogue
    risk_svc.record_measure(sf, sid, "hvm_barrier", {"standard": "ISO 22343-1", "rating": "V/1500[M1]/48/90:0.6"})
    v_no_data = _vuln(sf, sid)
    svc.assess(sf, "Monaco", svc.AssessParams(vehicles=("car",)), site_ids=[sid])
    south = _south(sf, sid)
    (b,) = [b for b in south["barriers"] if b["key"] == KEY.format(sid)]  # type: ignore[union-attr]
    assert south["status"] == "gap" and not b["satisfied"] and b["rating"] == "V/1500[M1]/48/90:0.6"
    assert b["need"] == "V/1500[M1]/64 penetration <= 1.0 m"  # compared under ISO, its own standard
    assert "does not meet" in b["reason"]

    # risk: the gap discounts the barrier against vehicle-as-a-weapon only
    v_gap = _vuln(sf, sid)
    assert v_gap["vehicle_as_weapon"] > v_no_data["vehicle_as_weapon"]
    assert v_gap["ied"] == v_no_data["ied"]
    with sf() as s:
        rr = risk_svc.region_risk(s, s.get(Site, sid).region_id)
    (mine,) = [a for a in rr.ranking if int(a.site_id) == sid]
    assert {t.threat: t.vulnerability for t in mine.by_threat} == v_gap

    # report: the site report carries the vehicle section
    with sf() as s:
        page = reports.site_report_html(s, sid)
    assert "Hostile vehicle approaches" in page and "report-vehicle" in page and "V/1500[M1]/64" in page

    # tasks: one per unmet entry, idempotent, with history
    with sf() as s:
        unmet = read.unmet_requirements(s, site_id=sid)
    entries = {vehicle_tasks.item_id(g) for g in unmet}
    assert len(entries) >= 2
    with pytest.raises(InvalidInput, match="owner_agency"):
        vehicle_tasks.create_tasks(sf, sid, now=NOW)  # no operator agency to default to
    rep = vehicle_tasks.create_tasks(sf, sid, now=NOW, owner_agency="Casino operator", deadline_days=14)
    assert len(rep.created) == rep.entries == len(entries) and rep.existing == () and rep.inspection_id
    again = vehicle_tasks.create_tasks(sf, sid, now=NOW, owner_agency="Casino operator")
    assert again.created == () and sorted(again.existing) == sorted(rep.created) and again.inspection_id is None
    with sf() as s:
        tasks = insp_svc.list_tasks(s, site_id=sid)
        assert sorted(t.id for t in tasks) == sorted(rep.created)
        t0 = tasks[0]
        assert t0.measure == "hvm_barrier" and t0.standard_id == "ISO 22343-1" and t0.owner_agency == "Casino operator"
        assert t0.deadline.replace(tzinfo=dt.UTC) == NOW + dt.timedelta(days=14) and t0.status == "open"
        assert any("above every tested speed" in t.text for t in tasks)
        events = s.scalars(select(TaskEvent).where(TaskEvent.task_id.in_(rep.created))).all()
        assert sorted(e.task_id for e in events) == sorted(rep.created) and {e.event for e in events} == {"created"}
        assert "report-vehicle" in reports.site_report_html(s, sid)

    # a barrier rated for the need: the matching approach becomes protected, nothing else changes
    risk_svc.record_measure(sf, sid, "hvm_barrier", {"standard": "ISO 22343-1", "rating": "V/1500[M1]/64/90:0.6"})
    svc.assess(sf, "Monaco", svc.AssessParams(vehicles=("car",)), site_ids=[sid])
    south = _south(sf, sid)
    (b,) = [b for b in south["barriers"] if b["key"] == KEY.format(sid)]  # type: ignore[union-attr]
    assert south["status"] == "protected" and b["satisfied"]
    # the 119 km/h approach is still a gap: the barrier stays discounted
    assert _vuln(sf, sid)["vehicle_as_weapon"] == v_gap["vehicle_as_weapon"]
    third = vehicle_tasks.create_tasks(sf, sid, now=NOW, owner_agency="Casino operator")
    assert third.created == () and third.entries < rep.entries
    with sf() as s:
        assert s.scalar(select(RectificationTask.id).where(RectificationTask.site_id == sid,
                                                           RectificationTask.status != "open")) is None


def test_catalogue_barrier_counts_only_for_its_site_and_unrated_is_unrated(monaco_sf: sessionmaker[Session]) -> None:
    sf = monaco_sf
    with sf() as s:
        sid = s.scalar(select(Site.id).where(Site.source_id == CASINO_SQUARE))
        region_id = s.get(Site, sid).region_id
    risk_svc.record_measure(sf, sid, "hvm_barrier", {})  # uncertified
    with sf() as s:
        (b,) = [b for b in svc.region_barriers(s, region_id) if b.key.startswith("measure:")]
        site = s.get(Site, sid)
    assert b.key == KEY.format(sid) and b.standard is None and b.rating is None
    import shapely

    foot = shapely.from_wkb(site.geometry_wkb)
    assert b.geometry.contains(foot)  # the site's assessed perimeter
    svc.assess(sf, "Monaco", svc.AssessParams(vehicles=("car",)), site_ids=[sid])
    south = _south(sf, sid)
    (c,) = [c for c in south["barriers"] if c["key"] == KEY.format(sid)]  # type: ignore[union-attr]
    assert not c["rated"] and not c["satisfied"] and south["status"] == "gap"
    # another site's approaches never count this site's barrier
    with sf() as s:
        other = s.scalars(select(Site.id).where(Site.region_id == region_id, Site.id != sid)).all()
    svc.assess(sf, "Monaco", svc.AssessParams(vehicles=("car",)), site_ids=list(other[:40]))
    with sf() as s:
        for o in other[:40]:
            for a in read.site_vehicle(s, o)["assessments"]:
                assert all(x["key"] != KEY.format(sid) for ap in a["approaches"] for x in ap["barriers"])
