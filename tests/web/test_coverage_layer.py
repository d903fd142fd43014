"""The 'Response coverage' layer in a real browser (Debian chromium via Playwright; never `playwright install`):
toggle it, see the 1/3/5-minute rings, unit markers and uncovered places, and ask for 3 more units."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.conftest import sign_in

pytestmark = pytest.mark.web





def test_toggle_coverage_layer_shows_rings_and_suggests_units(browser: Browser, live_server_url: str,
                                                              tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    sign_in(context, live_server_url)  # the map's data needs a session (tests/web/conftest.py)
    page = context.new_page()
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server_url + "/")
    expect(page.locator("#cov-toggle")).to_be_visible()
    expect(page.locator("#coverage")).to_contain_text("Response coverage")
    expect(page.locator("#map .site-cluster").first).to_be_visible()  # region loaded
    page.locator("#cov-toggle").check()
    for lim in (60, 180, 300):
        expect(page.locator(f"path.cov-ring-{lim}")).to_have_count(1)
    expect(page.locator("path.cov-unit")).to_have_count(11)
    expect(page.locator("path.cov-uncovered")).to_have_count(6)  # Monaco: 127 of 133 places within 3 min
    expect(page.locator("#cov-summary")).to_contain_text("3 min: 95.5% of places, 95.3% of people")
    page.locator("#cov-n").fill("3")
    page.locator("#cov-suggest").click()
    # one of the three proposed units already reaches the 6 places left: the other two would add nothing
    expect(page.locator(".cov-proposed")).to_have_count(1)
    expect(page.locator("#cov-summary")).to_contain_text("2 more would add nothing")
    expect(page.locator("#cov-summary")).to_contain_text("people within 3 min 95.3% → 100.0%")
    shot = tmp_path / "coverage-layer.png"
    page.screenshot(path=str(shot))
    Path("/tmp/coverage-layer.png").write_bytes(shot.read_bytes())
    page.locator("#cov-toggle").uncheck()
    expect(page.locator("path.cov-ring-60")).to_have_count(0)
    assert errors == []
