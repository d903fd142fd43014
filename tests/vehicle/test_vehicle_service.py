"""Vehicle assessment service on SQLite and PostgreSQL: named Monaco results, storage, idempotent re-runs,
barriers checked under their own standard, gaps, timing and the report section.

Place du Casino (OSM relation 11144655), by hand on the map (see tests/core/vehicle/test_vehicle_osm.py):
- fastest: a car up Avenue des Spélugues (way 4230006) after the ~11 m corner, 183.5 m run-up,
  sqrt(0.6 g 11.3 + 2 * 2.8 * 183.5) = 33.1 m/s = 119 km/h > 112 km/h: no ISO rating covers it;
  E = 0.5 * 1500 kg * (33.08 m/s)^2 = 821 kJ;
- Avenue de Monte-Carlo (way 161775592, one-way): 60 km/h -> V/1500[M1]/64;
- the third entry (way 308214646) has seven OSM bollards on its last metres: unrated, so still a gap.
"""

from __future__ import annotations

import pytest
from shapely.geometry import Point
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.vehicle.barriers import Barrier
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.regions.models import Region
from bastion.sites.models import Site
from bastion.vehicle import read
from bastion.vehicle import service as svc
from bastion.vehicle.models import VehicleApproach
from bastion.vehicle.models import VehicleAssessment

CASINO_SQUARE = "11144655"


