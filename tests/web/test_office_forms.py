"""The lead office's page forms as a coordinator uses them: close a duty with its evidence (a blank evidence is
refused with the server's reason beside the field), set the jurisdiction's escalation ladder (a malformed one
refused), set and remove an agency's notification mailbox; axe-core finds no serious or critical violation in
these views at 1280 px (en) and 390 px (zh-CN); "Print" prints the lead-office view without the map."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.regions.models import Region
from tests.web.conftest import EXPECT_TIMEOUT_MS
from tests.web.conftest import api_call
from tests.web.conftest import api_token
from tests.web.conftest import run_job
from tests.web.conftest import sign_in
from tests.web.test_accessibility import AXE
from tests.web.test_accessibility import axe_serious

pytestmark = pytest.mark.web


@pytest.fixture
def prepared(live_server_url: str, live_sf: sessionmaker[Session]) -> dict[str, Any]:
    """Monaco with a lead-office rule (so the lead office appears among the region's agencies) and this month's
    duties generated (the job, as the page's users would queue it)."""
    with live_sf() as s:
        rid = int(s.scalar(select(Region.id).where(Region.name == "Monaco")))
        lead = int(s.scalar(select(Agency.id).where(Agency.name == "Lead office")))
    token = api_token(live_server_url)
    api_call(f"{live_server_url}/api/v1/office/rules", token, {"role": "lead", "agency_id": lead, "region_id": rid})
    run_job(live_server_url, f"/api/v1/regions/{rid}/office/duties", {}, token)
    return {"region": rid, "lead": lead, "token": token}


def _page(browser: Browser, url: str, *, width: int, lang: str) -> Page:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    sign_in(context, url)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{url}/?lang={lang}")
    page.wait_for_selector("body[data-ready='true']", state="attached")
    expect(page.locator("#map .site-cluster").first).to_be_visible()
    return page


@pytest.fixture
def patient_expect() -> Iterator[None]:
    """Assertions wait up to 30 s: the server shares two cores with other work."""
    expect.set_options(timeout=30_000)
    yield
    expect.set_options(timeout=EXPECT_TIMEOUT_MS)


@pytest.mark.slow
def test_duty_ladder_and_endpoint_forms(browser: Browser, live_server_url: str, prepared: dict[str, Any],
                                        patient_expect: None) -> None:
    page = _page(browser, live_server_url, width=1280, lang="en")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    axe: dict[str, list[dict[str, Any]]] = {}
    page.locator("#office-duties").click()
    expect(page.locator("#office-duties")).to_have_attribute("aria-pressed", "true")
    form = page.locator("form.office-done").first
    duty_id = int(form.get_attribute("data-id") or 0)
    form.locator("input").fill("   ")
    form.locator("button[type='submit']").click()
    expect(form.locator(".field-error")).to_contain_text("evidence is required")
    expect(form.locator("input")).to_have_attribute("aria-invalid", "true")
    if AXE.exists():
        axe["duties"] = axe_serious(page)
    form.locator("input").fill("self-inspection record SI-2026-11-07")
    form.locator("button[type='submit']").click()
    expect(page.locator(".office-ok").first).to_have_text("Done — evidence: self-inspection record SI-2026-11-07")
    done = api_call(f"{live_server_url}/api/v1/regions/{prepared['region']}/office/duties?status=done&limit=500",
                    prepared["token"])
    got = {d["id"]: d for d in done["items"]}  # type: ignore[union-attr]
    assert got[duty_id]["evidence_given"] == "self-inspection record SI-2026-11-07" and got[duty_id]["done_at"]
    # the ladder: the default first, a malformed one refused, then a two-step ladder saved
    page.locator("#office-settings").click()
    expect(page.locator("#office-ladder-steps")).to_contain_text("The default ladder applies")
    expect(page.locator("#office-ladder-steps tbody tr")).to_have_count(3)
    page.locator("#office-ladder-spec").fill("5x:owner")
    page.locator("#office-ladder-form button[type='submit']").click()
    expect(page.locator("#office-ladder-msg")).to_contain_text("ladder step '5x:owner'")
    page.locator("#office-ladder-spec").fill("-48h:owner, 3bd:lead")
    page.locator("#office-ladder-form button[type='submit']").click()
    expect(page.locator("#office-ladder-msg")).to_have_text("Saved.")
    expect(page.locator("#office-ladder-spec")).to_have_value("-48h:owner,3bd:lead")
    expect(page.locator("#office-ladder-steps tbody tr")).to_have_count(2)
    expect(page.locator("#office-ladder-steps tbody tr").nth(0)).to_contain_text("48 h before the deadline")
    expect(page.locator("#office-ladder-steps tbody tr").nth(1)).to_contain_text("3 business days after the deadline")
    # the lead office's duty mailbox: an address that is not one is refused, a mailbox saved, then removed
    page.locator("#office-endpoint-agency").select_option(label="Lead office")
    page.locator("#office-endpoint-channel").select_option("email")
    page.locator("#office-endpoint-address").fill("not an address")
    page.locator("#office-endpoint-form button[type='submit']").click()
    expect(page.locator("#office-endpoint-msg")).to_contain_text("duty mailbox")
    page.locator("#office-endpoint-address").fill("duty@lead-office.example")
    page.locator("#office-endpoint-form button[type='submit']").click()
    expect(page.locator("#office-endpoints tbody tr")).to_have_count(1)
    expect(page.locator("#office-endpoints tbody tr")).to_contain_text("duty@lead-office.example")
    if AXE.exists():
        axe["settings"] = axe_serious(page)
    page.locator("#office-endpoints .office-remove").click()
    expect(page.locator("#office-endpoint-msg")).to_have_text("Removed.")
    expect(page.locator("#office-endpoints")).to_contain_text("Nothing to show.")
    lad = api_call(f"{live_server_url}/api/v1/regions/{prepared['region']}/office/ladder", prepared["token"])
    assert lad["spec"] == "-48h:owner,3bd:lead" and lad["default"] is False
    # print the scorecards view alone
    page.locator("#office-scorecards").click()
    expect(page.locator("#office-view table.office-table")).to_be_visible()
    page.evaluate("document.body.classList.add('office-printing')")
    page.emulate_media(media="print")
    expect(page.locator("#office-view table.office-table")).to_be_visible()
    assert page.locator("#map").is_hidden() and page.locator(".office-tabs").is_hidden()
    assert page.locator("#posture").is_hidden()
    assert page.pdf(format="A4", print_background=True)[:5] == b"%PDF-"
    assert errors == []
    page.context.close()
    # a phone, in Chinese: the sidebar opened, the posture panel and the settings view
    page = _page(browser, live_server_url, width=390, lang="zh-CN")
    page.click("#filters-toggle")
    page.locator("#office-settings").click()
    expect(page.locator("#office-ladder-form")).to_be_visible()
    box = page.locator("#office-ladder-spec").bounding_box()
    assert box is not None and box["width"] > 200  # usable width at 390 px
    page.locator("#posture-preview").scroll_into_view_if_needed()
    if AXE.exists():
        axe["390 px zh-CN"] = axe_serious(page)
    page.context.close()
    assert {view: v for view, v in axe.items() if v} == {}
