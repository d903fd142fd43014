"""The page asks to sign in when there is no session, refuses a wrong password, and shows the map after."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.conftest import WEB_LOGIN
from tests.conftest import WEB_PASSWORD
from tests.web.test_map_page import EN
from tests.web.test_map_page import TIMEOUT_MS
from tests.web.test_map_page import ZH

pytestmark = pytest.mark.web




def test_sign_in_form_then_map_then_sign_out(browser: Browser, live_server_url: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server_url.rstrip("/") + "/")
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#login-title")).to_have_text(EN["login.title"])
    assert page.locator("#map .site-marker, #map .site-cluster").count() == 0  # no data before signing in
    page.fill("#login-name", WEB_LOGIN)
    page.fill("#login-password", "not the password")
    page.click("#login-submit")
    expect(page.locator("#login-error")).to_have_text(EN["login.failed"])
    page.fill("#login-password", WEB_PASSWORD)
    page.press("#login-password", "Enter")
    page.wait_for_selector("body[data-ready='true']", state="attached")
    expect(page.locator("#login")).to_be_hidden()
    expect(page.locator("#map .site-cluster").first).to_be_visible()
    expect(page.locator("#user-name")).to_contain_text(WEB_LOGIN.title())
    cookies = {c["name"]: c for c in context.cookies()}
    assert cookies["bastion_session"]["httpOnly"] and cookies["bastion_session"]["sameSite"] == "Lax"
    assert not cookies["bastion_csrf"]["httpOnly"]
    # the language switch translates the sign-in strings too
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("#logout")).to_have_text(ZH["login.sign_out"])
    page.click("#logout")
    expect(page.locator("#login")).to_be_visible()
    assert errors == []
    context.close()
