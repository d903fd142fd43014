"""The situation report in Chinese: every label, heading and enumeration (type, severity, triage categories, unit
statuses, unit types, mode, major-incident state, services, timeline kinds and server-made entries) comes from
zh-CN.json, so the page holds none of the English vocabulary; its counts are the English report's.

The vocabulary is every word (4+ letters) of the English translations that the Chinese file does not also use, plus
the words of every incident enumeration (`marauding_firearms` → "marauding", "firearms"). What people or the data
named (call signs, account names, the site's name, the cited NCTC source) is removed before the check."""

from __future__ import annotations

import html as html_lib
import re
from enum import StrEnum

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import dispatch
from bastion.incidents import enums
from bastion.incidents import render
from bastion.incidents import service as svc
from bastion.incidents import warnings as cap
from bastion.platform.meta import catalogue
from bastion.units import service as units
from bastion.units.enums import UnitType
from tests.incidents.helpers import ACTOR
from tests.incidents.helpers import NOW
from tests.incidents.helpers import open_incident

WORD = re.compile(r"[A-Za-z]{4,}")
CJK = re.compile(r"[\u4e00-\u9fff]")
CALL_SIGNS = ("Car 1", "Car 2", "Car 3")


def english_vocabulary() -> set[str]:
    en, zh = catalogue("en"), catalogue("zh-CN")
    allowed = {w.lower() for v in zh.values() for w in WORD.findall(re.sub(r"\{\w+\}", "", v))}
    words = {w.lower() for v in en.values() for w in WORD.findall(re.sub(r"\{\w+\}", "", v))}
    enum_types = [v for v in vars(enums).values() if isinstance(v, type) and issubclass(v, StrEnum)
                  and v is not StrEnum] + [UnitType]
    words |= {w.lower() for e in enum_types for m in e for w in WORD.findall(m.value.replace("_", " "))}
    return words - allowed


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<style.*?</style>|<cite lang=\"en\">.*?</cite>", " ", page)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def busy_incident(monaco_sf: sessionmaker[Session]) -> int:
    """An incident with every part of the report filled: units in three states, a cordon, a warning, an edit, a
    note, services, casualties in every category; written in Chinese by its users."""
    inc = open_incident(monaco_sf, title="赌场广场附近传出枪声", hazards="广场北侧有玻璃碎片", access="经大道进入",
                        casualties={"immediate": 3, "urgent": 5, "delayed": 11, "expectant": 1, "dead": 2},
                        services_present=["police", "ambulance"], services_required=["armed_police", "eod"],
                        major_incident="declared", location_text="喷泉东侧")
    u = units.add_units(monaco_sf, "Monaco", [units.UnitSpec(unit_type="patrol_car", name=n, lon=7.42, lat=43.738)
                                              for n in CALL_SIGNS])
    dispatch.dispatch_units(monaco_sf, inc.id, [x.id for x in u], actor=ACTOR, now=NOW)
    for unit_id, status in ((u[1].id, "en_route"), (u[2].id, "en_route"), (u[2].id, "on_scene")):
        with monaco_sf() as s:
            version = svc.unit_view(s, unit_id).state.version
        svc.change_unit(monaco_sf, unit_id, svc.UnitChange(status=status), expected_version=version, actor=ACTOR,
                        now=NOW)
    dispatch.draw_cordon(monaco_sf, inc.id, actor=ACTOR, now=NOW)
    cap.draft(monaco_sf, inc.id, headline="赌场周边请就地避险", instruction="请留在室内。", radius_m=400,
              actor=ACTOR, now=NOW)
    svc.update_incident(monaco_sf, inc.id, {"severity": "extreme", "hazards": "北侧仍有危险"}, expected_version=1,
                        actor=ACTOR, now=NOW)
    svc.add_note(monaco_sf, inc.id, "第二梯队已到达集结点", actor=ACTOR, now=NOW)
    return int(inc.id)


