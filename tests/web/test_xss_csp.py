"""Stored XSS (security finding 1): markup and script in a site name, a response unit's name and a site note are
shown as text in tooltips, the result list and the site panel; no script runs; the page sends a strict
Content-Security-Policy and causes no violation of it (Debian chromium via Playwright)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import ConsoleMessage
from playwright.sync_api import expect
from sqlalchemy import text

from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.kernel.settings import Settings
from bastion.platform import migrate
from tests.conftest import MONACO
from tests.conftest import MONACO_BOUNDARY
from tests.conftest import WEB_LOGIN
from tests.conftest import WEB_PASSWORD
from tests.conftest import _free_port
from tests.web.conftest import CSP_WATCH
from tests.web.conftest import sign_in

pytestmark = pytest.mark.web

PAYLOAD = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=2</script>'


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Its own server (the shared one stays clean): Monaco with every site named, every unit named and every note
    set to markup and script."""
    import uvicorn

    from bastion.imports.service import import_osm
    from bastion.platform.app import create_app
    from tests.auth_helpers import TEST_SECRET
    from tests.auth_helpers import make_user

    data_dir = tmp_path_factory.mktemp("xss")
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bastion.db'}",
                        secret_key=TEST_SECRET)
    eng = make_engine(settings.resolved_database_url())
    migrate.upgrade(eng)
    sf = make_session_factory(eng)
    import_osm(sf, MONACO, "Monaco", boundary_file=MONACO_BOUNDARY)
    make_user(sf, WEB_LOGIN, role="coordinator", region_id=None, password=WEB_PASSWORD)
    with eng.begin() as c:
        c.execute(text("UPDATE sites SET name = :p, notes = :p"), {"p": PAYLOAD})
        c.execute(text("UPDATE response_units SET name = :p"), {"p": PAYLOAD})
    eng.dispose()
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_markup_in_names_and_notes_is_text_and_no_script_runs(browser: Browser, hostile_server: str,
                                                              tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    sign_in(context, hostile_server)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(CSP_WATCH)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text) if isinstance(m, ConsoleMessage) else None)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    response = page.goto(hostile_server + "/")
    assert response is not None
    csp = response.headers.get("content-security-policy", "")
    for directive in ("default-src 'self'", "script-src 'self'", "object-src 'none'", "base-uri 'none'",
                      "frame-ancestors 'none'", "style-src 'self'"):
        assert directive in csp, csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp

    # the result list: names as text
    expect(page.locator("#map .site-cluster").first).to_be_visible()
    first = page.locator("#results-list button.result").first
    expect(first).to_contain_text("<img src=x onerror=")
    # the panel: title and note as text
    first.click()
    expect(page.locator("#panel-title")).to_contain_text("<script>window.__xss=2</script>")
    expect(page.locator("#panel .notes")).to_have_text(PAYLOAD)
    assert page.locator("#panel img, #panel script").count() == 0
    page.locator("#panel-close").click()

    # tooltips: a unit's name and an uncovered site's name
    page.locator("#cov-toggle").check()
    expect(page.locator("path.cov-unit").first).to_be_attached()
    expect(page.locator("path.cov-uncovered").first).to_be_attached()
    for sel in ("path.cov-unit", "path.cov-uncovered"):
        page.locator(sel).first.dispatch_event("mouseover")  # what hovering it fires
        tooltip = page.locator(".leaflet-tooltip").last
        expect(tooltip).to_contain_text('<img src=x onerror="window.__xss=1;alert(1)">')
        assert page.locator(".leaflet-tooltip img, .leaflet-tooltip script").count() == 0
        page.locator(sel).first.dispatch_event("mouseout")

    page.wait_for_timeout(300)
    assert page.evaluate("window.__xss") is None
    assert dialogs == []
    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m], console
    assert errors == []
    page.screenshot(path=str(tmp_path / "xss.png"))
    context.close()
