"""The lead-office views and the posture panel in a real browser (the session Chromium): responsibility
matrix, scorecards, campaign board; posture preview per agency before anything is applied, a proposal, and the
server refusing the proposer's own approval (two-person rule)."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def test_matrix_scorecards_and_posture_preview(browser: Browser, live_server_url: str, tmp_path: Path) -> None:
    page, errors, _ = _open(browser, live_server_url, width=1280, height=900)
    expect(page.locator("#map .site-cluster").first).to_be_visible()  # region loaded
    expect(page.locator("#office-heading")).to_have_text("Lead office")
    page.locator("#office-matrix").click()
    table = page.locator("#office-view table.office-table")
    expect(table).to_be_visible()
    expect(table.locator("thead th").nth(3)).to_have_text("Supervising agency")
    assert table.locator("tbody tr").count() > 100  # every Monaco site has a row
    expect(table.locator("tbody tr").first.locator("td").nth(3)).to_have_text("unassigned")  # no rule: shown
    page.locator("#office-scorecards").click()
    cards = page.locator("#office-view table.office-table")
    expect(cards.locator("thead th").nth(2)).to_have_text("On time (%)")
    expect(cards.locator("tbody tr").first.locator("td").first).not_to_be_empty()  # an agency's name, never a person
    page.locator("#office-campaigns").click()
    expect(page.locator("#office-view")).to_contain_text("Nothing to show.")
    # posture: preview UK SEVERE, exactly what changes per agency, nothing applied
    expect(page.locator("#posture-restricted")).to_contain_text("TLP:AMBER")
    page.locator("#posture-scheme").select_option("uk")
    page.locator("#posture-level").select_option("SEVERE")
    page.locator("#posture-preview").click()
    prev = page.locator("#posture-preview-table")
    expect(prev).to_be_visible()
    expect(prev.locator("thead th").first).to_have_text("Agency")
    expect(page.locator("#posture-out")).to_contain_text("defender expected utility")
    page.locator("#posture-reason").fill("browser test")
    page.locator("#posture-propose").click()
    decl = page.locator(".posture-decl").first
    expect(decl).to_contain_text("SEVERE · proposed")
    decl.locator(".posture-approve").click()
    expect(page.locator("#map-status")).to_contain_text("two-person rule")
    page.screenshot(path=str(tmp_path / "office.png"), full_page=True)
    assert errors == []
    page.context.close()
