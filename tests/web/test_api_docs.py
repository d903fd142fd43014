"""Security finding 14 (brief item 7): /docs is served from npm-vendored swagger-ui-dist, not a CDN, and runs
under the strict Content-Security-Policy (no inline script, no other origin, no violation)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

pytestmark = pytest.mark.web



def test_docs_load_locally_under_the_csp(browser: Browser, live_server_url: str) -> None:
    page = browser.new_page()
    page.set_default_timeout(30_000)
    page.add_init_script("window.__csp = []; document.addEventListener('securitypolicyviolation', "
                         "(e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));")
    origins: set[str] = set()
    page.on("request", lambda r: origins.add(urlsplit(r.url).netloc) if r.url.startswith("http") else None)
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    response = page.goto(live_server_url + "/docs")
    assert response is not None and response.ok
    assert "script-src 'self'" in response.headers["content-security-policy"]
    html = response.text()
    assert "cdn.jsdelivr" not in html and "<script>" not in html
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Bastion")
    expect(page.locator(".opblock").first).to_be_visible()  # the operations are listed
    assert origins == {urlsplit(live_server_url).netloc}
    assert page.evaluate("window.__csp") == []
    assert not [m for m in console if "Content Security Policy" in m], console
    page.close()
