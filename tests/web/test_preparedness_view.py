"""The map page's plans & exercises section in a real browser: load a site's readiness, draft a plan from data,
open its printable page, see the exercise calendar and generate an exercise's injects (all marked EXERCISE);
the section follows the language switch."""

from __future__ import annotations

import re
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.web.conftest import api_call
from tests.web.conftest import api_token
from tests.web.test_map_page import EN
from tests.web.test_map_page import ZH
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def _late(route: Route) -> None:
    """Answer with what the server says now, but deliver it a moment later."""
    response = route.fetch()
    time.sleep(1.0)
    route.fulfill(response=response)


def test_plans_and_exercises_section(browser: Browser, live_server_url: str, tmp_path: Path) -> None:
    base = live_server_url.rstrip("/")
    token = api_token(base)
    rid = api_call(f"{base}/api/v1/regions", token)["items"][0]["id"]  # type: ignore[index]
    sites = api_call(f"{base}/api/v1/sites?" + urllib.parse.urlencode({"q": "Stade Louis-II"}), token)
    sid = next(s["id"] for s in sites["items"] if s["name"] == "Stade Louis-II")  # type: ignore[attr-defined, union-attr]
    ex = api_call(f"{base}/api/v1/regions/{rid}/exercises", token, {
        "name": "Browser drill", "type": "drill", "start": "2031-02-04T10:00:00Z", "end": "2031-02-04T12:00:00Z",
        "site_ids": [sid], "threat": "marauding_attack"})

    page, errors, foreign = _open(browser, live_server_url, width=1280, height=1000)
    section = page.locator("section.prep")
    expect(section.locator("#prep-heading")).to_have_text(EN["prep.tab"])
    page.fill("#prep-site", str(sid))
    page.click("#prep-load")
    expect(page.locator("#prep-readiness")).to_contain_text("enhanced")
    page.select_option("#prep-threat", "ied")
    page.click("#prep-draft")
    plan = page.locator("#prep-plans li.prep-plan").first
    expect(plan).to_contain_text(EN["eplan.threat.ied"])
    href = plan.locator("a.prep-print").get_attribute("href")
    assert href and href.endswith("/print?lang=en")
    printed = page.context.new_page()
    printed.goto(base + href)
    expect(printed.locator("h1")).to_contain_text(EN["eplan.title"])
    printed.close()
    page.fill("#prep-year", "2031")
    page.dispatch_event("#prep-year", "change")
    expect(page.locator("#prep-calendar")).to_contain_text("1")
    page.select_option("#prep-exercise", str(ex["id"]))
    # the click blurs the year box, whose change asks for the calendar again: that answer, read before the
    # injects are written but arriving after them, must not wipe them (held back here so the race always happens)
    page.route("**/exercise-calendar*", _late)
    page.click("#prep-msel")
    expect(page.locator("#prep-injects li").first).to_contain_text(EN["eplan.threat.marauding_attack"])
    expect(page.locator("#prep-injects li").first).to_contain_text("EXERCISE")
    shot = tmp_path / "preparedness.png"
    section.screenshot(path=str(shot))
    assert shot.stat().st_size > 5_000
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("#prep-heading")).to_have_text(ZH["prep.tab"])
    expect(page.locator("#prep-plans li.prep-plan").first).to_contain_text(ZH["eplan.threat.ied"])
    expect(page.locator("#prep-injects li").first).to_contain_text("演练")
    assert errors == []
    assert foreign == []
    page.context.close()


def test_spaces_editor_and_exercise_clock(browser: Browser, live_server_url: str) -> None:
    """The plan editor's protected spaces fill the plan's invacuation section and show the capacity; the exercise
    clock (a tabletop at 60x) releases injects in order on the page, and pause stops the releases."""
    base = live_server_url.rstrip("/")
    token = api_token(base)
    rid = api_call(f"{base}/api/v1/regions", token)["items"][0]["id"]  # type: ignore[index]
    sites = api_call(f"{base}/api/v1/sites?" + urllib.parse.urlencode({"q": "Stade Louis-II"}), token)
    sid = next(s["id"] for s in sites["items"] if s["name"] == "Stade Louis-II")  # type: ignore[attr-defined, union-attr]
    ex = api_call(f"{base}/api/v1/regions/{rid}/exercises", token, {
        "name": "Clock tabletop", "type": "tabletop", "start": "2032-02-04T10:00:00Z",
        "end": "2032-02-04T12:00:00Z", "site_ids": [sid], "threat": "marauding_attack"})
    api_call(f"{base}/api/v1/exercises/{ex['id']}/msel", token, {})

    page, errors, foreign = _open(browser, live_server_url, width=1280, height=1000)
    page.fill("#prep-site", str(sid))
    page.click("#prep-load")
    expect(page.locator("#prep-readiness")).to_contain_text("enhanced")
    page.click("#prep-space-add")
    row = page.locator("#prep-spaces .prep-space").last
    row.locator(".prep-space-label").fill("Gymnasium")
    row.locator(".prep-space-area_m2").fill("929")
    page.click("#prep-spaces-save")
    expect(page.locator("#prep-invacuation")).to_contain_text("2000")  # 929 m2 / 0.4645 m2 per person
    expect(page.locator("#prep-sections")).to_have_value(re.compile("Gymnasium \\(929 m², 2,000 people\\)"))

    page.fill("#prep-year", "2032")
    page.dispatch_event("#prep-year", "change")
    page.select_option("#prep-exercise", str(ex["id"]))
    expect(page.locator("#prep-clock")).to_contain_text(EN["prep.clock_state.stopped"])
    page.select_option("#prep-clock-speed", "60")
    page.click("#prep-clock-start")
    injects = page.locator("#prep-injects li")
    expect(injects.nth(0)).to_have_class(re.compile("released"))
    expect(injects.nth(1)).to_have_class(re.compile("released"), timeout=10_000)  # T+60 s: 1 s of wall time
    page.click("#prep-clock-pause")
    expect(page.locator("#prep-clock")).to_contain_text(EN["prep.clock_state.paused"])
    held = page.locator("#prep-injects li.released").count()
    page.wait_for_timeout(2500)
    clock = api_call(f"{base}/api/v1/exercises/{ex['id']}/clock", token)
    assert clock["state"] == "paused" and len(clock["released"]) == held  # type: ignore[arg-type]
    assert [r["no"] for r in clock["released"]] == list(range(1, held + 1))  # type: ignore[index, union-attr]
    assert page.locator("#prep-injects li.released").count() == held
    page.reload()  # the menu shows the speed the clock keeps, not the default ×1
    page.fill("#prep-site", str(sid))
    page.click("#prep-load")
    page.fill("#prep-year", "2032")
    page.dispatch_event("#prep-year", "change")
    page.select_option("#prep-exercise", str(ex["id"]))
    expect(page.locator("#prep-clock")).to_contain_text(EN["prep.clock_state.paused"])
    expect(page.locator("#prep-clock-speed")).to_have_value("60")
    assert errors == []
    assert foreign == []
    page.context.close()