def test_the_vocabulary_covers_the_enumerations() -> None:
    vocab = english_vocabulary()
    assert {"marauding", "firearms", "immediate", "expectant", "route", "scene", "exercise", "declared",
            "ambulance", "casualties", "cordon"} <= vocab


def test_chinese_report_has_no_english_vocabulary_and_the_same_counts(
        monaco_sf: sessionmaker[Session], busy_incident: int) -> None:
    at = NOW.replace(hour=15)
    with monaco_sf() as s:
        en_html, en_counts = render.sitrep(s, busy_incident, at=at, lang="en")
        zh_html, zh_counts = render.sitrep(s, busy_incident, at=at, lang="zh-CN")
    assert '<html lang="zh-CN">' in zh_html
    text = visible_text(zh_html)
    for name in (*CALL_SIGNS, ACTOR.name):
        text = text.replace(name, " ")
    found = sorted({w for w in WORD.findall(text) if w.lower() in english_vocabulary()})
    assert found == [], [text[max(0, text.find(w) - 60):text.find(w) + 30] for w in found]
    for label in ("伤亡（按检伤分类计数）", "立即（一级）", "期待治疗", "持枪袭击", "特别严重", "已宣布",
                  "途中", "到场", "巡逻车", "急救", "排爆", "警戒区：内圈", "公共预警已起草：赌场周边请就地避险",
                  "更新：严重程度、危险因素", "第二梯队已到达集结点"):
        assert label in text, label
    # the same figures in both languages, and they are the database's
    assert zh_counts == en_counts
    assert en_counts.casualties == {"immediate": 3, "urgent": 5, "delayed": 11, "expectant": 1, "dead": 2}
    assert (en_counts.casualties_total, en_counts.units_committed, en_counts.units_listed) == (22, 3, 3)
    cells = re.compile(r'data-k="(\w+)">(\d+)<')
    assert cells.findall(zh_html) == cells.findall(en_html)
    assert dict(cells.findall(zh_html))["total"] == "22"
    committed = re.compile(r'<span id="units-committed">(\d+)</span>')
    assert committed.findall(zh_html) == committed.findall(en_html) == ["3"]
    with monaco_sf() as s:
        n_tl = len(svc.timeline(s, busy_incident))
    assert zh_html.count('<tr><td class="num">') == en_html.count('<tr><td class="num">') == n_tl
    assert en_counts.timeline_entries == n_tl
    # the English report still says it in English
    en_text = visible_text(en_html)
    assert "Casualties (counts by triage category)" in en_text and "Marauding attack (firearms)" in en_text
    assert "Car 3: en route → on scene" in en_text


def test_exercise_banner_in_chinese(monaco_sf: sessionmaker[Session]) -> None:
    inc = open_incident(monaco_sf, mode="exercise", title="演练：可疑物品")
    with monaco_sf() as s:
        zh = render.sitrep_html(s, inc.id, at=NOW, lang="zh-CN")
    assert "演练 — 非真实事件" in zh and 'data-mode="exercise"' in zh
    assert not CJK.search(render.sitrep_html(monaco_sf(), inc.id, at=NOW, lang="en").split("<body>")[1]
                          .replace("演练：可疑物品", ""))


def test_report_language_via_rest_is_validated(client: TestClient) -> None:
    r = client.post("/api/v1/incidents", json={"region_id": 1, "incident_type": "arson", "severity": "minor",
                                               "title": "仓库起火", "lon": 7.4286, "lat": 43.7393})
    assert r.status_code == 201, r.text
    iid = r.json()["id"]
    zh = client.get(f"/api/v1/incidents/{iid}/report", params={"lang": "zh-CN"})
    assert zh.status_code == 200 and "纵火" in zh.text and "Arson" not in zh.text
    bad = client.get(f"/api/v1/incidents/{iid}/report", params={"lang": "fr"})
    assert bad.status_code == 422 and "lang" in bad.text
    with pytest.raises(ValueError, match="lang must be one of en, zh-CN"):
        render.translator("fr")

