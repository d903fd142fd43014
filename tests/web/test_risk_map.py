"""The map's risk layer in a real browser: "colour by risk" recolours markers by rating with a legend, and the
site panel shows tiers, risk per threat, gaps and open tasks, in English and Simplified Chinese."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from bastion.platform.meta import catalogue
from tests.web.conftest import click_marker
from tests.web.conftest import sign_in

pytestmark = pytest.mark.web

EN = catalogue("en")
ZH = catalogue("zh-CN")
VERY_HIGH = "rgb(183, 28, 28)"  # #b71c1c, risk.js RATING_COLOURS["very high"]




def test_colour_by_risk_and_panel_section(browser: Browser, live_server_url: str, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    sign_in(context, live_server_url)  # a coordinator: may read sensitive risk figures
    page = context.new_page()
    page.set_default_timeout(20_000)
    errors: list[str] = []
    foreign: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda r: None if r.url.startswith((live_server_url, "data:")) else foreign.append(r.url))
    page.goto(live_server_url + "/")
    page.wait_for_selector("body[data-ready='true']", state="attached")

    toggle = page.get_by_label(EN["risk.colour_by_risk"])
    expect(toggle).not_to_be_checked()
    toggle.check()
    page.wait_for_selector("body[data-risk-mode='on']", state="attached")
    legend = page.locator(".risk-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text(EN["risk.rating.very_high"])

    page.fill("#search", "Louis II")
    marker = page.locator("#map .site-marker[title^='Stade Louis']").first
    expect(marker).to_be_visible()
    assert marker.locator(".site-dot").evaluate("n => getComputedStyle(n).backgroundColor") == VERY_HIGH
    click_marker(page, "Stade Louis")
    section = page.locator("#panel .risk-section")
    expect(section).to_be_visible()
    expect(section.locator(".risk-table").first).to_contain_text(EN["risk.standard.uk_ppa_2025"])
    expect(section).to_contain_text("Enhanced")
    expect(section).to_contain_text(EN["risk.threat.ied"])
    expect(section).to_contain_text(EN["risk.gaps"])
    expect(section).to_contain_text(EN["risk.no_tasks"])
    page.screenshot(path=str(tmp_path / "risk-en.png"))

    page.select_option("#lang-select", "zh-CN")
    expect(page.get_by_label(ZH["risk.colour_by_risk"])).to_be_checked()
    expect(page.locator("#panel .risk-section")).to_contain_text(ZH["risk.threat.ied"])
    expect(page.locator(".risk-legend")).to_contain_text(ZH["risk.rating.very_high"])

    page.get_by_label(ZH["risk.colour_by_risk"]).uncheck()
    page.wait_for_selector("body[data-risk-mode='off']", state="attached")
    expect(page.locator(".risk-legend")).to_have_count(0)
    assert errors == [] and foreign == []
    page.context.close()
