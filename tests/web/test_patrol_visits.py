"""Patrol visits linked to the site selection, teams shown or hidden one by one, and the plan, day and hidden
teams held in the page's link — as a planner uses them in a real browser (Debian chromium via Playwright).

Sign in, pick the stored plan and its second day, select the site the most teams visit that day: the site panel
lists exactly the visits the API's schedules give (team, arrival–departure), the site's stops are ringed on the
map and the visiting teams marked in the sidebar. Hide one visiting team: its route and stops leave the map, the
panel says it is hidden, the link holds plan, day and hidden team; reload: all of it is still there; back: the team
is shown again; forward: hidden again. zh-CN: the panel's visits in Chinese. axe: no serious/critical violation.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.conftest import api_token
from tests.web.conftest import run_job
from tests.web.test_accessibility import axe_available  # noqa: F401 (a fixture)
from tests.web.test_accessibility import axe_serious
from tests.web.test_map_page import EN
from tests.web.test_map_page import ZH
from tests.web.test_map_page import _open

pytestmark = pytest.mark.web


def _get(url: str, token: str) -> dict:  # type: ignore[type-arg]
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310 (our own test server)
        return json.loads(r.read())  # type: ignore[no-any-return]


@pytest.mark.usefixtures("axe_available")
def test_site_selection_shows_its_patrol_visits_and_teams_hide_by_link(
    browser: Browser, live_server_url: str
) -> None:
    base = live_server_url.rstrip("/")
    token = api_token(base)
    rid = _get(f"{base}/api/v1/regions", token)["items"][0]["id"]
    plan_id = run_job(base, f"/api/v1/regions/{rid}/patrol-plans",
                      {"teams": 3, "shift": "09:00-11:00", "days": 2, "seed": 11, "max_sites": 8}, token)["plan_id"]
    day2 = _get(f"{base}/api/v1/patrol-plans/{plan_id}/schedules?day=2", token)["items"]
    # the site most teams visit on day 2 (by hand from the API: the page must show exactly these visits)
    per_site = Counter(st["site_id"] for s in day2 for st in s["stops"])
    site_id, n_visits = per_site.most_common(1)[0]
    visits = sorted((st["arrival_s"], s["team"], st["arrival"], st["departure"]) for s in day2 for st in s["stops"]
                     if st["site_id"] == site_id)
    assert len(visits) == n_visits >= 1
    hidden_team = visits[0][1]
    hidden_routes = sum(len(s["path"]) for s in day2 if s["team"] == hidden_team)
    all_routes = sum(len(s["path"]) for s in day2)
    all_stops = sum(len(s["stops"]) for s in day2)
    hidden_stops = sum(len(s["stops"]) for s in day2 if s["team"] == hidden_team)

    page, errors, foreign = _open(browser, live_server_url, width=1280, height=900)
    page.get_by_role("combobox", name=EN["patrol.plan_label"]).select_option(str(plan_id))
    page.get_by_role("combobox", name=EN["patrol.day_label"]).select_option("2")
    expect(page.locator("body")).to_have_attribute("data-patrol-day", f"{plan_id}:2")
    expect(page.locator("#map path.patrol-route")).to_have_count(all_routes)
    page.locator(f"#results-list button.result[data-site-id='{site_id}']").click()
    section = page.locator("#panel .patrol-visits-section")
    lines = section.locator("ul.patrol-visits > li")
    expect(lines).to_have_count(n_visits)
    for i, (_, team, arrival, departure) in enumerate(visits):
        expect(lines.nth(i)).to_have_text(
            EN["patrol.visit_line"].format(team=team, arrival=arrival, departure=departure))
    expect(section).to_contain_text(EN["patrol.visits_of"].format(plan=plan_id, day=2))
    assert section.evaluate("s => [...s.childNodes].filter(n => n.nodeType === 3).map(n => n.data)") == []  # no "null"
    expect(page.locator("#map .patrol-stop.is-visit-here")).to_have_count(n_visits)
    visiting = {team for _, team, _, _ in visits}
    expect(page.locator("#patrol-teams > li.visits-selected")).to_have_count(len(visiting))
    assert axe_serious(page) == []

    # hide one visiting team: off the map, marked in the panel, held in the link
    box = page.get_by_role("checkbox", name=EN["patrol.show_team"].format(team=hidden_team))
    expect(box).to_be_checked()
    box.uncheck()
    expect(page.locator("#map path.patrol-route")).to_have_count(all_routes - hidden_routes)
    expect(page.locator("#map .patrol-stop")).to_have_count(all_stops - hidden_stops)
    expect(lines.first).to_contain_text(EN["patrol.team_hidden"])
    expect(page).to_have_url(re.compile(rf"plan={plan_id}&day=2&hide={hidden_team}(&|$)"))

    page.reload()  # still there: plan, day, hidden team, site and its visits
    page.wait_for_selector("body[data-ready='true']", state="attached")
    expect(page.get_by_role("combobox", name=EN["patrol.plan_label"])).to_have_value(str(plan_id))
    expect(page.get_by_role("combobox", name=EN["patrol.day_label"])).to_have_value("2")
    expect(page.get_by_role("checkbox", name=EN["patrol.show_team"].format(team=hidden_team))).not_to_be_checked()
    expect(page.locator("#map path.patrol-route")).to_have_count(all_routes - hidden_routes)
    expect(page.locator("#panel .patrol-visits-section ul.patrol-visits > li")).to_have_count(n_visits)

    page.go_back()  # the step before hiding: every team shown again
    expect(page.get_by_role("checkbox", name=EN["patrol.show_team"].format(team=hidden_team))).to_be_checked()
    expect(page.locator("#map path.patrol-route")).to_have_count(all_routes)
    page.go_forward()
    expect(page.get_by_role("checkbox", name=EN["patrol.show_team"].format(team=hidden_team))).not_to_be_checked()
    expect(page.locator("#map path.patrol-route")).to_have_count(all_routes - hidden_routes)

    page.select_option("#lang-select", "zh-CN")
    section = page.locator("#panel .patrol-visits-section")
    expect(section.locator("h3")).to_have_text(ZH["patrol.visits_heading"])
    _, team, arrival, departure = visits[-1]
    expect(section.locator("ul.patrol-visits > li").last).to_contain_text(
        ZH["patrol.visit_line"].format(team=team, arrival=arrival, departure=departure))
    expect(page.get_by_role("checkbox", name=ZH["patrol.show_team"].format(team=hidden_team))).not_to_be_checked()
    assert errors == [] and foreign == []
    page.context.close()
