"""Plans on the real Monaco extract: versions and four-eyes approval, completeness per tier, missing top-three
plans -> rectification tasks (idempotent, property over every tiered site), drafting from data, exits and the
evacuation estimate, training counts."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness.assembly import STANDOFF_M
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.preparedness import drafting
from bastion.preparedness import service as svc
from bastion.preparedness.models import EmergencyPlan
from bastion.preparedness.models import SiteExit
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.supervision import service as sup

T0 = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)
FULL = {p: {"triggers": ["alarm"], "decision_role": "duty_manager", "steps": ["act"]}
        for p in ("evacuation", "invacuation", "lockdown", "communication")}


def _stade(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        return int(s.scalar(select(Site.id).where(Site.name == "Stade Louis-II")))


def test_versions_and_four_eyes_approval(monaco_sf: sessionmaker[Session]) -> None:
    sid = _stade(monaco_sf)
    p1 = svc.save_plan(monaco_sf, sid, "marauding_attack", FULL, now=T0, account_id=7)
    p2 = svc.save_plan(monaco_sf, sid, "marauding_attack", FULL, now=T0, account_id=7)
    assert (p1.version, p2.version, p2.status) == (1, 2, "draft")
    assert p2.review_date == dt.date(2028, 1, 4)  # default: twelve months
    with pytest.raises(Conflict, match="not the newest"):
        svc.approve_plan(monaco_sf, p1.id, account_id=8, now=T0)
    with pytest.raises(Conflict, match="second account"):
        svc.approve_plan(monaco_sf, p2.id, account_id=7, now=T0)
    with pytest.raises(InvalidInput):
        svc.approve_plan(monaco_sf, p2.id, account_id=None, now=T0)
    svc.approve_plan(monaco_sf, p2.id, account_id=8, now=T0)
    p3 = svc.save_plan(monaco_sf, sid, "marauding_attack", FULL, now=T0, account_id=8)
    svc.approve_plan(monaco_sf, p3.id, account_id=7, now=T0)
    with monaco_sf() as s:
        st = {p.version: p.status for p in svc.site_plans(s, sid)}
        kinds = {m.kind for m in risk_svc.site_measures(s, sid)}
    assert st == {1: "draft", 2: "superseded", 3: "approved"}
    # an approved plan records its procedures as the site's measures (the risk model's V falls)
    assert {"evacuation_procedure", "invacuation_procedure", "lockdown_procedure", "communication_procedure"} <= kinds


def test_completeness_depends_on_the_tier(monaco_sf: sessionmaker[Session]) -> None:
    sid = _stade(monaco_sf)
    with monaco_sf() as s:
        r0 = svc.readiness(s, sid, now=T0)
    assert r0.level == "enhanced" and ("uk_ppa_2025", "enhanced") in r0.tiers  # a stadium of 18,500 seats
    assert r0.missing_scenarios == r0.top_threats and len(r0.top_threats) == 3
    p = svc.save_plan(monaco_sf, sid, r0.top_threats[0], FULL, now=T0, account_id=1)
    svc.approve_plan(monaco_sf, p.id, account_id=2, now=T0)
    with monaco_sf() as s:
        r1 = svc.readiness(s, sid, now=T0)
    flags = r1.plans[r0.top_threats[0]]
    # enough for a standard-duty premises, not for an enhanced one
    assert "missing_field:evacuation.exits" in flags and "missing_field:invacuation.protected_spaces" in flags
    assert "no_evacuation_estimate" in flags and "not_exercised_12_months" in flags
    assert "not_approved" not in flags and "review_overdue" not in flags
    assert r1.missing_scenarios == r0.top_threats[1:]
    with monaco_sf() as s:  # a year and a day later the review is overdue
        assert "review_overdue" in svc.readiness(s, sid, now=T0 + dt.timedelta(days=366)).plans[r0.top_threats[0]]


@pytest.mark.slow
def test_missing_plans_become_tasks_idempotently(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        sites = list(s.scalars(select(Site).where(Site.missing_from_source.is_(False)).order_by(Site.id)))
        tiered = [x.id for x in sites if svc.tier_pairs(s, x)]
    assert len(tiered) >= 10
    for sid in tiered:
        svc.create_plan_tasks(monaco_sf, sid, now=T0, owner_agency="Direction de la Sûreté Publique")
    again = [svc.create_plan_tasks(monaco_sf, sid, now=T0, owner_agency="x") for sid in tiered]
    assert all(created == [] for created, _ in again)  # a second run creates nothing
    # A3: for every tiered site, each top-three threat has a plan or an open task
    with monaco_sf() as s:
        for sid in tiered:
            r = svc.readiness(s, sid, now=T0)
            tasks = {t.item_id for t in sup.list_tasks(s, site_id=sid) if t.status != "verified"}
            for threat in r.top_threats:
                assert threat in r.plans or f"eplan:{threat}" in tasks, (sid, threat)


def test_exits_evacuation_and_training(monaco_sf: sessionmaker[Session]) -> None:
    sid = _stade(monaco_sf)
    with pytest.raises(InvalidInput) as e:
        svc.set_exits(monaco_sf, sid, [{"label": "Gate A", "width_m": 0.2}])
    assert e.value.field == "exits[0].width_m"
    svc.set_exits(monaco_sf, sid, [{"label": f"Gate {c}", "width_m": 2.4} for c in "ABCDEF"])
    p = svc.save_plan(monaco_sf, sid, "ied", FULL, now=T0)
    ev = p.evacuation
    assert ev is not None
    # 6 x (2.4 - 0.30) = 12.6 m effective; people = the peak-hour occupancy of the stadium
    assert ev["effective_width_m"] == 12.6
    assert ev["time_high_min"] == pytest.approx(ev["people"] / (12.6 * 66), abs=0.01)
    svc.set_training(monaco_sf, sid, "steward", trained=18, expected=22, now=T0)
    svc.set_training(monaco_sf, sid, "security_lead", trained=2, expected=2, now=T0)
    with pytest.raises(InvalidInput):
        svc.set_training(monaco_sf, sid, "steward", trained=23, expected=22, now=T0)
    with pytest.raises(InvalidInput):
        svc.set_training(monaco_sf, sid, "Jean Dupont", trained=1, expected=1, now=T0)
    with monaco_sf() as s:
        assert svc.readiness(s, sid, now=T0).training == (20, 24)
        ms = {m.kind: m.params for m in risk_svc.site_measures(s, sid)}
    assert ms["training"]["staff_fraction"] == pytest.approx(20 / 24, abs=1e-4)


def test_drafting_a_region(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        region_id = int(s.scalar(select(Site.region_id).limit(1)))
    seen: list[float] = []
    rep = drafting.draft_region(monaco_sf, region_id, now=T0, progress=lambda f, _m: seen.append(f))
    assert rep.plans_created == 3 * rep.sites and seen[0] == 0.0 and seen[-1] == 1.0
    assert drafting.draft_region(monaco_sf, region_id, now=T0).plans_created == 0  # idempotent
    with monaco_sf() as s:
        plans = list(s.scalars(select(EmergencyPlan)))
        d = drafting.load_region(s, region_id)
    assert {p.source for p in plans} == {"generated"}
    with_units = [p for p in plans if p.data["units"]]
    assert len(with_units) > 0.9 * len(plans)  # Monaco's police and fire stations reach almost every site
    for p in plans:
        for c in p.data["assembly_rejected"]:  # rejected: inside the stand-off or on an approach corridor
            assert c["reason"] in ("inside_standoff", "on_vehicle_corridor")
        assert p.data["standoff_m"] == STANDOFF_M[p.threat]
        assert [u["travel_time_s"] for u in p.data["units"]] == sorted(u["travel_time_s"] for u in p.data["units"])
    # every chosen assembly point lies outside the scenario's stand-off distance
    import math
    for p in plans[:300]:
        sx, sy = d.xy[p.site_id]
        for text in p.sections["evacuation"]["assembly_points"]:
            sp = next(x for x in d.spaces if text.startswith(x.name or f"open space {x.id}"))
            assert math.hypot(sp.x - sx, sp.y - sy) >= STANDOFF_M[p.threat]


def test_exits_from_osm_entrances(monaco_sf: sessionmaker[Session]) -> None:
    from pathlib import Path

    from bastion.preparedness import osm_exits

    assert osm_exits.parse_width("1.8") == 1.8 and osm_exits.parse_width("2 m") == 2.0
    assert osm_exits.parse_width("6'") is None and osm_exits.parse_width("0.1") is None
    pbf = Path(__file__).resolve().parents[2] / "data" / "osm" / "monaco-2023-12.osm.pbf"
    ents = osm_exits.read_entrances(pbf)
    assert len(ents) == 77  # entrance=* nodes in the bundled extract; none maps a width
    with monaco_sf() as s:
        region_id = int(s.scalar(select(Site.region_id).limit(1)))
    r1 = osm_exits.attach(monaco_sf, region_id, ents)
    r2 = osm_exits.attach(monaco_sf, region_id, ents)
    assert r1 == r2 and 0 < r1.attached <= 77 and r1.assumed_width == r1.attached  # idempotent
    with monaco_sf() as s:
        sid = next(e.site_id for e in s.scalars(select(SiteExit).where(SiteExit.source == "osm")))
        osm_rows = svc.site_exits(s, sid)
    assert all(e.width_m == osm_exits.ASSUMED_WIDTH_M for e in osm_rows)
    p = svc.save_plan(monaco_sf, sid, "ied", FULL, now=T0)
    assert p.evacuation is not None and p.evacuation["exits"] == len(osm_rows)
    svc.set_exits(monaco_sf, sid, [{"label": "Main doors", "width_m": 3.0}])  # the user's exits take precedence
    p = svc.save_plan(monaco_sf, sid, "ied", FULL, now=T0)
    assert p.evacuation is not None and p.evacuation["exits"] == 1 and p.evacuation["effective_width_m"] == 2.7
    with monaco_sf() as s:
        assert len(svc.site_exits(s, sid)) == len(osm_rows) + 1  # OSM rows are kept, only not used


def test_no_person_columns_and_no_contact_details(monaco_sf: sessionmaker[Session]) -> None:
    """A8: no preparedness table has a person-identifier column; free text refuses contact details."""
    from bastion.preparedness import exercises as ex
    from bastion.preparedness import models

    deny = ("person", "first_name", "last_name", "full_name", "surname", "phone", "email", "dob", "birth",
            "national_id", "passport", "address")
    for table in (models.EmergencyPlan, models.SiteExit, models.TrainingCount, models.Exercise):
        cols = [c.name for c in table.__table__.columns]
        assert not [c for c in cols if any(d in c for d in deny)], (table.__tablename__, cols)
    sid = _stade(monaco_sf)
    with monaco_sf() as s:
        rid = int(s.scalar(select(Site.region_id).where(Site.id == sid)))
    start = dt.datetime(2027, 3, 9, 10, tzinfo=dt.UTC)
    e = ex.create_exercise(monaco_sf, rid, name="Drill", type="drill", start=start,
                           end=start + dt.timedelta(hours=1), site_ids=[sid], now=T0)
    ex.evaluate(monaco_sf, e.id, ratings={"planning": "M"})
    with pytest.raises(InvalidInput) as err:
        ex.set_aar(monaco_sf, e.id, strengths=["Ask marie.curie@example.org"], improvements=[], now=T0)
    assert err.value.field == "strengths[0]"


def test_draft_uses_vehicle_approaches(monaco_sf: sessionmaker[Session]) -> None:
    """With the site's vehicle approaches assessed, the draft lists them (fastest first) and the vehicle scenario's
    injects carry the modelled impact speed; no chosen assembly point lies on an approach corridor."""
    import math

    from bastion.algorithms.preparedness.assembly import CORRIDOR_HALF_WIDTH_M
    from bastion.preparedness import exercises as ex
    from bastion.vehicle import service as vehicle_svc

    sid = _stade(monaco_sf)
    with monaco_sf() as s:
        rid = int(s.scalar(select(Site.region_id).where(Site.id == sid)))
    vehicle_svc.assess(monaco_sf, rid, vehicle_svc.AssessParams(vehicles=("car",)), site_ids=[sid])
    p = drafting.draft_site(monaco_sf, sid, "vehicle_as_weapon", now=T0)
    va = p.data["vehicle_approaches"]
    assert va and [a["impact_speed_kph"] for a in va] == sorted((a["impact_speed_kph"] for a in va), reverse=True)
    with monaco_sf() as s:
        d = drafting.load_region(s, rid, [sid])
    msel = ex.build_msel(d, sid, "vehicle_as_weapon")
    assert msel[0]["impact_speed_kph"] == va[0]["impact_speed_kph"] and msel[0]["key"] == "prep.inject.vehicle"
    import shapely
    from shapely.geometry import LineString
    from shapely.geometry import Point

    zone = shapely.union_all([LineString(c["xy"]).buffer(CORRIDOR_HALF_WIDTH_M) for c in d.corridors[sid]])
    names = p.sections["evacuation"]["assembly_points"]
    for sp in d.spaces:
        label = sp.name or f"open space {sp.id}"
        if any(n.startswith(label + " (") for n in names):
            assert not zone.intersects(Point(sp.x, sp.y))
            assert math.hypot(sp.x - d.xy[sid][0], sp.y - d.xy[sid][1]) >= 50.0
