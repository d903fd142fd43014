"""The map page in a real browser: Debian's chromium driven by Playwright (never `playwright install`).

Needs the `live_server_url` fixture (tests/conftest.py: uvicorn on 127.0.0.1 with Monaco imported)
and the vendored map library (`cd frontend && npm ci && npm run vendor`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect

from bastion.platform.meta import catalogue
from tests.web.conftest import click_marker
from tests.web.conftest import sign_in

pytestmark = pytest.mark.web

EN = catalogue("en")
ZH = catalogue("zh-CN")
TIMEOUT_MS = 20_000




def _open(
    browser: Browser, base_url: str, *, width: int, height: int, before: Callable[[Page], None] | None = None,
    path: str = "/",
) -> tuple[Page, list[str], list[str]]:
    """A fresh page (empty localStorage), signed in, at the map; returns it with its page errors and off-server
    requests."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    sign_in(context, base_url)
    page = context.new_page()
    if before is not None:
        before(page)
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    foreign: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request",
        lambda req: None if req.url.startswith((base_url, "data:")) else foreign.append(req.url),
    )
    page.goto(base_url.rstrip("/") + path)
    page.wait_for_selector("body[data-ready='true']", state="attached")
    return page, errors, foreign


def _drawn(page: Page) -> int:
    return page.locator("#map .site-marker, #map .site-cluster").count()


def test_map_shows_sites_opens_panel_and_switches_language(
    browser: Browser, live_server_url: str, tmp_path: Path
) -> None:
    page, errors, foreign = _open(browser, live_server_url, width=1280, height=800)

    # Sites are drawn as markers or clusters; Monaco is dense enough that some cluster.
    expect(page.locator("#map .site-cluster").first).to_be_visible()
    assert _drawn(page) > 0
    # Without base tiles the region's own roads are drawn (canvas in the roads pane).
    assert page.locator("#map .leaflet-roads-pane canvas").count() == 1
    # The category legend/filter lists every category with its English name.
    expect(page.locator("#category-list input[type=checkbox]")).to_have_count(11)
    expect(page.locator("#category-list")).to_contain_text(EN["category.venue"])

    # Controls are labelled (found by their accessible names).
    expect(page.get_by_label(EN["filters.search_label"])).to_be_editable()
    expect(page.get_by_role("combobox", name=EN["header.region"])).to_have_value(re.compile(r"^\d+$"))
    expect(page.get_by_role("combobox", name=EN["header.language"])).to_have_value("en")
    expect(page.get_by_role("region", name=EN["map.label"])).to_be_visible()

    # Category filter: none → nothing drawn; all → back.
    page.click("#cat-none")
    expect(page.locator("#map .site-marker, #map .site-cluster")).to_have_count(0)
    page.click("#cat-all")
    expect(page.locator("#map .site-cluster").first).to_be_visible()

    # Search, then click the stadium's own marker on the map.
    page.fill("#search", "Louis II")
    expect(page.locator("#results-list button.result", has_text="Stade Louis").first).to_be_visible()
    click_marker(page, "Stade Louis")

    panel = page.locator("#panel")
    expect(panel).to_be_visible()
    expect(page.locator("#panel-title")).to_contain_text("Stade Louis")
    expect(panel.locator(".panel-category")).to_have_text(EN["category.venue"])
    expect(panel.locator(".panel-kind")).to_have_text(EN["kind.stadium"])
    expect(panel.locator(".capacity-value")).to_be_visible()  # Stade Louis-II has a capacity
    expect(panel.locator("a.osm-link")).to_contain_text("OpenStreetMap")
    page.screenshot(path=str(tmp_path / "map-page-en.png"))

    # Switch to Simplified Chinese: labels, category names and the open panel are translated.
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(panel.locator(".panel-category")).to_have_text(ZH["category.venue"])
    expect(page.locator("label[for='search']")).to_have_text(ZH["filters.search_label"])
    expect(page.locator("#results-heading")).to_have_text(ZH["results.heading"])
    shot = tmp_path / "map-page-zh-CN.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000

    # The choice is remembered across a reload.
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    expect(page.locator("#lang-select")).to_have_value("zh-CN")
    expect(page.locator("label[for='search']")).to_have_text(ZH["filters.search_label"])

    assert errors == []
    assert foreign == [], f"the page must work offline, but it fetched {foreign}"
    page.context.close()


