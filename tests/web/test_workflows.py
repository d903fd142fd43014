"""Workflows in the page as a planner performs them (sign in, act, see the result, reload, still there): site edit
with field errors and no clamping, units added / moved / removed on the map, "suggest N more units" replacing its
proposals with each unit's gain, deep links and the back button. One signed-in page for the module (lean)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import Route
from playwright.sync_api import expect

from tests.web.conftest import page_api
from tests.web.conftest import sign_in
from tests.web.test_map_page import EN
from tests.web.test_map_page import TIMEOUT_MS

pytestmark = pytest.mark.web

STADIUM = "Stade Louis"


@pytest.fixture(scope="module")
def page(browser: Browser, live_server_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    sign_in(context, live_server_url)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("dialog", lambda d: d.accept())
    pg.goto(live_server_url + "/")
    pg.wait_for_selector("body[data-ready='true']", state="attached")
    yield pg
    assert errors == []
    context.close()


def _stadium(page: Page, base: str) -> dict[str, Any]:
    region = page_api(page, base, "GET", "/regions")["items"][0]
    sites = page_api(page, base, "GET", f"/sites?region_id={region['id']}&q=Louis&limit=50")["items"]
    return next(s for s in sites if s["name"] and s["name"].startswith(STADIUM))


def _schedules(url: str) -> bool:
    return "/schedules?" in url


def _late(route: Route) -> None:
    """Answer with what the server says now, but deliver it a moment later."""
    response = route.fetch()
    time.sleep(1.0)
    route.fulfill(response=response)


def _ready(page: Page) -> None:
    page.wait_for_selector("body[data-ready='true']", state="attached")


def test_site_edit_refuses_out_of_range_then_saves_and_survives_reload(page: Page, live_server_url: str) -> None:
    site = _stadium(page, live_server_url)
    # a deep link opens the site's panel straight away
    page.goto(f"{live_server_url}/#region={site['region_id']}&site={site['id']}")
    page.reload()
    _ready(page)
    panel = page.locator("#panel")
    expect(page.locator("#panel-title")).to_contain_text(STADIUM)
    panel.locator(".site-edit-section summary").click()
    capacity = panel.locator(".site-capacity-input")
    for bad in ("99999999", "-1", "2.5"):
        capacity.fill(bad)
        panel.locator(".site-save").click()
        err = panel.locator("[data-field='capacity_override'] .field-error")
        expect(err).to_be_visible()
        expect(err).to_contain_text("10,000,000")  # the allowed range, never a silent clamp
        expect(capacity).to_have_value(bad)
    # someone else saves the site meanwhile: this page's write names the version it read and is refused (409)
    page_api(page, live_server_url, "PATCH", f"/sites/{site['id']}", {"notes": "changed in another tab"})
    capacity.fill("1200")
    panel.locator(".site-save").click()
    expect(panel.locator(".site-edit .form-alert")).to_have_text(EN["form.conflict"])
    page.reload()  # as the message says: reload, then edit again
    _ready(page)
    expect(panel.locator(".notes")).to_have_text("changed in another tab")
    panel.locator(".site-edit-section summary").click()
    capacity = panel.locator(".site-capacity-input")
    capacity.fill("1e3")  # 1,000 people written in exponent form is a whole number in range: kept, not 1
    panel.locator(".site-notes-input").fill("Match days: gates 1-4 only")
    panel.locator(".site-save").click()
    expect(panel.locator(".capacity-value")).to_have_text(re.compile(r"1,000"))
    expect(panel.locator(".notes")).to_have_text("Match days: gates 1-4 only")
    page.reload()
    _ready(page)
    expect(page.locator("#panel .capacity-value")).to_have_text(re.compile(r"1,000"))
    expect(page.locator("#panel .notes")).to_have_text("Match days: gates 1-4 only")
    page_api(page, live_server_url, "PATCH", f"/sites/{site['id']}", {"capacity_override": None, "notes": None})


def test_suggest_units_replaces_proposals_shows_gains_and_refuses_bad_counts(page: Page, live_server_url: str) -> None:
    page.goto(live_server_url + "/#")
    page.reload()
    _ready(page)
    page.locator("#cov-toggle").check()
    expect(page.locator("#coverage-legend")).to_contain_text("Reached within 3 min")  # the layer has a legend
    expect(page.locator("path.cov-unit")).to_have_count(11)
    n = page.locator("#cov-n")
    err = page.locator("#coverage [data-field='add'] .field-error")
    for bad in ("0", "99999", "1e3", "2.5"):
        n.fill(bad)
        page.locator("#cov-suggest").click()
        expect(err).to_have_text("Enter a whole number from 1 to 200.")
        expect(n).to_have_value(bad)  # not clamped to 1 or 20
    n.fill("150")  # in the form's range, but Monaco has fewer candidate sites: the API's field error, by the field
    page.locator("#cov-suggest").click()
    expect(err).to_contain_text("add must be at most")
    n.fill("3")
    page.locator("#cov-suggest").dblclick()  # a double click gives one set, not two
    expect(page.locator("#cov-summary")).to_contain_text("people within 3 min 95.3% → 100.0%")
    expect(page.locator("#cov-gains li").first).to_contain_text("Unit 1: +")
    gains = [int(x) for x in page.locator("#cov-gains li").evaluate_all("ls => ls.map(l => l.dataset.gainSites)")]
    # each unit's gain after the ones before it: they add up to the 6 uncovered places, biggest first; units that
    # would add nothing are not drawn, and the summary says how many
    assert sum(gains) == 133 - 127 and gains == sorted(gains, reverse=True) and all(g > 0 for g in gains)
    expect(page.locator(".cov-proposed")).to_have_count(len(gains))
    if len(gains) < 3:
        expect(page.locator("#cov-summary")).to_contain_text(f"{3 - len(gains)} more would add nothing")
    page.locator("#cov-suggest").click()
    expect(page.locator("#cov-summary")).to_contain_text("→ 100.0%")
    expect(page.locator(".cov-proposed")).to_have_count(len(gains))  # replaced, not piled up
    n.fill("1")
    page.locator("#cov-suggest").click()
    expect(page.locator("#cov-gains li")).to_have_count(1)
    expect(page.locator(".cov-proposed")).to_have_count(1)


@pytest.mark.slow
def test_units_added_dragged_and_removed_on_the_map(page: Page, live_server_url: str) -> None:
    region = page_api(page, live_server_url, "GET", "/regions")["items"][0]
    page.goto(f"{live_server_url}/#region={region['id']}&layers=coverage&view=43.73500,7.42000,16")
    page.reload()
    _ready(page)
    expect(page.locator("path.cov-unit")).to_have_count(11)  # the deep link switched the layer on
    page.locator("#coverage details.cov-units-box summary").click()
    page.locator("#cov-add-unit").click()
    box = page.locator("#map").bounding_box()
    assert box
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    form = page.locator("#cov-new-unit")
    form.locator("input[name='name']").fill("")
    form.locator("button[type='submit']").click()
    expect(form.locator("[data-field='name'] .field-error")).to_contain_text("at least 1 character")
    form.locator("input[name='name']").fill("Foot team 12")
    form.locator("button[type='submit']").click()
    expect(page.locator("path.cov-unit")).to_have_count(12)
    item = page.locator("#cov-units li", has_text="Foot team 12")
    expect(item).to_have_count(1)
    unit = next(u for u in page_api(page, live_server_url, "GET", f"/regions/{region['id']}/units?limit=100")["items"]
                if u["name"] == "Foot team 12")
    # drag its handle 80 px east: the unit moves (stored), the rings are redrawn
    handle = page.locator(".cov-unit-marker[title^='Foot team 12']")
    hb = handle.bounding_box()
    assert hb
    page.mouse.move(hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(hb["x"] + 50, hb["y"] + 5, steps=5)
    page.mouse.move(hb["x"] + 90, hb["y"] + 5, steps=5)
    page.mouse.up()
    for _ in range(50):
        moved = page_api(page, live_server_url, "GET", f"/regions/{region['id']}/units?limit=100")["items"]
        moved_unit = next(u for u in moved if u["id"] == unit["id"])
        if moved_unit["lon"] > unit["lon"] + 1e-4:
            break
        page.wait_for_timeout(100)
    assert moved_unit["lon"] > unit["lon"] + 1e-4 and abs(moved_unit["lat"] - unit["lat"]) < 5e-4
    page.reload()
    _ready(page)
    expect(page.locator("path.cov-unit")).to_have_count(12)  # still there after a reload
    page.locator("#coverage details.cov-units-box summary").click()
    page.locator("#cov-units li", has_text="Foot team 12").locator("button.unit-remove").click()
    expect(page.locator("path.cov-unit")).to_have_count(11)
    expect(page.locator("#cov-units li", has_text="Foot team 12")).to_have_count(0)


def test_deep_link_and_back_button_restore_layers_and_selection(page: Page, live_server_url: str) -> None:
    page.goto(live_server_url + "/#")
    page.reload()
    _ready(page)
    page.fill("#search", "Louis II")
    page.locator("#results-list button.result", has_text=STADIUM).first.click()
    expect(page.locator("#panel")).to_be_visible()
    expect(page).to_have_url(re.compile(r"site=\d+"))
    page.locator("#cov-toggle").check()
    expect(page).to_have_url(re.compile(r"layers=coverage"))
    expect(page.locator("path.cov-ring-60")).to_have_count(1)
    # linked layers: the unit that reaches the selected site first, joined to it, with its time
    expect(page.locator("#cov-site")).to_contain_text(re.compile(r"Stade Louis-II: first reached by .+ in [\d.]+ min"))
    expect(page.locator("path.cov-link")).to_have_count(1)
    # the places left uncovered are listed; one click opens one
    uncovered = page.locator("#cov-uncovered-box li button")
    expect(uncovered).to_have_count(6)
    page.locator("#cov-uncovered-box summary").click()
    name = uncovered.first.inner_text()
    uncovered.first.click()
    expect(page.locator("#panel-title")).to_have_text(name)
    expect(page.locator("#cov-site")).to_contain_text(name)
    page.go_back()  # back to the stadium
    expect(page.locator("#panel-title")).to_contain_text(STADIUM)
    page.go_back()  # layer off again: box unticked and nothing drawn
    expect(page.locator("#cov-toggle")).not_to_be_checked()
    expect(page.locator("path.cov-ring-60")).to_have_count(0)
    expect(page.locator("#panel")).to_be_visible()
    page.go_back()  # before the site was selected
    expect(page.locator("#panel")).to_be_hidden()
    page.go_forward()
    expect(page.locator("#panel")).to_be_visible()
    url = page.url
    page.goto("about:blank")
    page.goto(url)  # the link alone restores region, selection and view
    _ready(page)
    expect(page.locator("#panel-title")).to_contain_text(STADIUM)
    expect(page.locator("#cov-toggle")).not_to_be_checked()
    assert EN["coverage.layer"]


def test_signed_out_page_load_makes_no_401_and_has_a_favicon(browser: Browser, live_server_url: str) -> None:
    context = browser.new_context(viewport={"width": 1000, "height": 700}, locale="en-GB")
    pg = context.new_page()
    statuses: list[tuple[int, str]] = []
    pg.on("response", lambda r: statuses.append((r.status, r.url)))
    pg.goto(live_server_url + "/")
    expect(pg.locator("#login")).to_be_visible()
    expect(pg.locator("#user-name")).to_be_hidden()
    assert [s for s in statuses if s[0] >= 400] == []  # no 401 noise in the console before signing in
    icon = pg.locator("link[rel='icon']").get_attribute("href")
    assert icon and icon.endswith(".svg")
    r = context.request.get(live_server_url + icon)
    assert r.ok and r.headers["content-type"].startswith("image/svg+xml")
    context.close()


def test_session_ended_elsewhere_brings_back_sign_in_and_keeps_the_place(page: Page, live_server_url: str) -> None:
    from tests.conftest import WEB_LOGIN
    from tests.conftest import WEB_PASSWORD

    page.goto(live_server_url + "/#")
    page.reload()
    _ready(page)
    page.fill("#search", "Louis II")
    expect(page.locator("#user-name")).to_be_visible()
    # signed out in another tab: the session is revoked on the server, the cookies of this page stay
    cookies = page.context.cookies()
    page_api(page, live_server_url, "POST", "/auth/logout", {})
    page.context.add_cookies([{"name": c["name"], "value": c["value"], "domain": c["domain"], "path": c["path"]}
                              for c in cookies])
    page.locator("#results-list button.result", has_text=STADIUM).first.click()
    expect(page.locator("#login")).to_be_visible()
    expect(page.locator("#user-name")).to_be_hidden()  # the header no longer says who is signed in
    page.fill("#login-name", WEB_LOGIN)
    page.fill("#login-password", WEB_PASSWORD)
    page.press("#login-password", "Enter")
    expect(page.locator("#login")).to_be_hidden()
    # the place is kept: the search, and the site the user was opening (its request retried after signing in)
    expect(page.locator("#search")).to_have_value("Louis II")
    expect(page.locator("#panel .panel-kind")).to_have_text(EN["kind.stadium"])
    expect(page.locator("#user-name")).to_be_visible()


def test_risk_table_sorts_filters_exports_links_to_map_and_threat_level_changes(page: Page,
                                                                                 live_server_url: str) -> None:
    region = page_api(page, live_server_url, "GET", "/regions")["items"][0]
    before = page_api(page, live_server_url, "GET", f"/regions/{region['id']}/threat-level")
    page.goto(live_server_url + "/#")
    page.reload()
    _ready(page)
    expect(page.locator("#admin-open")).to_be_hidden()  # a coordinator: no administration (user:admin)
    page.locator("#risk-open").click()
    ws = page.locator("#risk-workspace")
    rows = ws.locator("#risk-ranking tbody tr")
    expect(rows.first).to_be_visible()
    n = rows.count()
    assert n > 100
    ws.locator("button[data-sort='total']").click()
    ws.locator("button[data-sort='total']").click()  # descending
    expect(ws.locator("th[aria-sort='descending']")).to_have_count(1)
    totals = [float(x.replace(",", "")) for x in ws.locator("#risk-ranking tbody tr td:nth-child(5)").all_inner_texts()]
    assert totals == sorted(totals, reverse=True)
    ws.locator("#risk-ranking-filter").fill(STADIUM)
    expect(rows).to_have_count(1)
    with page.expect_download() as dl:
        ws.locator("#risk-ranking-export").click()
    csv = open(dl.value.path(), encoding="utf-8-sig").read().splitlines()
    assert csv[0].startswith("Rank,Site,") and len(csv) == 2 and STADIUM in csv[1]
    rows.first.click()  # row → map: the site's panel opens
    expect(page.locator("#panel-title")).to_contain_text(STADIUM)
    expect(rows.first).to_have_class(re.compile("is-selected"))
    # threat level: raised to CRITICAL, the ranking is re-scored and says so; kept after a reload
    form = ws.locator("#threat-form")
    form.locator("[data-field='uk_threat_level'] select").select_option("CRITICAL")
    form.locator("[data-field='scoring_scale'] select").select_option("uk")
    form.locator("button[type='submit']").click()
    expect(ws.locator("#risk-summary")).to_contain_text("threat level Critical")
    page.reload()
    _ready(page)
    page.locator("#risk-open").click()
    expect(page.locator("#threat-form [data-field='uk_threat_level'] select")).to_have_value("CRITICAL")
    page_api(page, live_server_url, "PUT", f"/regions/{region['id']}/threat-level",
         {"uk_threat_level": before["uk_threat_level"], "cn_heightened_level": before["cn_heightened_level"],
          "scoring_scale": before["scoring_scale"]})
    page.keyboard.press("Escape")


def test_patrol_plan_created_in_the_page_then_exported_and_kept(page: Page, live_server_url: str) -> None:
    page.goto(live_server_url + "/#")
    page.reload()
    _ready(page)
    box = page.locator("#patrol-tools details.patrol-new-box")
    box.locator("summary").click()
    form = page.locator("#patrol-new")
    form.locator("[data-field='teams'] input").fill("0")
    form.locator("[data-field='days'] input").fill("400")
    form.locator("button[type='submit']").click()
    expect(form.locator("[data-field='teams'] .field-error")).to_have_text("Enter a whole number from 1 to 200.")
    expect(form.locator("[data-field='days'] .field-error")).to_have_text("Enter a whole number from 1 to 366.")
    form.locator("[data-field='teams'] input").fill("2")
    form.locator("[data-field='days'] input").fill("2")
    form.locator("input[type='time']").first.fill("09:00")
    form.locator("input[type='time']").last.fill("11:00")
    # the day's routes come in late: the picker must already show the new plan with its export links
    page.route(_schedules, _late)
    form.locator("button[type='submit']").click()
    # a job: its row in the jobs tray (progress bar, then succeeded), and the plan appears when it is done
    expect(page.locator("#jobs-tray .jobs-row progress").first).to_be_attached()
    expect(page.locator("#patrol-csv")).to_be_visible(timeout=60_000)
    expect(page.locator("#jobs-tray .jobs-row").first).to_have_attribute("data-state", "succeeded")
    plan_id = page.locator("#patrol-plan").input_value()
    assert plan_id
    page.unroute_all(behavior="wait")  # let a late answer still in flight finish before the next requests
    expect(page.locator("#patrol-teams > li")).to_have_count(2)
    csv = page.context.request.get(live_server_url + page.locator("#patrol-csv").get_attribute("href"))
    assert csv.ok and csv.headers["content-type"].startswith("text/csv") and "team" in csv.text().splitlines()[0]
    assert page.locator("#patrol-print").get_attribute("href").endswith("format=html")
    page.reload()
    _ready(page)
    expect(page.locator(f"#patrol-plan option[value='{plan_id}']")).to_have_count(1)
    expect(page.locator(f"#patrol-plan option[value='{plan_id}']")).to_contain_text("2")


def test_vehicle_assessment_run_from_the_page(page: Page, live_server_url: str) -> None:
    page.goto(live_server_url + "/#")
    page.reload()
    _ready(page)
    page.locator("#vehicle-run").click()
    expect(page.locator("#vehicle-run-progress")).to_be_visible()
    expect(page.locator("#vehicle-run-result")).to_contain_text("sites assessed", timeout=60_000)
    expect(page.locator("#vehicle-run-progress")).to_be_hidden()


def test_vehicle_barrier_recorded_with_its_certified_rating(page: Page, live_server_url: str) -> None:
    site = _stadium(page, live_server_url)
    before = page_api(page, live_server_url, "GET", f"/sites/{site['id']}/measures?limit=100")["items"]
    page.goto(f"{live_server_url}/#region={site['region_id']}&site={site['id']}")
    page.reload()
    _ready(page)
    section = page.locator("#panel .barrier-section")
    section.locator("summary").click()
    section.locator("[data-field='standard'] select").select_option("IWA 14-1")
    section.locator("[data-field='rating'] input").fill("   ")
    section.locator(".barrier-save").click()
    expect(section.locator("[data-field='rating'] .field-error")).to_contain_text("certified rating text")
    section.locator("[data-field='rating'] input").fill("V/7200[N2A]/48/90:4.5")
    section.locator(".barrier-save").click()
    page.reload()
    _ready(page)
    section = page.locator("#panel .barrier-section")
    section.locator("summary").click()
    expect(section.locator(".barrier-current")).to_have_text("Recorded: IWA 14-1 V/7200[N2A]/48/90:4.5")
    if not any(m["kind"] == "hvm_barrier" for m in before):
        page_api(page, live_server_url, "DELETE", f"/sites/{site['id']}/measures/hvm_barrier")
