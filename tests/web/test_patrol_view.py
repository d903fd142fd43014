"""The map page's patrol plan view in a real browser (Debian chromium via Playwright): routes and stops drawn."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.conftest import api_token
from tests.web.conftest import run_job
from tests.web.test_map_page import EN
from tests.web.test_map_page import ZH
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def _get(url: str, token: str) -> object:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 (our own test server)
        return json.loads(r.read())


def test_patrol_plan_view_draws_routes(browser: Browser, live_server_url: str, tmp_path: Path) -> None:
    base = live_server_url.rstrip("/")
    token = api_token(base)  # the API needs credentials (tests/web/conftest.py)
    rid = _get(f"{base}/api/v1/regions", token)["items"][0]["id"]  # type: ignore[index]
    result = run_job(base, f"/api/v1/regions/{rid}/patrol-plans",
                     {"teams": 3, "shift": "09:00-11:00", "days": 2, "seed": 5, "max_sites": 12}, token)
    plan = {"id": result["plan_id"]}
    day2 = _get(f"{base}/api/v1/patrol-plans/{plan['id']}/schedules?day=2", token)["items"]  # type: ignore[index]
    n_lines = sum(len(s["path"]) for s in day2)
    n_stops = sum(len(s["stops"]) for s in day2)
    assert n_lines > 0 and n_stops > 0

    page, errors, foreign = _open(browser, live_server_url, width=1280, height=900)
    picker = page.get_by_role("combobox", name=EN["patrol.plan_label"])
    expect(picker.locator(f"option[value='{plan['id']}']")).to_have_count(1)
    picker.select_option(str(plan["id"]))
    expect(page.locator("#map path.patrol-route").first).to_be_attached()
    page.get_by_role("combobox", name=EN["patrol.day_label"]).select_option("2")
    expect(page.locator("#map path.patrol-route")).to_have_count(n_lines)
    expect(page.locator("#map .patrol-stop")).to_have_count(n_stops)
    expect(page.locator("#patrol-teams > li")).to_have_count(3)
    first = next(s for s in day2 if s["stops"])
    team_item = page.locator(f"#patrol-teams > li[data-team='{first['team']}']")
    expect(team_item).to_contain_text(first["stops"][0]["arrival"])
    # each team in its own colour
    colours = page.eval_on_selector_all(
        "#map path.patrol-route", "ps => [...new Set(ps.map(p => p.getAttribute('stroke')))]"
    )
    assert len(colours) == sum(1 for s in day2 if s["stops"])
    shot = tmp_path / "patrol-view.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 20_000
    page.select_option("#lang-select", "zh-CN")
    expect(page.locator("#patrol-heading")).to_have_text(ZH["patrol.heading"])
    expect(page.locator("#map path.patrol-route")).to_have_count(n_lines)
    assert errors == []
    assert foreign == []
    page.context.close()
