"""The user guide in a real browser under the app's Content-Security-Policy: Material's script starts (no
inline script is needed), no CSP violation, the language switch stays under /guide, search answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest
from playwright.sync_api import Browser

from bastion.kernel.settings import Settings
from tests.conftest import _free_port
from tests.guide.test_guide_site import build_site
from tests.web.conftest import CSP_WATCH

pytestmark = [pytest.mark.web, pytest.mark.slow]



@pytest.fixture(scope="module")
def guide_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import shutil

    import uvicorn

    from bastion.platform import app as app_module

    site = build_site(tmp_path_factory)
    web = tmp_path_factory.mktemp("web")
    shutil.copytree(site, web / "guide")
    data_dir = tmp_path_factory.mktemp("guide-data")
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bastion.db'}",
                        job_workers=0)
    original = app_module.WEB_DIR
    app_module.WEB_DIR = web  # create_app mounts /guide from WEB_DIR/guide when it is built
    try:
        app = app_module.create_app(settings)
    finally:
        app_module.WEB_DIR = original
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def test_guide_runs_under_the_csp_in_both_languages(browser: Browser, guide_server: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.add_init_script(CSP_WATCH)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    response = page.goto(guide_server + "/guide/getting-started/first-city/")
    assert response is not None and response.status == 200
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.wait_for_function("document.documentElement.classList.contains('js')")  # Material's bundle started
    assert page.locator("h1").first.inner_text().startswith("Your first city")
    # search runs in a same-origin worker (script-src 'self' covers it) and finds the patrol page
    page.locator("input[data-md-component='search-query']").fill("patrol")
    page.locator(".md-search-result__item").first.wait_for()
    # the language switch leads to the Chinese page, still under /guide
    zh = page.locator("a[hreflang='zh']").first.get_attribute("href")
    assert zh is not None
    page.goto(urljoin(page.url, zh))
    assert "/guide/zh/" in page.url
    assert page.locator("h1").first.inner_text().startswith("第一座城市")
    page.wait_for_function("document.documentElement.classList.contains('js')")
    assert page.evaluate("window.__csp") == []
    assert errors == []
    context.close()
