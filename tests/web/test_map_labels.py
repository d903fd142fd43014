"""Map labels in a real browser (Debian chromium via Playwright), as a user meets them.

Without base-map tiles, the page writes the names of the sites shown on the map from zoom 16 (none at the
region's overview, where they would only be clutter); the Layers box's "Map labels" switches them off and on, and
hiding a category takes its names off too. With BASTION_TILE_LABELS_URL (here a routed /meta), a labels tile
overlay is drawn above the base tiles and the same box switches it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.web.test_map_page import EN
from tests.web.test_map_page import TILE_PNG
from tests.web.test_map_page import ZH
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web



def _labels(page: Page) -> int:
    return int(page.locator("#map").get_attribute("data-site-labels") or 0)


def test_site_names_from_zoom_16_switched_in_the_layers_box(browser: Browser, live_server_url: str) -> None:
    page, errors, foreign = _open(browser, live_server_url, width=1280, height=800)
    assert page.locator("#map").get_attribute("data-labels") == "sites"
    box = page.get_by_role("checkbox", name=EN["layers.labels"])
    expect(box).to_be_checked()
    assert _labels(page) == 0  # the region's overview (zoom < 16): no names
    page.locator("#search").fill("Louis II")
    page.locator("#results-list button.result", has_text="Stade Louis-II").first.click()
    page.locator("#panel button", has_text=EN["panel.zoom"]).click()
    expect(page.locator("#map canvas.site-labels")).to_have_count(1)
    page.wait_for_function("() => Number(document.getElementById('map').dataset.siteLabels) > 0")
    named = _labels(page)
    box.uncheck()
    expect(page.locator("#map canvas.site-labels")).to_have_count(0)
    box.check()
    page.wait_for_function(f"() => Number(document.getElementById('map').dataset.siteLabels) === {named}")
    page.locator("#search").fill("")
    page.locator("#cat-none").click()  # every category hidden: no names either
    page.wait_for_function("() => Number(document.getElementById('map').dataset.siteLabels) === 0")
    page.select_option("#lang-select", "zh-CN")
    expect(page.get_by_role("checkbox", name=ZH["layers.labels"])).to_be_checked()
    assert errors == [] and foreign == []
    page.context.close()


def test_labels_overlay_from_its_tile_url(browser: Browser, live_server_url: str) -> None:
    base = live_server_url.rstrip("/")

    def meta_with_tiles(route: Route) -> None:
        body = route.fetch().json()
        body["tile_url"] = base + "/test-tiles/{z}/{x}/{y}.png"
        body["tile_labels_url"] = base + "/test-labels/{z}/{x}/{y}.png"
        route.fulfill(json=body)

    def setup(page: Page) -> None:
        page.route("**/api/v1/meta", meta_with_tiles)
        page.route("**/test-tiles/**", lambda r: r.fulfill(body=TILE_PNG, content_type="image/png"))
        page.route("**/test-labels/**", lambda r: r.fulfill(body=TILE_PNG, content_type="image/png"))

    page, errors, _ = _open(browser, base, width=1280, height=800, before=setup)
    assert page.locator("#map").get_attribute("data-labels") == "tiles"
    overlay = page.locator("#map .leaflet-labels-pane img.leaflet-tile")
    expect(overlay.first).to_be_attached()
    assert "/test-labels/" in (overlay.first.get_attribute("src") or "")
    expect(page.locator("#map .leaflet-tile-pane img.leaflet-tile").first).to_be_attached()  # the base under it
    page.get_by_role("checkbox", name=EN["layers.labels"]).uncheck()
    expect(overlay).to_have_count(0)
    page.get_by_role("checkbox", name=EN["layers.labels"]).check()
    expect(overlay.first).to_be_attached()
    assert errors == []
    page.context.close()
