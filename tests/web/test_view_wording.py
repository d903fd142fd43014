"""What a planner reads in the newer sidebar views, in a real browser: the incident timeline in the page's
language (no raw codes such as ``vehicle_borne_ied``), the lead-office matrix with category names and whole words
in its narrow table, and a plan's completeness flags in words (not ``evacuation.exits``)."""

from __future__ import annotations

import urllib.parse

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.conftest import api_call
from tests.web.conftest import api_token
from tests.web.test_map_page import EN
from tests.web.test_map_page import ZH
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


@pytest.mark.slow  # about 8 s: one page, four views
def test_timeline_matrix_and_flags_read_as_words(browser: Browser, live_server_url: str) -> None:
    base = live_server_url.rstrip("/")
    token = api_token(base)
    rid = api_call(f"{base}/api/v1/regions", token)["items"][0]["id"]  # type: ignore[index]
    inc = api_call(f"{base}/api/v1/incidents", token, {
        "region_id": rid, "incident_type": "vehicle_borne_ied", "severity": "severe", "title": "Van at the quay",
        "lon": 7.4246, "lat": 43.7384, "device": "sedan"})
    api_call(f"{base}/api/v1/incidents/{inc['id']}/cordon", token, {}, method="PUT")
    sites = api_call(f"{base}/api/v1/sites?" + urllib.parse.urlencode({"q": "Stade Louis-II"}), token)
    sid = next(s["id"] for s in sites["items"] if s["name"] == "Stade Louis-II")  # type: ignore[attr-defined, union-attr]
    api_call(f"{base}/api/v1/sites/{sid}/emergency-plans/draft", token, {"threat": "ied"})

    page, errors, foreign = _open(browser, live_server_url, width=1280, height=900)
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("#incidents-heading")).to_have_text(ZH["incidents.heading"])
    page.locator(f"#incidents-board li[data-incident='{inc['id']}'] button").click()
    timeline = page.locator("#incidents-timeline li")
    expect(timeline.first).to_contain_text(ZH["incidents.type.vehicle_borne_ied"])
    expect(timeline.first).to_contain_text("Van at the quay")  # the title as written
    expect(timeline.nth(1)).to_contain_text("内圈")
    text = page.locator("#incidents-timeline").inner_text()
    assert "vehicle_borne_ied" not in text and "REAL" not in text and "cordon drawn" not in text

    # the matrix: category names, and no cell narrower than a short word (it scrolls sideways instead)
    page.locator("#office-matrix").click()
    table = page.locator("#office-view table.office-table")
    expect(table.locator("tbody tr").first).to_be_visible()
    categories = table.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert categories and not any("_" in c for c in categories), categories[:5]
    widths = page.eval_on_selector_all("#office-view table.office-table td", "tds => tds.map(td => td.offsetWidth)")
    assert min(widths) >= 40, min(widths)  # "未落实" letter by letter was ~16 px wide

    # the posture preview names the rows without an agency in the page's language
    page.select_option("#posture-scheme", "uk")
    page.select_option("#posture-level", "SEVERE")
    page.click("#posture-preview")
    first = page.locator("#posture-preview-table tbody tr td").first
    expect(first).to_have_text(ZH["office.unassigned"])

    # the plan's completeness flags in words
    page.select_option("#lang-select", "en")
    page.fill("#prep-site", str(sid))
    page.click("#prep-load")
    flags = page.locator("#prep-plans li.prep-plan .prep-flags").first
    expect(flags).to_contain_text(f"{EN['eplan.proc.evacuation']}: {EN['eplan.field.exits']}")
    assert "evacuation.exits" not in flags.inner_text()
    assert errors == [] and foreign == []
    page.context.close()