def test_map_page_on_a_narrow_screen(browser: Browser, live_server_url: str, tmp_path: Path) -> None:
    page, errors, _ = _open(browser, live_server_url, width=390, height=844)
    expect(page.locator("#map .site-cluster").first).to_be_visible()
    sidebar = page.locator("#sidebar")
    expect(sidebar).to_be_hidden()  # a drawer on phones
    page.click("#filters-toggle")
    expect(sidebar).to_be_visible()
    page.fill("#search", "Louis II")
    page.locator("#results-list button.result", has_text="Stade Louis").first.click()
    expect(sidebar).to_be_hidden()  # picking a result closes the drawer and opens the panel
    expect(page.locator("#panel .panel-category")).to_have_text(EN["category.venue"])
    page.screenshot(path=str(tmp_path / "map-page-narrow.png"))
    assert errors == []
    page.context.close()


# A 1×1 grey PNG, served as every base-map tile in the test below.
TILE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63d8b16307000454022907ac75e80000000049454e44ae426082"
)


def test_base_tiles_replace_the_drawn_roads_when_configured(
    browser: Browser, live_server_url: str, tmp_path: Path
) -> None:
    """With meta.tile_url set the page shows tiles from it and does not fetch or draw roads."""
    base = live_server_url.rstrip("/")
    requested: list[str] = []

    def meta_with_tiles(route: Route) -> None:
        body = route.fetch().json()
        body["tile_url"] = base + "/test-tiles/{z}/{x}/{y}.png"
        body["tile_attribution"] = "Test tiles"
        route.fulfill(json=body)

    def tile(route: Route) -> None:
        route.fulfill(body=TILE_PNG, content_type="image/png")

    def setup(page: Page) -> None:
        page.route("**/api/v1/meta", meta_with_tiles)
        page.route("**/test-tiles/**", tile)
        page.on("request", lambda req: requested.append(req.url))

    page, errors, _ = _open(browser, base, width=1280, height=800, before=setup)
    expect(page.locator("#map img.leaflet-tile").first).to_be_attached()
    expect(page.locator("#map .leaflet-control-attribution")).to_contain_text("Test tiles")
    expect(page.locator("#map .site-cluster").first).to_be_visible()
    assert page.locator("#map .leaflet-roads-pane canvas").count() == 0
    assert not [u for u in requested if u.endswith("/roads")]
    page.screenshot(path=str(tmp_path / "map-page-tiles.png"))
    assert errors == []
    page.context.close()


def test_page_helpers_split_weekly_hours_by_day_and_normalise_names(browser: Browser, live_server_url: str) -> None:
    """The pure helpers in static/util.js, run in the browser itself (no map needed)."""
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server_url.rstrip("/") + "/static/util.js")  # any page of the origin, for the import
    result = page.evaluate(
        """async () => {
            const u = await import("/static/util.js");
            return {
                // Mon 09:00-18:00, Fri 22:00 - Sat 02:00, Sun 23:00-24:00
                week: u.weeklyByDay([[540, 1080], [4*1440 + 1320, 5*1440 + 120], [6*1440 + 1380, 7*1440]]),
                hhmm: [u.hhmm(0), u.hhmm(545), u.hhmm(1440)],
                name: u.normalise("Stade Louis-II"),
                accents: u.normalise("Musée Océanographique"),
            };
        }"""
    )
    assert result["week"] == [[[540, 1080]], [], [], [], [[1320, 1440]], [[0, 120]], [[1380, 1440]]]
    assert result["hhmm"] == ["00:00", "09:05", "24:00"]
    assert result["name"] == "stade louis ii"
    assert result["accents"] == "musee oceanographique"
    assert errors == []
    page.context.close()
