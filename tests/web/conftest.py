"""Web test helpers: one Chromium per test session (Debian's /usr/bin/chromium), and signing a Playwright
browser context in to the live server."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import BrowserContext
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect
from playwright.sync_api import sync_playwright
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from tests.conftest import LIVE
from tests.conftest import WEB_LOGIN
from tests.conftest import WEB_PASSWORD


def sign_in(context: BrowserContext, base_url: str, login: str = WEB_LOGIN, password: str = WEB_PASSWORD) -> None:
    """POST /api/v1/auth/login through the context's own request client: the session and CSRF cookies land in
    the context, so its pages are signed in."""
    r = context.request.post(base_url.rstrip("/") + "/api/v1/auth/login",
                             data={"login": login, "password": password, "mode": "cookie"})
    assert r.ok, r.text()


def api_token(base_url: str, login: str = WEB_LOGIN, password: str = WEB_PASSWORD) -> str:
    """An API token for direct HTTP calls to the live server: send `Authorization: Bearer <token>`."""
    body = json.dumps({"login": login, "password": password, "mode": "token"}).encode()
    req = urllib.request.Request(base_url.rstrip("/") + "/api/v1/auth/login", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:  # noqa: S310 (our own test server)
        return str(json.loads(r.read())["token"])


def api_call(url: str, token: str, body: dict[str, object] | None = None, *, method: str | None = None
             ) -> dict[str, object]:
    """A JSON call to the live server with a bearer token (GET without a body, POST with one, unless ``method``)."""
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                 method=method or ("GET" if body is None else "POST"),
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 (our own test server)
        return json.loads(r.read())  # type: ignore[no-any-return]


# an init script collecting Content-Security-Policy violations in window.__csp
CSP_WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""

CHROMIUM = "/usr/bin/chromium"
# no background networking: this machine has no network, and Chromium would keep trying
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic"]


# How long a web assertion (`expect(...)`) waits. Playwright's default is 5 s; in CI two test workers, their live
# servers and browsers share 2 cores, and a page's main thread was seen starved for more than 5 s between a click
# and its handler (a site panel opening after a search's refit and redraw). A feature that is broken still fails,
# after this long.
EXPECT_TIMEOUT_MS = 15_000


@pytest.fixture(autouse=True, scope="session")
def _patient_expect() -> None:
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the whole session (each test opens its own context)."""
    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


def run_job(base_url: str, path: str, body: dict[str, object], token: str) -> dict[str, object]:
    """POST long work (202 with Location /api/v1/jobs/{id}, docs/jobs.md), wait for the server's workers to
    finish the job, return its result."""
    import time

    auth = {"Authorization": f"Bearer {token}"}
    req = urllib.request.Request(f"{base_url}{path}", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json", **auth})
    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 (our own test server)
        assert r.status == 202
        location = r.headers["Location"]
    deadline = time.monotonic() + 300
    while True:
        with urllib.request.urlopen(urllib.request.Request(f"{base_url}{location}", headers=auth),  # noqa: S310
                                    timeout=60) as r:
            job = json.loads(r.read())
        if job["state"] not in ("queued", "running"):
            assert job["state"] == "succeeded", job
            return job["result"]  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


@pytest.fixture
def live_sf(live_server_url: str) -> Iterator[sessionmaker[Session]]:
    """A session factory on the live server's own database (to prepare or read what a browser test needs)."""
    eng = make_engine(LIVE["database_url"])
    yield make_session_factory(eng)
    eng.dispose()


def page_api(page: Page, base: str, method: str, path: str, data: Any = None) -> Any:
    """A REST call with the page's own session (its cookie and CSRF token), as the page itself would make it."""
    csrf = next(c["value"] for c in page.context.cookies() if c["name"] == "bastion_csrf")
    r = page.context.request.fetch(base + "/api/v1" + path, method=method, data=data,
                                   headers={"X-CSRF-Token": csrf})
    assert r.ok, r.text()
    return r.json() if r.status != 204 else None


# True once the map has stopped moving: no zoom animation, and the map pane and the site markers where they were
# 200 ms before (a search refits the map with an animation, and marker clusters redraw after it).
_SETTLED_JS = """() => new Promise(done => {
  const shot = () => {
    const pane = document.querySelector('#map .leaflet-map-pane');
    const marks = [...document.querySelectorAll('#map .site-marker, #map .site-cluster')]
      .map(m => { const r = m.getBoundingClientRect(); return `${Math.round(r.x)},${Math.round(r.y)}`; });
    return `${pane ? pane.style.transform : ''}|${marks.join(';')}`;
  };
  const before = shot();
  setTimeout(() => done(!document.querySelector('#map .leaflet-zoom-anim') && shot() === before), 200);
})"""


def map_settled(page: Page) -> None:
    """Wait until the map has stopped moving (a click on a marker while it moves can land on the map instead)."""
    page.wait_for_function(_SETTLED_JS)


def click_marker(page: Page, title_prefix: str) -> None:
    """Open a site's panel by clicking its marker (title starting with ``title_prefix``) once it is drawn and the
    map is still. A click can be lost while the page is starved of CPU right after a search (the refit animation,
    the marker clusters' own animation and the canvases' redraw): seen in CI, where two test workers, their servers
    and browsers share 2 cores. So the click is repeated, at most twice, while the panel has not opened; that the
    panel opens on a marker click is still what is tested."""
    marker = page.locator(f"#map .site-marker[title^='{title_prefix}']").first
    expect(marker).to_be_visible()
    for _ in range(3):
        map_settled(page)
        marker.click()
        try:
            page.wait_for_selector("#panel:not([hidden])", state="visible", timeout=5_000)
            return
        except PlaywrightTimeout:
            continue
    expect(page.locator("#panel")).to_be_visible()
