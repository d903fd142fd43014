"""Web test helpers: sign a Playwright browser context in to the live server."""

from __future__ import annotations

from playwright.sync_api import BrowserContext

from tests.conftest import WEB_LOGIN, WEB_PASSWORD


def sign_in(context: BrowserContext, base_url: str, login: str = WEB_LOGIN, password: str = WEB_PASSWORD) -> None:
    """POST /api/v1/auth/login through the context's own request client: the session and CSRF cookies land in
    the context, so its pages are signed in."""
    r = context.request.post(base_url.rstrip("/") + "/api/v1/auth/login",
                             data={"login": login, "password": password, "mode": "cookie"})
    assert r.ok, r.text()
