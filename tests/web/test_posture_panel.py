"""The posture panel as two officers use it: the proposer's own rejection is refused (two-person rule), a second
coordinator rejects (nothing applied), then approves a new proposal, and standing it down closes exactly the
temporary tasks that approval created."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.regions.models import Region
from tests.auth_helpers import make_user
from tests.conftest import WEB_PASSWORD
from tests.web.conftest import sign_in

pytestmark = pytest.mark.web
APPROVER = "web-approver"


def _open(browser: Browser, url: str, login: str | None = None) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    if login is None:
        sign_in(context, url)
    else:
        sign_in(context, url, login=login, password=WEB_PASSWORD)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(url + "/")
    expect(page.locator("#map .site-cluster").first).to_be_visible()
    expect(page.locator("#posture-list h3")).to_be_visible()
    return page


def _propose(page: Page, level: str) -> int:
    page.locator("#posture-scheme").select_option("uk")
    page.locator("#posture-level").select_option(level)
    page.locator("#posture-reason").fill("intelligence update (browser test)")
    page.locator("#posture-propose").click()
    expect(page.locator("#posture-out")).to_contain_text("proposed")
    m = re.search(r"#(\d+) proposed", page.locator("#posture-out").inner_text())
    assert m is not None
    return int(m.group(1))


@pytest.mark.slow
def test_reject_by_a_second_person_and_stand_down(browser: Browser, live_server_url: str,
                                                  live_sf: sessionmaker[Session]) -> None:
    with live_sf() as s:
        monaco = s.scalar(select(Region.id).where(Region.name == "Monaco"))
    make_user(live_sf, APPROVER, role="coordinator", region_id=monaco, password=WEB_PASSWORD)
    proposer, approver = _open(browser, live_server_url), _open(browser, live_server_url, APPROVER)
    errors: list[str] = []
    for p in (proposer, approver):
        p.on("pageerror", lambda exc: errors.append(str(exc)))
    first = _propose(proposer, "CRITICAL")
    row = proposer.locator(f".posture-decl[data-id='{first}']")
    row.locator(".posture-reject").click()  # the proposer may not decide on their own proposal
    expect(proposer.locator("#posture-out [role='alert']")).to_contain_text("two-person rule")
    expect(row).to_contain_text("CRITICAL · proposed")
    approver.reload()
    row_b = approver.locator(f".posture-decl[data-id='{first}']")
    row_b.locator(".posture-reject").click()
    expect(approver.locator("#posture-out")).to_contain_text(f"Declaration #{first} rejected: nothing applied.")
    expect(row_b).to_contain_text("CRITICAL · rejected")
    expect(row_b.locator("button")).to_have_count(0)
    second = _propose(proposer, "CRITICAL")
    approver.reload()
    approver.locator(f".posture-decl[data-id='{second}'] .posture-approve").click()
    out = approver.locator("#posture-out")
    expect(out).to_contain_text(f"Declaration #{second} applied:")
    created = int(re.search(r"(\d+) tasks created", out.inner_text()).group(1))  # type: ignore[union-attr]
    assert created > 0
    active = approver.locator(f".posture-decl[data-id='{second}']")
    expect(active).to_contain_text("CRITICAL · active")
    active.locator(".posture-end").click()
    expect(out).to_contain_text(f"Declaration #{second} stood down: {created} temporary tasks closed.")
    expect(active).to_contain_text("CRITICAL · ended")
    assert errors == []
    for p in (proposer, approver):
        p.context.close()
