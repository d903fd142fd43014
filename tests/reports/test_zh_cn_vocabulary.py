"""Translated end to end: what the server produces for a zh-CN reader holds none of our English vocabulary.

The vocabulary is built from the English translation values (every word of 4+ letters that the Chinese file does
not also use, so proper names and acronyms such as OpenStreetMap, GTD or FSL stay allowed) plus the enumerations'
words (`pedestrian_zone` → "pedestrian", "zone"). Proper names from the data (region, site and agency names) are
removed from the text before it is checked."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from fastapi.testclient import TestClient

from bastion.platform.meta import CATEGORIES
from bastion.platform.meta import catalogue
from bastion.platform.meta import vocabularies
from bastion.reports.service import translator

API = "/api/v1"
WORD = re.compile(r"[A-Za-z]{4,}")
CJK = re.compile(r"[\u4e00-\u9fff]")


def english_vocabulary() -> set[str]:
    en, zh = catalogue("en"), catalogue("zh-CN")
    allowed = {w.lower() for v in zh.values() for w in WORD.findall(re.sub(r"\{\w+\}", "", v))}  # kept names
    words = {w.lower() for v in en.values() for w in WORD.findall(re.sub(r"\{\w+\}", "", v))}
    codes = [*CATEGORIES, *(k for ks in CATEGORIES.values() for k in ks),
             *(x for vals in vocabularies()["vocabularies"].values() for x in vals)]
    words |= {w.lower() for c in codes for w in WORD.findall(c.replace("_", " "))}
    return words - allowed


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<style.*?</style>|<code>.*?</code>", " ", page)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_vocabulary_is_real() -> None:
    vocab = english_vocabulary()
    assert {"threat", "level", "rating", "pedestrian", "zone", "enhanced"} <= vocab
    assert "openstreetmap" not in vocab and "bastion" not in vocab


def test_every_meta_vocabulary_and_category_has_a_chinese_label() -> None:
    zh = catalogue("zh-CN")
    vocab = vocabularies()["vocabularies"]
    missing = [f"vocab.{name}.{x}" for name, vals in vocab.items() for x in vals
               if not CJK.search(zh.get(f"vocab.{name}.{x}", ""))]
    missing += [k for c, ks in CATEGORIES.items() for k in [f"category.{c}", *(f"kind.{x}" for x in ks)]
                if not CJK.search(zh.get(k, ""))]
    assert missing == []


def test_region_report_in_chinese_has_no_english_vocabulary(client: TestClient) -> None:
    r = client.get(f"{API}/regions/1/report", params={"lang": "zh-CN"})
    assert r.status_code == 200, r.text
    assert '<html lang="zh-CN">' in r.text
    text = visible_text(r.text)
    names = {s["name"] for s in client.get(f"{API}/sites", params={"region_id": 1, "limit": 500}).json()["items"]
             if s["name"]} | {"Monaco"}
    names |= {n[:k] for n in names for k in range(24, 34)}  # the bar chart shortens long "rank. name" labels
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, " ")
    found = sorted({w for w in WORD.findall(text) if w.lower() in english_vocabulary()})
    assert found == [], [text[max(0, text.find(w) - 60):text.find(w) + 30] for w in found]
    # and the English report still says it in English
    en = visible_text(client.get(f"{API}/regions/1/report").text)
    assert "Tiers under three regimes" in en and "very high" in en


def test_report_language_is_validated(client: TestClient) -> None:
    r = client.get(f"{API}/regions/1/report", params={"lang": "fr"})
    assert r.status_code == 422
    assert "lang" in r.text
    with pytest.raises(ValueError, match="lang must be one of en, zh-CN"):
        translator("fr")


def test_site_report_in_chinese_has_no_english_vocabulary_outside_cited_clauses(client: TestClient) -> None:
    """The "why" cells quote the standards' clauses in their original language (marked lang="en"); the rest of
    the site report is Chinese."""
    sites = client.get(f"{API}/sites", params={"region_id": 1, "limit": 500}).json()["items"]
    stade = next(s for s in sites if s["name"] == "Stade Louis-II")
    page = client.get(f"{API}/sites/{stade['id']}/report", params={"lang": "zh-CN"})
    assert page.status_code == 200, page.text
    body = re.sub(r'(?s)<td class="muted" lang="en">.*?</td>', " ", page.text)
    text = visible_text(body).replace("Stade Louis-II", " ")
    found = sorted({w for w in WORD.findall(text) if w.lower() in english_vocabulary()})
    assert found == [], [text[max(0, text.find(w) - 60):text.find(w) + 30] for w in found]
    assert "三种制度下的等级" in text and "各威胁的风险" in text


def test_checklist_and_task_texts_are_worded_per_language_on_each_backend(client: TestClient) -> None:
    """The display texts of an inspection's checklist and of the tasks it opens are rendered from the stored
    measure and parameters (one query over (inspection, item) pairs, on SQLite and PostgreSQL): Chinese for a
    zh-CN reader, the stored English otherwise."""
    sites = client.get(f"{API}/sites", params={"region_id": 1, "limit": 500}).json()["items"]
    stade = next(s["id"] for s in sites if s["name"] == "Stade Louis-II")
    insp = client.post(f"{API}/sites/{stade}/inspections", params={"lang": "zh-CN"},
                       json={"inspector_agency": "Sûreté Publique"}).json()
    cctv = next(i for i in insp["items"] if i["item_id"] == "cn_key_target:cctv")
    assert cctv["title"] == "视频监控（保存不少于 90 天）" and cctv["text"].startswith("CCTV")
    assert cctv["clause_title"] == "技防：视频图像保存不少于 90 天（GA 1551 系列）"
    r = client.put(f"{API}/inspections/{insp['id']}/answers",
                   json={"answers": {i["item_id"]: "fail" for i in insp["items"]}, "version": insp["version"]})
    done = client.post(f"{API}/inspections/{insp['id']}/complete",
                       json={"owner_agency": "Stade operator", "version": r.json()["version"]}).json()
    zh = client.get(f"{API}/tasks", params={"site_id": stade, "lang": "zh-CN", "limit": 100}).json()["items"]
    en = client.get(f"{API}/tasks", params={"site_id": stade, "limit": 100}).json()["items"]
    assert len(zh) == len(done["tasks_created"]) == len(insp["items"])
    assert all(CJK.search(t["title"]) and not WORD.search(t["title"]) for t in zh)
    assert [t["title"] for t in en] == [t["text"] for t in en]
    one = next(t for t in zh if t["item_id"] == "cn_key_target:cctv")
    assert client.get(f"{API}/tasks/{one['id']}", params={"lang": "zh-CN"}).json()["title"] == cctv["title"]
