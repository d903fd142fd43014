"""Run cards on Monaco's real road graph: the first units' travel times equal one Dijkstra per unit from their
bases (the live position and status do not change a pre-plan, out-of-service units are left out); the attendance
names the nearest unit holding each capability a type needs; printable in English and Chinese; REST and CLI."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.algorithms.dispatch.recommend import per_unit_travel_times
from bastion.incidents import dispatch
from bastion.incidents import runcards
from bastion.incidents import service as svc
from bastion.platform.cli import app
from bastion.regions.graphs import routing_for_region
from bastion.regions.repository import RegionRepo
from bastion.sites.models import Site
from bastion.units import service as units
from tests.incidents.helpers import ACTOR
from tests.incidents.helpers import NOW
from tests.incidents.test_sitrep_zh import WORD
from tests.incidents.test_sitrep_zh import english_vocabulary
from tests.incidents.test_sitrep_zh import visible_text

POINTS = [(7.4167, 43.7314, "special_unit"), (7.4213, 43.7365, "patrol_car"), (7.4246, 43.7384, "patrol_car"),
          (7.4390, 43.7480, "fire_engine"), (7.4100, 43.7270, "patrol_car")]


def _stade(s: Session) -> Site:
    return next(x for x in s.query(Site).filter(Site.name == "Stade Louis-II"))


def _units(sf: sessionmaker[Session]) -> list[int]:
    specs = [units.UnitSpec(unit_type=t, name=f"Unit {i}", lon=lon, lat=lat) for i, (lon, lat, t) in enumerate(POINTS)]
    return [u.id for u in units.add_units(sf, "Monaco", specs)]


def _move(sf: sessionmaker[Session], unit_id: int, **change: object) -> None:
    with sf() as s:
        version = svc.unit_view(s, unit_id).state.version
    svc.change_unit(sf, unit_id, svc.UnitChange(**change), expected_version=version, actor=ACTOR,  # type: ignore[arg-type]
                    now=NOW)


def baseline(sf: sessionmaker[Session], site_id: int) -> list[tuple[float, int, frozenset[str]]]:
    """(travel s, unit id, capabilities) of every unit of the region in service, by one forward Dijkstra per unit
    from its base (the recommender's test baseline), fastest first."""
    with sf() as s:
        site = s.get(Site, site_id)
        assert site is not None
        routing = routing_for_region(s, RegionRepo(s).get_by_ref("Monaco"), dispatch.PROFILE)
        views = [v for v in svc.unit_views(s, [site.region_id]) if v.state.status != "out_of_service"]
        nodes = dispatch._snap(routing, [v.unit.lon for v in views], [v.unit.lat for v in views])
        target = dispatch._snap(routing, [site.lon], [site.lat])
    tt = per_unit_travel_times(routing.graph.csr, target, nodes, limit_s=900)
    return sorted((float(x), v.unit.id, v.capabilities) for x, v, n in zip(tt, views, nodes, strict=True)
                  if np.isfinite(x) and n >= 0)


def test_first_units_equal_one_dijkstra_per_unit_from_bases(monaco_sf: sessionmaker[Session]) -> None:
    _units(monaco_sf)
    with monaco_sf() as s:
        stade_id = _stade(s).id
        card = runcards.run_card(s, stade_id, first=8)
    want = baseline(monaco_sf, stade_id)[:8]
    assert [c.unit_id for c in card.first] == [u for _, u, _ in want]
    assert [c.travel_s for c in card.first] == [pytest.approx(x, abs=1e-9) for x, _, _ in want]
    for c in card.first:
        assert c.meets_s == tuple(x for x in (60, 180, 300) if c.travel_s is not None and c.travel_s <= x)
    # a pre-plan: the live position and status of a unit do not change it; out of service leaves it out
    _move(monaco_sf, card.first[0].unit_id, lon=7.4390, lat=43.7480)
    _move(monaco_sf, card.first[1].unit_id, status="out_of_service")
    with monaco_sf() as s:
        again = runcards.run_card(s, stade_id, first=8)
    assert again.first[0] == card.first[0]
    assert card.first[1].unit_id not in [c.unit_id for c in again.first]
    assert [c.unit_id for c in again.first] == [u for _, u, _ in baseline(monaco_sf, stade_id)[:8]]


def test_attendance_names_the_nearest_capable_unit(monaco_sf: sessionmaker[Session]) -> None:
    ids = _units(monaco_sf)
    with monaco_sf() as s:
        stade_id = _stade(s).id
        card = runcards.run_card(s, stade_id)
    base = baseline(monaco_sf, stade_id)
    by = {(a.incident_type, a.capability): a.unit for a in card.attendance}
    for cap, itype in (("fire", "arson"), ("armed", "marauding_firearms"), ("medical", "cbrn")):
        nearest = next((u for _, u, caps in base if cap in caps), None)
        got = by[itype, cap]
        assert (got.unit_id if got else None) == nearest, cap
    assert by["placed_ied", "eod"] is None  # no unit has EOD
    _move(monaco_sf, ids[4], capabilities=["eod"])
    with monaco_sf() as s:
        by = {(a.incident_type, a.capability): a.unit for a in runcards.run_card(s, stade_id).attendance}
    assert by["placed_ied", "eod"].unit_id == ids[4]  # type: ignore[union-attr]
    assert by["vehicle_borne_ied", "eod"].unit_id == ids[4]  # type: ignore[union-attr]


def test_printable_in_chinese_without_english_vocabulary(monaco_sf: sessionmaker[Session]) -> None:
    _units(monaco_sf)
    with monaco_sf() as s:
        card = runcards.run_card(s, _stade(s).id)
    zh = visible_text(runcards.run_card_html(card, lang="zh-CN", at=NOW))
    call_signs = {c.call_sign for c in card.first} | {a.unit.call_sign for a in card.attendance if a.unit}
    for name in sorted({"Stade Louis-II", *call_signs}, key=len, reverse=True):  # names from the data
        zh = zh.replace(name, " ")
    assert [w for w in WORD.findall(zh) if w.lower() in english_vocabulary()] == []
    assert "出动预案卡" in zh and "排爆" in zh and "巡逻车" in zh
    en = runcards.run_card_html(card, lang="en", at=NOW)
    assert "Pre-determined attendance by incident type" in en
    assert len(re.findall(r"<tr data-unit=", en)) == len(card.first)


def test_rest_and_cli(client: TestClient) -> None:
    sf: sessionmaker[Session] = client.app.state.session_factory  # type: ignore[attr-defined]
    _units(sf)
    with sf() as s:
        sid = _stade(s).id
    r = client.get(f"/api/v1/sites/{sid}/run-card", params={"first": 3})
    assert r.status_code == 200, r.text
    body = r.json()
    assert len(body["first"]) == 3 and body["first"][0]["travel_s"] <= body["first"][1]["travel_s"]
    assert client.get(f"/api/v1/sites/{sid}/run-card", params={"first": 50}).status_code == 422
    pdf = client.get(f"/api/v1/sites/{sid}/run-card/print", params={"format": "pdf", "lang": "zh-CN"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"


def test_cli(cli_monaco: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    sites = json.loads(runner.invoke(app, ["sites", "list", "--region", "Monaco", "--json", "--limit", "500"]).output)
    sid = next(x["id"] for x in sites["items"] if x["name"] == "Stade Louis-II")
    stade = json.loads(runner.invoke(app, ["incidents", "run-card", str(sid), "--json"]).output)
    runner.invoke(app, ["units", "add", "--region", "Monaco", "--type", "special_unit", "--name", "SFO 1",
                        "--lon", str(stade["lon"]), "--lat", str(stade["lat"])])
    out = runner.invoke(app, ["incidents", "run-card", str(sid), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["first"][0]["call_sign"] == "SFO 1"
    target = tmp_path / "card.html"
    out = runner.invoke(app, ["incidents", "run-card", str(sid), "--out", str(target), "--lang", "zh-CN"])
    assert out.exit_code == 0 and "出动预案卡" in target.read_text(encoding="utf-8"), out.output
