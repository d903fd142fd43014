"""Administration in the page as an administrator does it: create an agency and a user (the API's field errors by
the fields), grant a role over a region, disable the account, verify the audit chain and export it; reload, all
still there. (A coordinator does not see the administration: tests/web/test_workflows.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.conftest import WEB_ADMIN_LOGIN
from tests.conftest import WEB_PASSWORD
from tests.web.conftest import sign_in
from tests.web.test_map_page import TIMEOUT_MS

pytestmark = pytest.mark.web


def test_admin_creates_agency_user_grant_and_verifies_audit(browser: Browser, live_server_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="en-GB")
    sign_in(context, live_server_url, login=WEB_ADMIN_LOGIN, password=WEB_PASSWORD)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server_url + "/")
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.locator("#admin-open").click()
    page.wait_for_selector("#admin[data-loaded='true']", state="attached")
    admin = page.locator("#admin")
    agency = admin.locator("#admin-agency-form")
    agency.locator("[data-field='name'] input").fill("Monaco Fire Brigade")
    agency.locator("[data-field='kind'] select").select_option("fire")
    agency.locator("button[type='submit']").click()
    user = admin.locator("#admin-user-form")
    expect(user.locator("[data-field='agency_id'] option", has_text="Monaco Fire Brigade")).to_have_count(1)
    user.locator("[data-field='login'] input").fill("Fire Desk!")  # not a valid login
    user.locator("[data-field='display_name'] input").fill("Fire desk")
    user.locator("[data-field='agency_id'] select").select_option(label="Monaco Fire Brigade")
    user.locator("[data-field='password'] input").fill("short")
    user.locator("button[type='submit']").click()
    expect(user.locator("[data-field='login'] .field-error")).to_contain_text("pattern")
    expect(user.locator("[data-field='password'] .field-error")).to_contain_text("at least 10 characters")
    user.locator("[data-field='login'] input").fill("fire-desk")
    user.locator("[data-field='password'] input").fill("a long enough password")
    user.locator("button[type='submit']").click()
    box = admin.locator("#admin-user")
    expect(box.locator("h4")).to_have_text("Fire desk (fire-desk)")
    box.locator("[data-field='role'] select").select_option("viewer")
    box.locator("[data-field='region_id'] select").select_option(label="Monaco")
    box.locator(".admin-grant-form button[type='submit']").click()
    expect(box.locator(".admin-grants li")).to_have_text(["Viewer · Monaco Revoke"])
    box.locator(".admin-status-toggle").click()
    expect(box).to_contain_text("disabled")
    admin.locator("#audit-verify").click()
    # the page says what the server found (the golden database was signed under another audit key, so the live
    # server may report it broken at record 1: shown with its reason, never as a bare HTTP status)
    found = context.request.get(live_server_url + "/api/v1/audit/verify").json()
    expect(admin.locator("#audit-verify-result")).to_contain_text(
        "Intact:" if found["ok"] else f"Broken at record {found['broken_seq']}:")
    csv = context.request.get(live_server_url + admin.locator("#audit-csv").get_attribute("href"))
    assert csv.ok and "fire-desk" in csv.text()
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.locator("#admin-open").click()
    row = page.locator("#admin-users tbody tr", has_text="fire-desk")
    expect(row).to_contain_text("disabled")
    expect(row).to_contain_text("Viewer · Monaco")
    assert errors == []
    context.close()
