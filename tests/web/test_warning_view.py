"""The map page's early-warning view in a real browser: series picker, an SVG chart with alert markers and
suppressed small counts, open alerts with their recommended posture and CAP link; both languages; no errors."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.warning.synthetic_files import gtd_csv
from tests.web.conftest import api_call
from tests.web.conftest import api_token
from tests.web.test_map_page import ZH
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def test_warning_view_draws_series_and_alerts(browser: Browser, live_server_url: str) -> None:
    base = live_server_url.rstrip("/")
    token = api_token(base)
    rid = api_call(f"{base}/api/v1/regions", token)["items"][0]["id"]  # type: ignore[index]
    api_call(f"{base}/api/v1/regions/{rid}/warning/imports", token,
          {"format": "gtd", "file_label": "synthetic.csv", "csv": gtd_csv().decode("iso-8859-1")})
    job = api_call(f"{base}/api/v1/regions/{rid}/warning/detect", token, {"weeks": 8})  # 202: a job
    for _ in range(600):
        job = api_call(f"{base}/api/v1/jobs/{job['id']}", token)
        if job["state"] not in ("queued", "running"):
            break
        time.sleep(0.1)
    assert job["state"] == "succeeded", job
    det: dict[str, object] = job["result"]  # type: ignore[assignment]
    assert det["new_alerts"] or det["extended_alerts"] or api_call(
        f"{base}/api/v1/regions/{rid}/warning/alerts", token)["total"]

    page, errors, foreign = _open(browser, live_server_url, width=1280, height=1000)
    section = page.locator("section.warning")
    expect(section).to_be_visible()
    expect(page.locator("#warning-series option")).to_have_count(4)
    expect(page.locator("#warning-chart svg.warning-chart")).to_be_attached()
    expect(page.locator("#warning-chart circle.warning-alert-marker").first).to_be_attached()
    expect(page.locator("#warning-alerts li.warning-alert").first).to_contain_text("SEVERE")
    link = page.locator("#warning-alerts a").first
    assert (link.get_attribute("href") or "").endswith("/cap")
    # a series with small weekly counts draws them as hollow, suppressed bars
    other = page.locator("#warning-series option", has_text="Unknown").first.get_attribute("value")
    page.select_option("#warning-series", other)
    expect(page.locator("#warning-chart rect.warning-suppressed").first).to_be_attached()
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("#warning-heading")).to_have_text(ZH["warning.heading"])
    assert errors == []
    assert foreign == []
    page.context.close()
