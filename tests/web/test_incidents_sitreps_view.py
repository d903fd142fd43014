"""Scheduled situation reports in the incident view (real browser): the commander sets a schedule from the page,
a bad interval is refused with the server's message, the generated reports appear in the list with links that
open the stored HTML and PDF, and stopping the schedule shows it stopped."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import sitreps
from bastion.jobs import service as jobs
from bastion.kernel.db.base import utcnow
from tests.web.conftest import CSP_WATCH
from tests.web.conftest import api_call
from tests.web.conftest import api_token
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def test_set_schedule_list_reports_and_stop(browser: Browser, live_server_url: str,
                                            live_sf: sessionmaker[Session]) -> None:
    base = live_server_url.rstrip("/")
    token = api_token(base)
    rid = api_call(f"{base}/api/v1/regions", token)["items"][0]["id"]  # type: ignore[index]
    inc = api_call(f"{base}/api/v1/incidents", token, {
        "region_id": rid, "incident_type": "placed_ied", "severity": "severe", "title": "Device under a bench",
        "lon": 7.4196, "lat": 43.7389, "casualties": {"urgent": 2, "delayed": 5}})
    page, errors, foreign = _open(browser, live_server_url, width=1280, height=900,
                                  before=lambda p: p.add_init_script(CSP_WATCH))
    board = page.locator("#incidents-board")
    board.locator(f"li[data-incident='{inc['id']}'] button").click()
    expect(page.locator("#sitrep-schedule")).to_have_text("No schedule")
    expect(page.locator("#sitrep-list li.sitrep-none")).to_have_count(1)
    page.locator("#sitrep-every").fill("2")  # below 5 min: the browser refuses the form
    page.locator("#sitrep-set").click()
    expect(page.locator("#sitrep-every:invalid")).to_have_count(1)
    expect(page.locator("#sitrep-schedule")).to_have_text("No schedule")
    page.locator("#sitrep-every").fill("15")
    page.locator("#sitrep-times").fill("25:00")  # the server refuses it and says why
    page.locator("#sitrep-set").click()
    expect(page.locator("#sitrep-error")).to_contain_text("HH:MM")
    page.locator("#sitrep-times").fill("")
    page.locator("#sitrep-lang").select_option("zh-CN")
    page.locator("#sitrep-set").click()
    expect(page.locator("#sitrep-schedule")).to_contain_text("Every 15 min (中文)")
    expect(page.locator("#sitrep-error")).to_have_text("")
    # the server's periodic check at two later due times (the clock moved on): the app's workers make them
    for minutes in (16, 31):
        for job_id in sitreps.run_due(live_sf, utcnow() + dt.timedelta(minutes=minutes)):
            assert jobs.wait(live_sf, job_id, timeout_s=120).state == "succeeded"
    rows = page.locator("#sitrep-list li.sitrep-row")
    expect(rows).to_have_count(2, timeout=10_000)  # the timeline entries announce the change on the stream
    expect(rows.first).to_contain_text("No. 2")
    expect(rows.first).to_contain_text("7 casualties")
    html_href = rows.first.locator("a.sitrep-html").get_attribute("href")
    pdf_href = rows.first.locator("a.sitrep-pdf").get_attribute("href")
    html = page.request.get(base + str(html_href))
    assert html.ok and "放置式爆炸装置" in html.text()
    pdf = page.request.get(base + str(pdf_href))
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"
    page.locator("#sitrep-stop").click()
    expect(page.locator("#sitrep-schedule")).to_have_text("No schedule")
    expect(rows).to_have_count(2)  # the reports made are kept
    assert errors == [] and foreign == []
    assert page.evaluate("window.__csp") == []
