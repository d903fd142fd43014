"""Translated end to end, on real data: Monaco with a stored vehicle assessment, a completed inspection and the
rectification tasks of every generator (failed checklist items, hostile-vehicle gaps, missing emergency plans, an
exercise's improvement items), a patrol plan, an emergency plan and a heightened threat level. Every report the
server renders and the display texts of the JSON the views read are asked for in zh-CN and must hold none of our
English vocabulary (tests/reports/test_zh_cn_vocabulary.py builds it from the en.json values, the enumerations
and the bundled standards' clauses; proper names, units, rating codes and identifiers are allowed).

One database per module (built once: the setup runs four jobs); SQLite only: rendering is backend-independent
and the PostgreSQL paths of every request used here are covered by the domains' own tests."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from bastion.platform.meta import catalogue
from bastion.risk import wording
from tests.api_fixtures import job_result
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user
from tests.conftest import GoldenDatabases
from tests.reports.test_zh_cn_vocabulary import WORD
from tests.reports.test_zh_cn_vocabulary import english_vocabulary
from tests.reports.test_zh_cn_vocabulary import visible_text

API = "/api/v1"
CJK = re.compile(r"[\u4e00-\u9fff]")
SECTIONS = {p: {"triggers": ["Fire alarm"], "decision_role": "duty_manager", "steps": ["Sound the alarm"]}
            for p in ("evacuation", "invacuation", "lockdown", "communication")}


def standard_texts() -> set[str]:
    """Every clause, label and note of the bundled standard files (read from the YAML itself)."""
    import yaml

    from bastion.risk import standards_files

    texts: set[str] = set()

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("clause", "qualifying_clause", "adjustment_clause", "label", "note") and isinstance(v, str):
                    texts.add(v)
                else:
                    walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)

    files = sorted((Path(standards_files.__file__).parent / "standards").glob("*.yaml"))
    assert len(files) == 3
    for f in files:
        walk(yaml.safe_load(f.read_text("utf-8")))
    return texts


@cache
def vocabulary() -> frozenset[str]:
    """The English vocabulary, plus the words of the bundled standards' clauses (what a zh-CN reader must not
    see untranslated), less the words the Chinese texts keep (codes such as GA 1551, ISC, FSL)."""
    kept = {w.lower() for v in wording.clause_catalogue("zh-CN").values() for w in WORD.findall(v)}
    clauses = {w.lower() for k in standard_texts() for w in WORD.findall(k)}
    return frozenset(english_vocabulary() | (clauses - kept))


@pytest.fixture(scope="module")
def world(golden_dbs: GoldenDatabases, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = Path(tmp_path_factory.mktemp("zh"))
    url = f"sqlite:///{golden_dbs.copy_sqlite(tmp / 'bastion.db')}"
    app = create_app(Settings(data_dir=tmp, database_url=url, secret_key=TEST_SECRET))
    sf = app.state.session_factory
    lead = make_user(sf, "zh-lead", role="coordinator")
    second = make_user(sf, "zh-second", role="coordinator")
    with TestClient(app, headers={"Authorization": f"Bearer {lead}"}) as c, \
            TestClient(app, headers={"Authorization": f"Bearer {second}"}) as c2:
        rid = c.get(f"{API}/regions").json()["items"][0]["id"]
        sites = c.get(f"{API}/sites", params={"region_id": rid, "limit": 500}).json()["items"]
        stade = next(s["id"] for s in sites if s["name"] == "Stade Louis-II")
        casino = next(s["id"] for s in sites if s["osm_id"] == "11144655")
        assert c.put(f"{API}/regions/{rid}/threat-level", json={"cn_heightened_level": "level_2",
                                                                "version": 0}).status_code == 200
        job_result(c, c.post(f"{API}/regions/{rid}/vehicle-assessments",
                             json={"vehicles": ["car"], "site_ids": [stade, casino]}))
        assert c.post(f"{API}/sites/{casino}/vehicle-tasks", json={"owner_agency": "Casino operator"}).json()["created"]
        # an inspection of the stadium: every item failed -> a task per requirement
        insp = c.post(f"{API}/sites/{stade}/inspections", json={"inspector_agency": "Sûreté Publique"}).json()
        answers = {i["item_id"]: "fail" for i in insp["items"]}
        r = c.put(f"{API}/inspections/{insp['id']}/answers", json={"answers": answers, "version": insp["version"]})
        assert r.status_code == 200, r.text
        done = c.post(f"{API}/inspections/{insp['id']}/complete",
                      json={"owner_agency": "Stade operator", "version": r.json()["version"]})
        assert done.status_code == 200 and done.json()["tasks_created"], done.text
        # a plan for one threat, tasks for the top-three threats without one
        plan = c.post(f"{API}/sites/{stade}/emergency-plans", json={"threat": "ied", "sections": SECTIONS})
        assert plan.status_code == 201, plan.text
        assert c2.post(f"{API}/emergency-plans/{plan.json()['id']}/approve").status_code == 200
        assert c.post(f"{API}/sites/{casino}/emergency-plan-tasks", json={"owner_agency": "Casino operator"}
                      ).json()["created"]
        # an exercise with an improvement item -> a task
        start = dt.datetime(2027, 5, 4, 10, tzinfo=dt.UTC)
        ex = c.post(f"{API}/regions/{rid}/exercises", json={
            "name": "Stadium drill", "type": "drill", "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=2)).isoformat(), "site_ids": [stade], "threat": "vehicle_as_weapon",
            "objectives": [{"objective": "Invacuate in 3 min", "capability": "physical_protective_measures"}]}).json()
        c.put(f"{API}/exercises/{ex['id']}/evaluation", json={"ratings": {"physical_protective_measures": "U"}})
        c.put(f"{API}/exercises/{ex['id']}/aar", json={"strengths": ["Quick call"], "improvements": [{
            "capability": "physical_protective_measures", "issue": "Gate left open",
            "corrective_action": "Close gate C on event days", "owner_agency": "Stade operator",
            "due": "2027-09-01"}]})
        assert c.post(f"{API}/exercises/{ex['id']}/finalise").status_code == 200
        patrol = job_result(c, c.post(f"{API}/regions/{rid}/patrol-plans", json={
            "teams": 2, "shift": "08:00-10:00", "days": 1, "seed": 3, "max_sites": 8, "max_stops": 2}))
        entered = {"Monaco", "Sûreté Publique", "Stade operator", "Casino operator", "Stadium drill",
                   "Close gate C on event days", "Gate left open", "Fire alarm", "Sound the alarm"}  # user words
        names = {s["name"] for s in sites if s["name"]} | entered
        names |= {n[:k] for n in names for k in range(12, len(n))}  # the region report's chart shortens names
        yield {"c": c, "rid": rid, "stade": stade, "casino": casino, "plan": plan.json()["id"],
               "patrol": patrol["plan_id"], "names": names, "inspection": insp["id"], "sf": sf}
    app.state.engine.dispose()


def english_in(text: str, names: set[str]) -> list[str]:
    """Words of our English vocabulary in `text` once proper names (sites, agencies, user entries) are removed,
    each with its context."""
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    text = re.sub(r"TLP:[A-Z+]+", " ", text)  # Traffic Light Protocol labels are codes (FIRST TLP 2.0)
    vocab = vocabulary()
    found = sorted({w for w in WORD.findall(text) if w.lower() in vocab})
    return [f"{w}: …{text[max(0, text.find(w) - 50):text.find(w) + 40]}…" for w in found]


def reports(w: dict[str, Any]) -> dict[str, str]:
    """Every HTML report the server renders, as a zh-CN reader asks for it (path -> query)."""
    return {
        f"/sites/{w['stade']}/report": "",
        f"/sites/{w['casino']}/report": "",
        f"/regions/{w['rid']}/report": "",
        f"/sites/{w['casino']}/vehicle/report": "",
        f"/patrol-plans/{w['patrol']}/export": "format=html",
        f"/emergency-plans/{w['plan']}/print": "",
        f"/sites/{w['stade']}/office/notice": "",
        f"/regions/{w['rid']}/briefing": "",
    }


@pytest.mark.slow
def test_every_report_in_chinese_has_no_english_vocabulary(world: dict[str, Any]) -> None:
    c, leaks = world["c"], {}
    for path, query in reports(world).items():
        r = c.get(f"{API}{path}?{query}&lang=zh-CN")
        assert r.status_code == 200, (path, r.text[:300])
        assert len(CJK.findall(r.text)) > 20, path  # it is a Chinese document
        found = english_in(visible_text(r.text), world["names"])
        if found:
            leaks[path] = found
    assert leaks == {}, json.dumps(leaks, ensure_ascii=False, indent=1)


def _code_keys(w: dict[str, Any]) -> list[str]:
    """The translation keys the views look up for the codes in the JSON they read (risk panel, vehicle panel,
    tasks, inspections, patrol plan): each must have a Chinese word."""
    c, keys = w["c"], []
    risk = c.get(f"{API}/sites/{w['stade']}/risk").json() | c.get(f"{API}/sites/{w['stade']}/tiers").json()
    keys += [f"risk.threat.{x['threat']}" for x in risk["by_threat"]]
    keys += [f"risk.rating.{x['rating'].replace(' ', '_')}" for x in risk["by_threat"]]
    keys += [f"report.threat_level.{risk['threat_level']}"]
    for x in risk["tiers"]:
        keys += [f"risk.standard.{x['standard_id']}",
                 f"report.tier.{x['standard_id']}.{x['tier']}" if x["tier"] else f"risk.status.{x['status']}"]
    keys += [f"risk.measure.{g['measure']}" for g in risk["gaps"]]
    veh = c.get(f"{API}/sites/{w['casino']}/vehicle").json()
    for a in veh["assessments"]:
        keys.append(f"vehicle.class.{a['vehicle']}")
        keys += [f"vehicle.status.{ap['status']}" for ap in a["approaches"]]
        keys += [f"vehicle.limited_by.{ap['limited_by']}" for ap in a["approaches"]]
    tasks = c.get(f"{API}/tasks", params={"region_id": w["rid"], "limit": 100}).json()["items"]
    keys += [f"risk.task_status.{t['status']}" for t in tasks] + [f"risk.measure.{t['measure']}" for t in tasks
                                                                     if not t["measure"].startswith(("aar_", "lesson"))]
    patrol = c.get(f"{API}/patrol-plans/{w['patrol']}").json()
    keys.append(f"dash.solver.{patrol['solver_status']}")
    return sorted(set(keys))


@pytest.mark.slow
def test_the_views_json_labels_have_chinese_words_and_display_texts_are_chinese(world: dict[str, Any]) -> None:
    c, zh = world["c"], catalogue("zh-CN")
    missing = [k for k in _code_keys(world) if not CJK.search(zh.get(k, ""))]
    assert missing == []
    # display texts the server words itself: task titles (every generator) and the checklist's items and clauses
    tasks = c.get(f"{API}/tasks", params={"region_id": world["rid"], "limit": 100, "lang": "zh-CN"}).json()["items"]
    assert {t["item_id"].split(":")[0] for t in tasks} >= {"vehicle", "eplan", "exercise", "uk_ppa_2025",
                                                             "cn_key_target"}
    listed = c.get(f"{API}/sites/{world['stade']}/inspections", params={"lang": "zh-CN"}).json()["items"]
    insp = c.get(f"{API}/inspections/{world['inspection']}", params={"lang": "zh-CN"}).json()
    assert len(insp["items"]) >= 10 and insp["items"] == next(i for i in listed if i["id"] == insp["id"])["items"]
    texts = {f"task {t['id']}": t["title"] for t in tasks}
    texts |= {f"item {i['item_id']}": f"{i['title']} · {i['clause_title']}" for i in insp["items"]}
    one = c.get(f"{API}/tasks/{tasks[0]['id']}", params={"lang": "zh-CN"}).json()
    texts["task (one)"] = one["title"]
    tiers = c.get(f"{API}/sites/{world['stade']}/tiers", params={"lang": "zh-CN"}).json()["tiers"]
    texts |= {f"tier reason {t['standard_id']} {i}": r for t in tiers for i, r in enumerate(t["reasons"])}
    leaks = {k: f for k, v in texts.items() if (f := english_in(v, world["names"]))}
    assert leaks == {}, json.dumps(leaks, ensure_ascii=False, indent=1)
    untranslated = [k for k, v in texts.items() if not CJK.search(v)]
    assert untranslated == []
    # in English the stored texts are shown as they are
    en = c.get(f"{API}/tasks", params={"region_id": world["rid"], "limit": 100}).json()["items"]
    assert all(t["title"] == t["text"] for t in en)


@pytest.mark.slow
def test_every_capacity_reference_the_site_panel_shows_has_a_chinese_wording(world: dict[str, Any]) -> None:
    """The panel shows each capacity input's value through `capacity_value.<value>` (platform/web/static/panel.js):
    the references of the estimates ("IBC 2021 Table 1004.5", ...) must be worded in Chinese."""
    from sqlalchemy import select

    from bastion.sites.models import Site

    with world["sf"]() as s:
        values = {v for inputs in s.scalars(select(Site.capacity_inputs)) for v in (inputs or {}).values()
                  if isinstance(v, str) and " " in v}
    zh = catalogue("zh-CN")
    assert len(values) >= 3  # Monaco's estimates cite several references
    assert sorted(v for v in values if not CJK.search(zh.get(f"capacity_value.{v}", ""))) == []


def test_a_hand_checked_reason_clause_and_rating_in_chinese() -> None:
    from bastion.kernel.i18n import translator
    from bastion.supervision.wording import _vehicle_text
    from bastion.vehicle.wording import rating_label

    assert wording.reason("2,500 people: s2 (enhanced duty: 800 or more)", "zh-CN") == \
        "2,500 人：第2条（强化义务：800 人以上）"
    assert wording.reason("override to grade_1: assumed: 5,000+ people at the same time (assumption)", "zh-CN",
                          standard_id="cn_key_target") == "调整为 一级：假定：同时在场 5,000 人以上（假定）"
    assert wording.clause("人防 staffing; 物防 physical", "zh-CN") == "人防；物防"  # a merged clause, piece by piece
    assert wording.reason("something a user's own standard says", "zh-CN") == "something a user's own standard says"
    assert wording.requirement_text("cctv", {"retention_days": 90}, "zh-CN") == "视频监控（保存不少于 90 天）"
    assert wording.requirement_text("drills", {"within_days": 365}, "zh-CN") == "演练（最近一次在 365 天内）"
    assert rating_label("V/1500[M1]/64 penetration <= 1.0 m", "zh-CN") == "V/1500[M1]/64 穿透距离 ≤ 1.0 米"
    assert rating_label("M50-P1", "zh-CN") == "M50-P1"
    text = ("car: Casino, entry at 43.73920, 7.42710: a car can arrive at 119 km/h, above every tested speed; slow "
            "the approach (layout, chicane) and then install a certified barrier; car (wrong way): Casino, entry at "
            "43.73920, 7.42710: install a barrier rated V/1500[M1]/64 penetration <= 1.0 m (or equivalent need "
            "under its own standard)")
    assert _vehicle_text(text, "zh-CN", translator("zh-CN")) == (
        "小汽车：Casino，入口点 43.73920, 7.42710：车辆到达速度可达 119 公里/小时，超过所有测试速度；先降低接近速度"
        "（调整布局、设置减速弯道），再设置经认证的防冲撞设施；"
        "小汽车（忽略单行限制）：Casino，入口点 43.73920, 7.42710："
        "设置认证等级为 V/1500[M1]/64 穿透距离 ≤ 1.0 米 的防冲撞设施（或按其自身标准的同等要求）")


def test_every_clause_label_and_note_of_the_bundled_standards_has_a_chinese_wording() -> None:
    texts, cat = standard_texts(), wording.clause_catalogue("zh-CN")
    assert len(texts) > 90
    assert sorted(t for t in texts if not CJK.search(cat.get(t, ""))) == []
