"""The region dashboard in a real browser: its five cards from the API's own figures (tier counts, the 4×4 matrix,
coverage within 1/3/5 min, tasks by agency, the patrol plan), charts drawn by the vendored Chart.js under the
strict CSP, and a language switch re-rendering it with no English vocabulary left in Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from bastion.platform.meta import catalogue
from tests.reports.test_zh_cn_vocabulary import english_vocabulary
from tests.web.conftest import api_token
from tests.web.conftest import sign_in

pytestmark = pytest.mark.web
ZH = catalogue("zh-CN")


def test_dashboard_shows_the_regions_figures_and_switches_language(browser: Browser, live_server_url: str) -> None:
    import json
    import urllib.request

    req = urllib.request.Request(f"{live_server_url}/api/v1/regions/1/risk?limit=1",
                                 headers={"Authorization": f"Bearer {api_token(live_server_url)}"})
    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 (our own test server)
        risk = json.loads(r.read())

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    sign_in(context, live_server_url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(f"{live_server_url}/?lang=en")
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.click("#dashboard-toggle")
    page.wait_for_selector("body[data-dashboard='ready']", state="attached")
    dash = page.locator("#dashboard")
    expect(dash).to_be_visible()
    # the matrix card shows the API's matrix: likelihood 4 (top row) first, impact 1..4 left to right
    cells = dash.locator(".risk-matrix tbody tr").first.locator("td").all_inner_texts()
    assert [int(c.replace(",", "")) for c in cells] == risk["matrix"][3]
    expect(dash.locator("[data-card='tiers'] table")).to_contain_text(
        f"FSL II: {risk['tier_counts']['us_isc_fsl']['II']}")
    assert dash.locator("canvas").count() >= 2  # Chart.js drew the tiers and the coverage charts
    assert page.evaluate("typeof window.Chart") == "function"

    page.select_option("#lang-select", "zh-CN")
    expect(dash.locator("[data-card='matrix'] h3")).to_have_text(ZH["dash.matrix"])
    text = dash.inner_text().replace("Monaco", " ")
    found = sorted({w for w in re.findall(r"[A-Za-z]{4,}", text) if w.lower() in english_vocabulary()})
    assert found == []
    page.click("#dashboard-close")
    expect(dash).to_be_hidden()
    assert errors == []
    context.close()
