"""The page as people with a keyboard, a screen reader, a phone or a printer use it, in a real browser:

- axe-core (WCAG 2.0/2.1 A and AA rules) finds no serious or critical violation on any view: the sign-in overlay,
  the map with every domain's sidebar section, a site's panel, the region dashboard, in English and Chinese and at
  1280 px and 390 px;
- a site is reached from the skip link in 2 Tab presses and opens with Enter; a focused marker opens with Enter;
- at 390 px the header's pickers keep a usable width (they shrank to about 15 px);
- the print stylesheet puts the map and its legend on one A4 page and keeps the colours.

axe-core is a test-only asset (frontend/package.json, copied by copy-vendor.mjs to tests/web/vendor/) injected
through the DevTools protocol, so the page's CSP is not loosened for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.web.conftest import sign_in

pytestmark = pytest.mark.web

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_serious(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical WCAG 2.1 AA violations on the page as it is now."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, "
                           "resultTypes: ['violations']})", WCAG_AA)
    return [{"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def open_page(browser: Browser, url: str, *, width: int, lang: str, signed_in: bool = True) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 800}, locale="en-GB")
    if signed_in:
        sign_in(context, url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{url}/?lang={lang}")
    if signed_in:
        page.wait_for_selector("body[data-ready='true']", state="attached")
    else:
        page.wait_for_selector("#login:not([hidden])")
    return page


@pytest.fixture(scope="module")
def axe_available() -> None:
    if not AXE.exists():
        pytest.skip("axe-core is not vendored: run `make web-assets` (npm ci && npm run vendor in frontend/)")


@pytest.mark.slow
@pytest.mark.parametrize(("width", "lang"), [(1280, "en"), (390, "zh-CN")])
def test_axe_finds_no_serious_violation_on_any_view(browser: Browser, live_server_url: str, axe_available: None,
                                                    width: int, lang: str) -> None:
    found: dict[str, list[dict[str, Any]]] = {}
    page = open_page(browser, live_server_url, width=width, lang=lang, signed_in=False)
    found["sign-in"] = axe_serious(page)
    page.context.close()

    page = open_page(browser, live_server_url, width=width, lang=lang)
    found["map"] = axe_serious(page)
    if width < 700:
        page.click("#filters-toggle")
        found["map with the sidebar open"] = axe_serious(page)
    page.fill("#search", "Louis II")
    page.locator("#results-list button.result").first.click()
    page.wait_for_selector("#panel .risk-section")
    found["site panel"] = axe_serious(page)
    page.keyboard.press("Escape")
    page.click("#dashboard-toggle")
    page.wait_for_selector("body[data-dashboard='ready']", state="attached")
    found["dashboard"] = axe_serious(page)
    page.context.close()
    assert {view: v for view, v in found.items() if v} == {}


def test_keyboard_reaches_and_opens_a_site(browser: Browser, live_server_url: str) -> None:
    page = open_page(browser, live_server_url, width=1280, lang="en")
    page.keyboard.press("Tab")  # skip to search
    page.keyboard.press("Tab")  # skip to the site list
    expect(page.locator(":focus")).to_have_attribute("href", "#results-heading")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_class("result")
    name = focused.locator(".result-name").inner_text()
    page.keyboard.press("Enter")
    expect(page.locator("#panel")).to_be_visible()
    expect(page.locator("#panel-title")).to_have_text(name)

    page.context.close()

    # a marker on the map, found by search and focused, opens with Enter
    page = open_page(browser, live_server_url, width=1280, lang="en")
    page.fill("#search", "Stade Louis-II")
    expect(page.locator("#results-list button.result")).to_have_count(1)
    marker = page.locator("#map .site-marker[title^='Stade Louis-II']").first
    marker.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#panel-title")).to_have_text("Stade Louis-II")
    page.context.close()


def test_phone_header_pickers_keep_a_usable_width(browser: Browser, live_server_url: str) -> None:
    page = open_page(browser, live_server_url, width=390, lang="zh-CN")
    for sel in ("#region-select", "#lang-select"):
        box = page.locator(sel).bounding_box()
        assert box is not None and box["width"] >= 100 and box["x"] + box["width"] <= 390, (sel, box)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scrolling
    page.click("#filters-toggle")
    expect(page.locator("#search")).to_be_visible()
    page.context.close()


def test_print_puts_map_and_legend_on_one_page_in_colour(browser: Browser, live_server_url: str,
                                                          tmp_path: Path) -> None:
    page = open_page(browser, live_server_url, width=1280, lang="en")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    page.emulate_media(media="print")
    legend = page.locator("details.legend").first
    expect(legend).to_be_visible()
    assert legend.evaluate("d => d.open")
    assert page.locator("#sidebar").is_hidden()
    assert page.evaluate("getComputedStyle(document.body).printColorAdjust") == "exact"
    pdf = page.pdf(format="A4", landscape=True, print_background=True)
    (tmp_path / "print.pdf").write_bytes(pdf)
    assert _pdf_pages(pdf) == 1
    page.context.close()


def _pdf_pages(pdf: bytes) -> int:
    import re

    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def test_map_attribution_links_are_underlined_not_told_by_colour_alone(browser: Browser, live_server_url: str) -> None:
    """WCAG 1.4.1: Leaflet's attribution links differ from their text only by colour (contrast 2.6:1) unless we
    underline them; axe reports that as link-in-text-block whenever it can see the background (no tiles)."""
    page = open_page(browser, live_server_url, width=1280, lang="en")
    links = page.locator(".leaflet-control-attribution a")
    expect(links.first).to_be_attached()
    styles = links.evaluate_all("as => as.map(a => getComputedStyle(a).textDecorationLine)")
    assert styles and all("underline" in s for s in styles), styles
    page.context.close()
