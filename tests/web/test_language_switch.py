"""Switching language re-renders an open site panel in a real browser: the panel of Stade Louis-II, opened in
English with its risk section (tiers with their reasons as tooltips, risk per threat, gaps, tasks), is redrawn in
Chinese when the language changes, server-made wording included (the tier reasons and the clauses they cite, which
the page asks for in the chosen language), and its report link asks for the report in that language. The
dashboard's switch is checked in test_dashboard.py."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from bastion.platform.meta import catalogue
from tests.reports.test_zh_cn_everywhere import vocabulary
from tests.web.conftest import click_marker
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web
ZH = catalogue("zh-CN")
WORD = re.compile(r"[A-Za-z]{4,}")


def _english(text: str) -> list[str]:
    for name in ("Stade Louis-II", "Stade Louis II", "OpenStreetMap", "Monaco"):
        text = text.replace(name, " ")
    vocab = vocabulary()
    return sorted({w for w in WORD.findall(text) if w.lower() in vocab})


def test_an_open_site_panel_is_redrawn_in_chinese(browser: Browser, live_server_url: str) -> None:
    page, errors, _ = _open(browser, live_server_url, width=1280, height=900, path="/?lang=en")
    page.fill("#search", "Louis II")
    click_marker(page, "Stade Louis")
    panel = page.locator("#panel")
    risk = panel.locator(".risk-section")
    expect(risk.locator(".risk-table").first).to_be_visible()
    reasons_en = risk.locator("td[title]").first.get_attribute("title") or ""
    assert "people" in reasons_en  # the English reasons, e.g. "12,966 people: s2 (enhanced duty: 800 or more)"
    assert _english(panel.inner_text())  # English before the switch (the check below can see English)

    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    risk = page.locator("#panel .risk-section")
    expect(risk).to_contain_text(ZH["risk.threat.ied"])
    expect(risk.locator(".risk-table").first).to_be_visible()
    text = page.locator("#panel").inner_text()
    tips = " ".join(t or "" for t in page.locator("#panel [title]").evaluate_all("ns => ns.map(n => n.title)"))
    assert _english(text) == [], text
    assert _english(tips) == [], tips
    assert "人" in tips  # the reasons, worded in Chinese by the server
    href = page.locator("#panel .risk-section a[href*='/report']").get_attribute("href") or ""
    assert href.endswith("lang=zh-CN")
    report = page.request.get(href if href.startswith("http") else live_server_url + href)
    assert report.ok and '<html lang="zh-CN">' in report.text()
    assert errors == []
    page.context.close()
