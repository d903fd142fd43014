"""The map page in a real browser: Debian's chromium driven by Playwright (never `playwright install`).

Needs the `live_server_url` fixture (tests/conftest.py: uvicorn on 127.0.0.1 with Monaco imported)
and the vendored map library (`cd frontend && npm ci && npm run vendor`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

pytestmark = pytest.mark.web

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
I18N_DIR = Path(__file__).resolve().parents[2] / "src" / "bastion" / "i18n"
EN = json.loads((I18N_DIR / "en.json").read_text(encoding="utf-8"))
ZH = json.loads((I18N_DIR / "zh-CN.json").read_text(encoding="utf-8"))
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def _open(browser: Browser, base_url: str, *, width: int, height: int) -> tuple[Page, list[str], list[str]]:
    """A fresh page (empty localStorage) at the map; returns it with its page errors and off-server requests."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    foreign: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on(
        "request",
        lambda req: None if req.url.startswith((base_url, "data:")) else foreign.append(req.url),
    )
    page.goto(base_url.rstrip("/") + "/")
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

    # Category filter: none → nothing drawn; all → back.
    page.click("#cat-none")
    expect(page.locator("#map .site-marker, #map .site-cluster")).to_have_count(0)
    page.click("#cat-all")
    expect(page.locator("#map .site-cluster").first).to_be_visible()

    # Search, then click the stadium's own marker on the map.
    page.fill("#search", "Louis II")
    expect(page.locator("#results-list button.result", has_text="Stade Louis").first).to_be_visible()
    marker = page.locator("#map .site-marker[title^='Stade Louis']").first
    expect(marker).to_be_visible()
    marker.click()

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
