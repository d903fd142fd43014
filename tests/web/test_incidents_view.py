"""The incident board in a real browser (Debian chromium via Playwright): the board lists open real incidents
(never exercises), a new incident appears without a reload (Server-Sent Events), the map shows the incident and its
cordon rings, the timeline shows entries as they are written."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.conftest import api_call
from tests.web.conftest import api_token
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def _call(method: str, url: str, token: str, body: dict[str, object] | None = None) -> dict[str, object]:
    return api_call(url, token, body, method=method)


def test_board_map_and_timeline_update_live(browser: Browser, live_server_url: str) -> None:
    base = live_server_url.rstrip("/")
    token = api_token(base)
    rid = _call("GET", f"{base}/api/v1/regions", token)["items"][0]["id"]  # type: ignore[index]
    first = _call("POST", f"{base}/api/v1/incidents", token, {
        "region_id": rid, "incident_type": "suspicious_item", "severity": "moderate", "title": "Bag at the station",
        "lon": 7.4196, "lat": 43.7389})
    _call("POST", f"{base}/api/v1/incidents", token, {
        "region_id": rid, "incident_type": "arson", "severity": "minor", "title": "Drill fire", "mode": "exercise",
        "lon": 7.42, "lat": 43.735})
    page, errors, foreign = _open(browser, live_server_url, width=1280, height=900)
    board = page.locator("#incidents-board")
    expect(board.locator(f"li[data-incident='{first['id']}']")).to_contain_text("Bag at the station")
    expect(board).not_to_contain_text("Drill fire")  # exercises stay off the real board
    # a new incident appears without reloading the page (the stream announces the change)
    second = _call("POST", f"{base}/api/v1/incidents", token, {
        "region_id": rid, "incident_type": "vehicle_borne_ied", "severity": "severe", "title": "Van on the quay",
        "lon": 7.4246, "lat": 43.7384, "device": "sedan"})
    expect(board.locator(f"li[data-incident='{second['id']}']")).to_contain_text("Van on the quay", timeout=5000)
    _call("PUT", f"{base}/api/v1/incidents/{second['id']}/cordon", token, {})
    board.locator(f"li[data-incident='{second['id']}'] button").click()
    expect(page.locator("#map path.cordon-inner")).to_have_count(1)
    expect(page.locator("#map path.cordon-outer")).to_have_count(1)
    expect(page.locator(f"#map path.incident-{second['id']}")).to_have_count(1)
    expect(page.locator("#incidents-timeline li")).to_have_count(2)  # created, cordon
    _call("POST", f"{base}/api/v1/incidents/{second['id']}/notes", token, {"text": "EOD team on scene"})
    expect(page.locator("#incidents-timeline")).to_contain_text("EOD team on scene", timeout=5000)
    # replay: back to the first entry (no cordon yet), then the second (the cordon drawn)
    page.locator("#incidents-replay").fill("1")
    expect(page.locator("#incidents-replay-caption")).to_contain_text("#1")
    expect(page.locator("#map path.replay-cordon")).to_have_count(0)
    page.locator("#incidents-replay").fill("2")
    expect(page.locator("#incidents-replay-caption")).to_contain_text("cordon: inner")  # the page's wording
    expect(page.locator("#map path.replay-cordon")).to_have_count(1)
    assert errors == [] and foreign == []