def casino_id(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        sid = s.scalar(select(Site.id).where(Site.source_id == CASINO_SQUARE))
        assert sid is not None
        return sid


def snapshot(sf: sessionmaker[Session]) -> tuple[object, ...]:
    with sf() as s:
        return (
            tuple(s.execute(select(VehicleAssessment.id, VehicleAssessment.result_hash, VehicleAssessment.computed_at)
                            .order_by(VehicleAssessment.id)).all()),
            tuple(s.execute(select(VehicleApproach.id, VehicleApproach.speed_kph, VehicleApproach.status)
                            .order_by(VehicleApproach.id)).all()),
        )


def test_place_du_casino_stored_with_needs_barriers_and_timing(monaco_sf: sessionmaker[Session]) -> None:
    sid = casino_id(monaco_sf)
    rep = svc.assess(monaco_sf, "Monaco", svc.AssessParams(vehicles=("car", "hgv")), site_ids=[sid])
    assert (rep.sites_assessed, rep.inserted, rep.unchanged, rep.entry_points) == (1, 2, 0, 6)
    with monaco_sf() as s:
        d = read.site_vehicle(s, sid, vehicle="car", timing=read.TimingParams(50.0))
    (a,) = d["assessments"]
    assert a["vehicle"] == "car" and not a["wrong_way"] and a["entry_points"] == 3 and a["gaps"] == 3
    assert a["parameters"]["friction"] == 0.6 and a["parameters"]["vehicle"]["mass_kg"] == 1500.0
    worst, south, third = a["approaches"]
    assert worst["way_id"] == 4230006 and worst["impact_speed_kph"] == pytest.approx(119.1, abs=0.5)
    assert worst["impact_speed_band_kph"]["low"] < 119 < worst["impact_speed_band_kph"]["high"]
    assert worst["kinetic_energy_kj"] == pytest.approx(
        0.5 * 1500 * (worst["impact_speed_kph"] / 3.6) ** 2 / 1000, abs=0.2
    )
    assert worst["run_up_m"] == pytest.approx(183.5, abs=1.0) and worst["limited_by"] == "bend"
    assert 9 < worst["limiting_bend"]["radius_m"] < 14
    assert worst["status"] == "not_coverable" and not worst["needs"][0]["coverable"]
    assert [n["standard"] for n in worst["needs"]] == ["ISO 22343-1", "IWA 14-1", "PAS 68", "ASTM F2656"]
    assert south["way_id"] == 161775592 and south["impact_speed_kph"] == pytest.approx(60.0, abs=0.5)
    assert south["needs"][0]["label"] == "V/1500[M1]/64 penetration <= 1.0 m" and south["status"] == "gap"
    assert third["way_id"] == 308214646 and third["status"] == "gap"
    keys = {b["key"] for b in third["barriers"]}
    assert len(keys) == 7 and "osm:node/7265825734" in keys
    assert all(not b["rated"] and not b["satisfied"] for b in third["barriers"])
    # active barrier 50 m before the square: 1.6 s of delay against 3 s guard + 2 s deploy
    assert not worst["timing"]["ok"] and worst["timing"]["delay_s"] == pytest.approx(1.6, abs=0.05)
    assert worst["timing"]["required_s"] == 5.0 and worst["active_barrier_min_detection_m"] == pytest.approx(
        130.4, abs=0.5
    )
    assert third["timing"]["ok"]  # the slow bollard street leaves 6 s
    with monaco_sf() as s:
        h = read.site_vehicle(s, sid, vehicle="hgv")["assessments"][0]["approaches"][0]
    assert h["impact_speed_kph"] == pytest.approx(68.3, abs=0.5) and h["needs"][0]["label"].startswith(
        "V/30000[N3D]/80"
    )


def test_rerun_changes_nothing_and_a_certified_barrier_protects(monaco_sf: sessionmaker[Session],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    sid = casino_id(monaco_sf)
    svc.assess(monaco_sf, "Monaco", svc.AssessParams(vehicles=("car",)), site_ids=[sid])
    wrong = svc.assess(monaco_sf, "Monaco", svc.AssessParams(vehicles=("car",), wrong_way=True), site_ids=[sid])
    assert wrong.inserted == 1  # the wrong-way scenario is stored beside the legal one
    with monaco_sf() as s:
        both = read.site_vehicle(s, sid)["assessments"]
    assert [a["wrong_way"] for a in both] == [False, True]
    assert both[1]["worst_speed_kph"] >= both[0]["worst_speed_kph"] and both[1]["entry_points"] >= 3
    before = snapshot(monaco_sf)
    again = svc.assess(monaco_sf, "Monaco", svc.AssessParams(vehicles=("car",)), site_ids=[sid])
    assert again.rows_changed == 0 and again.unchanged == 1 and snapshot(monaco_sf) == before
    # a catalogued barrier with a certified ISO rating at the Avenue de Monte-Carlo entry meets its need
    with monaco_sf() as s:
        south = s.scalar(select(VehicleApproach).where(VehicleApproach.way_id == 161775592))
        assert south is not None
        at = Point(south.entry_lon, south.entry_lat)
    real = svc.region_barriers

    def with_measure(s: Session, region_id: int) -> list[Barrier]:
        return [*real(s, region_id), Barrier("measure:1", "hvm_barrier", at, "ISO 22343-1", "V/1500[M1]/64/90:0.6")]

    monkeypatch.setattr(svc, "region_barriers", with_measure)
    rep = svc.assess(monaco_sf, "Monaco", svc.AssessParams(vehicles=("car",)), site_ids=[sid])
    assert rep.replaced == 1 and rep.gaps == 2
    with monaco_sf() as s:
        aps = read.site_vehicle(s, sid, wrong_way=False)["assessments"][0]["approaches"]
        gaps = [g for g in read.unmet_requirements(s, site_id=sid) if not g.wrong_way]
    (m,) = [b for ap in aps for b in ap["barriers"] if b["key"] == "measure:1"]
    assert (
        m["satisfied"] and m["need"] == "V/1500[M1]/64 penetration <= 1.0 m" and m["rating"] == "V/1500[M1]/64/90:0.6"
    )
    assert [ap["status"] for ap in aps] == ["not_coverable", "protected", "gap"]
    assert [g.status for g in gaps] == ["not_coverable", "gap"] and "above every tested speed" in gaps[0].task_text()


def test_whole_region_map_layer_and_report(monaco_sf: sessionmaker[Session]) -> None:
    rep = svc.assess(monaco_sf, "Monaco", svc.AssessParams(vehicles=("car",)))
    # 141 sites / 428 entry points before grade separation and before one site per place (164 sites):
    # the Palais princier and the Auditorium Rainier III
    # were reached only by tunnels under them (and a covered / layer=-1 car-park ramp); 63 entry points were
    # tunnels, bridges or covered ways passing under or over a perimeter
    assert rep.sites_assessed == 153 and rep.sites_reached == 132 and rep.entry_points == 348
    assert rep.worst[0]["speed_kph"] == pytest.approx(147.6, abs=0.5)  # a 300 m straight: sqrt(2 * 2.8 * 300)
    with monaco_sf() as s:
        region_id = s.scalar(select(Region.id))
        assert s.scalar(select(func.count()).select_from(VehicleApproach)) == 348
        fc = read.region_geojson(s, region_id)  # type: ignore[arg-type]
        html = read.render_report_section(read.report_section(s, casino_id(monaco_sf)))
    kinds: dict[str, int] = {}
    for f in fc["features"]:
        kinds[f["properties"]["feature"]] = kinds.get(f["properties"]["feature"], 0) + 1
    assert kinds == {"approach": 348, "entry": 348, "barrier": 122}
    barriers = [f["properties"] for f in fc["features"] if f["properties"]["feature"] == "barrier"]
    assert all(b["rated"] is False for b in barriers) and sum(b["satisfied"] is False for b in barriers) == 31
    entry = next(f for f in fc["features"] if f["properties"]["feature"] == "entry" and f["properties"]["site_name"]
                 == "Place du Casino" and f["properties"]["rank"] == 1)
    assert entry["properties"]["required_rating"] == "V/1500[M1]/64 penetration <= 1.0 m"
    assert "Hostile vehicle approaches" in html and "<td>119</td>" in html and "V/1500[M1]/64" in html


def test_bad_inputs_are_named(monaco_sf: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidInput, match="vehicle 'tank' is unknown") as e:
        svc.AssessParams(vehicles=("tank",))
    assert e.value.field == "vehicles"  # type: ignore[attr-defined]
    with pytest.raises(InvalidInput, match="friction_low <= friction"):
        svc.AssessParams(friction=0.4, friction_low=0.5)
    with pytest.raises(InvalidInput, match="max_distance_m must be"):
        svc.AssessParams(max_distance_m=-1)
    with pytest.raises(NotFound, match="region 'Atlantis'"):
        svc.assess(monaco_sf, "Atlantis")
    with pytest.raises(NotFound, match="site 999999"):
        svc.assess(monaco_sf, "Monaco", site_ids=[999999])
    with monaco_sf() as s:
        with pytest.raises(InvalidInput, match="vehicle 'bus'"):
            read.site_vehicle(s, casino_id(monaco_sf), vehicle="bus")
        assert read.site_vehicle(s, casino_id(monaco_sf))["assessed"] is False
