"""The 'Vehicle approaches' map layer and panel section in a real browser (Debian chromium + Playwright)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.conftest import api_token
from tests.web.conftest import run_job
from tests.web.test_map_page import EN
from tests.web.test_map_page import ZH
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web
SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


def _assess_monaco(base: str) -> dict[str, object]:
    token = api_token(base)
    auth = {"Authorization": f"Bearer {token}"}
    regions = json.load(urllib.request.urlopen(urllib.request.Request(f"{base}/api/v1/regions", headers=auth)))
    rid = regions["items"][0]["id"]
    return run_job(base, f"/api/v1/regions/{rid}/vehicle-assessments", {"vehicles": ["car"]}, token)


def test_vehicle_layer_draws_paths_entries_barriers_and_panel(browser: Browser, live_server_url: str,
                                                               tmp_path: Path) -> None:
    base = live_server_url.rstrip("/")
    rep = _assess_monaco(base)
    assert rep["entry_points"] == 348
    page, errors, foreign = _open(browser, base, width=1280, height=800)
    assert page.locator("#map path.vehicle-approach").count() == 0  # off by default
    page.get_by_role("checkbox", name=EN["layers.vehicle"]).check()
    expect(page.locator("#map path.vehicle-approach").first).to_be_attached()
    assert page.locator("#map path.vehicle-approach").count() == 348  # 428 before grade separation and site merging
    assert page.locator("#map .vehicle-entry").count() == 348
    assert page.locator("#map path.vehicle-barrier.is-unsatisfied").count() == 31  # OSM bollards: unrated
    legend = page.locator(".vehicle-legend")
    expect(legend).to_contain_text("km/h")
    expect(legend).to_contain_text(EN["vehicle.legend_title"])
    # the fastest paths are drawn dark red (above 112 km/h: no tested rating)
    assert page.locator("#map path.vehicle-approach[stroke='#67001f']").count() > 0

    # Place du Casino: its panel lists the three approaches, fastest first, with required ratings
    page.fill("#search", "Place du Casino")
    page.locator("#results-list button.result", has_text="Place du Casino").first.click()
    section = page.locator("#panel .vehicle-section")
    expect(section.locator(".vehicle-table tbody tr")).to_have_count(3)
    expect(section.locator(".vehicle-summary")).to_contain_text("119 km/h")
    expect(section.locator(".vehicle-table tbody tr").nth(1)).to_contain_text("V/1500[M1]/64")
    expect(section.locator(".vehicle-status.status-not_coverable")).to_have_count(1)
    page.wait_for_timeout(400)  # let the pan settle
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "vehicle-layer-en.png"))
    section.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "vehicle-panel-en.png"))
    assert (SHOTS / "vehicle-panel-en.png").stat().st_size > 20_000

    # switching language keeps the layer and translates the section
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("#panel .vehicle-section h3")).to_have_text(ZH["vehicle.section"])
    expect(page.locator("#map path.vehicle-approach").first).to_be_attached()
    # another vehicle class that is not assessed: nothing drawn and a hint
    page.select_option("#layer-vehicle-class", "hgv")
    expect(page.locator("#map-status")).to_contain_text("bastion vehicle assess")
    assert page.locator("#map path.vehicle-approach").count() == 0
    page.get_by_role("checkbox", name=ZH["layers.vehicle"]).uncheck()
    expect(page.locator(".vehicle-legend")).to_have_count(0)
    assert errors == [] and foreign == []
    page.context.close()
