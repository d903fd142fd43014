"""More workflows in the page as a user performs them (sign in, act, see the result, reload, still there):
- evidence notes on inspection answers (refused when they look like personal data, kept, shown in the site
  report), in English and in Simplified Chinese;
- response units edited (name/call sign, type, standard, speed profile) with the API's field errors and the
  stale-write message;
- a site's operating agency edited beside its capacity and notes;
- tables of the region's sites and vehicle approaches beside the map (sort, filter, CSV export, row ↔ map);
- the risk portfolio in the risk workspace (risk by category and rating with totals, a budget portfolio whose
  allocations select their sites), in both languages.
axe-core finds no serious or critical violation on each new view. One signed-in page for the English tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import Locator
from playwright.sync_api import Page
from playwright.sync_api import expect

from tests.conftest import WEB_ADMIN_LOGIN
from tests.web.conftest import api_call
from tests.web.conftest import api_token
from tests.web.conftest import page_api
from tests.web.conftest import run_job
from tests.web.conftest import sign_in
from tests.web.test_accessibility import AXE
from tests.web.test_accessibility import axe_serious
from tests.web.test_map_page import EN
from tests.web.test_map_page import TIMEOUT_MS
from tests.web.test_map_page import ZH

pytestmark = pytest.mark.web

PHONE_NOTE = "Steward on duty: call +33 6 12 34 56 78"
NOTE_EN = "North gate: 2 of 6 bollards missing since the roadworks (gap 3.5 m)."
NOTE_ZH = "北门：6 根防撞柱缺 2 根，缺口约 3.5 米。"


def _new_page(browser: Browser, base: str, locale: str) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    sign_in(context, base)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.errors = errors  # type: ignore[attr-defined]
    return pg


def _no_serious_axe(page: Page) -> None:
    """axe-core finds no serious or critical WCAG 2.1 AA violation on the view as it is (when axe is vendored)."""
    if AXE.exists():
        assert axe_serious(page) == []


def _ready(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector("body[data-ready='true']", state="attached")


@pytest.fixture(scope="module")
def page(browser: Browser, live_server_url: str) -> Iterator[Page]:
    pg = _new_page(browser, live_server_url, "en-GB")
    _ready(pg, live_server_url + "/")
    yield pg
    assert pg.errors == []  # type: ignore[attr-defined]
    pg.context.close()


def _open_site(page: Page, name: str) -> None:
    page.fill("#search", name)
    page.locator("#results-list button.result", has_text=name).first.click()
    expect(page.locator("#panel-title")).to_have_text(re.compile(re.escape(name)))


def _inspection(page: Page) -> Locator:
    section = page.locator("#panel .inspection-section")
    section.locator("summary").click()
    return section


def _evidence_workflow(page: Page, base: str, site: str, words: dict[str, str], note: str, lang: str) -> None:
    _open_site(page, site)
    section = _inspection(page)
    section.locator(".inspection-start-button").click()
    first = section.locator(".checklist > li").first
    expect(first.locator("textarea.evidence-note")).to_be_visible()
    item_id = first.get_attribute("data-item-id")
    note_box = section.locator(f"[data-field='notes.{item_id}']")
    expect(note_box.locator("label")).to_have_text(words["supervision.evidence_note"])
    first.locator("input[value='fail']").check()
    note_box.locator("textarea").fill(PHONE_NOTE)
    section.locator(".answers-save").click()
    expect(note_box.locator(".field-error")).to_contain_text("personal data (a phone number)")
    expect(note_box.locator("textarea")).to_have_attribute("aria-invalid", "true")
    _no_serious_axe(page)
    n = section.locator(".checklist > li").count()
    expect(section.locator(".inspection-progress")).to_have_text(words["supervision.progress"].format(done=0, total=n))
    note_box.locator("textarea").fill(note)
    section.locator(".answers-save").click()
    expect(section.locator(".inspection-progress")).to_have_text(words["supervision.progress"].format(done=1, total=n))
    expect(section.locator(f"[data-field='notes.{item_id}'] .field-error")).to_be_hidden()
    expect(section.locator(".checklist > li").first.locator("input[value='fail']")).to_be_checked()

    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    expect(page.locator("#panel-title")).to_have_text(re.compile(re.escape(site)))
    section = _inspection(page)
    kept = section.locator(f"[data-field='notes.{item_id}'] textarea")
    expect(kept).to_have_value(note)
    expect(section.locator(".checklist > li").first.locator("input[value='fail']")).to_be_checked()

    link = page.locator("#panel .site-report-link")
    expect(link).to_have_attribute("href", re.compile(rf"/report\?lang={re.escape(lang)}$"))
    with page.context.expect_page() as opened:
        link.click()
    report = opened.value
    report.wait_for_load_state()
    heading = report.locator("#latest-inspection")
    expect(heading).to_have_text(words["supervision.report.heading"])
    expect(report.locator("table.inspection-items")).to_contain_text(note)
    expect(report.locator("table.inspection-items")).to_contain_text(words["supervision.answer.fail"])
    _no_serious_axe(report)
    report.close()


def test_evidence_note_refused_when_personal_then_kept_and_in_the_site_report(page: Page, live_server_url: str
                                                                              ) -> None:
    _evidence_workflow(page, live_server_url, "Musée Océanographique", EN, NOTE_EN, "en")


@pytest.mark.slow
def test_evidence_note_in_chinese(browser: Browser, live_server_url: str) -> None:
    pg = _new_page(browser, live_server_url, "zh-CN")
    _ready(pg, live_server_url + "/?lang=zh-CN")
    _evidence_workflow(pg, live_server_url, "Auditorium Rainier III", ZH, NOTE_ZH, "zh-CN")
    assert pg.errors == []  # type: ignore[attr-defined]
    pg.context.close()


def _units_box(page: Page, base: str, region_id: int) -> Locator:
    page.goto(f"{base}/#region={region_id}&layers=coverage&view=43.73500,7.42000,16")
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.locator("#coverage details.cov-units-box summary").click()
    return page.locator("#cov-units")


@pytest.mark.slow
def test_unit_edited_in_the_page_with_field_errors_and_the_stale_write_message(page: Page, live_server_url: str
                                                                              ) -> None:
    base = live_server_url
    region = page_api(page, base, "GET", "/regions")["items"][0]
    unit = page_api(page, base, "POST", f"/regions/{region['id']}/units",
                {"name": "Echo 7", "unit_type": "foot_post", "lon": 7.4200, "lat": 43.7350})
    try:
        units = _units_box(page, base, region["id"])
        row = units.locator("li", has_text="Echo 7")
        expect(row.locator(".unit-meta")).to_have_text("foot patrol post · 1 min")  # the type's default standard
        row.locator("button.unit-edit-open").click()
        form = row.locator("form.unit-edit")
        form.locator("[data-field='name'] input").fill("   ")
        form.locator(".unit-edit-save").click()
        expect(form.locator("[data-field='name'] .field-error")).to_contain_text("name must be 1 to 200 characters")
        form.locator("[data-field='name'] input").fill("Echo 7-1")
        form.locator("[data-field='unit_type'] select").select_option("patrol_car")
        form.locator("[data-field='standard_s'] select").select_option("300")
        form.locator("[data-field='speed_profile'] select").select_option("patrol_car")
        form.locator(".unit-edit-save").click()
        row = units.locator("li", has_text="Echo 7-1")
        expect(row.locator(".unit-meta")).to_have_text("patrol car · 5 min")
        stored = page_api(page, base, "GET", f"/regions/{region['id']}/units?limit=100")["items"]
        got = next(u for u in stored if u["id"] == unit["id"])
        assert (got["name"], got["unit_type"], got["standard_s"], got["speed_profile"], got["version"]) == (
            "Echo 7-1", "patrol_car", 300, "patrol_car", unit["version"] + 1)

        units = _units_box(page, base, region["id"])  # reload: still there
        row = units.locator("li", has_text="Echo 7-1")
        expect(row.locator(".unit-meta")).to_have_text("patrol car · 5 min")
        row.locator("button.unit-edit-open").click()
        # someone else renames it meanwhile; this page's save is refused, nothing overwritten
        page_api(page, base, "PATCH", f"/units/{unit['id']}", {"name": "Echo 7-2", "version": got["version"]})
        form = row.locator("form.unit-edit")
        form.locator("[data-field='standard_s'] select").select_option("60")
        form.locator(".unit-edit-save").click()
        expect(form.locator(".form-alert")).to_have_text(EN["form.conflict"])
        stored = page_api(page, base, "GET", f"/regions/{region['id']}/units?limit=100")["items"]
        got = next(u for u in stored if u["id"] == unit["id"])
        assert (got["name"], got["standard_s"]) == ("Echo 7-2", 300)
        _no_serious_axe(page)
    finally:
        page_api(page, base, "DELETE", f"/units/{unit['id']}")


def test_site_operator_set_in_the_edit_form_refused_when_unknown_and_kept(page: Page, live_server_url: str) -> None:
    base = live_server_url
    agency = "Société des Bains de Mer security"
    api_call(f"{base}/api/v1/agencies", api_token(base, WEB_ADMIN_LOGIN), {"name": agency, "kind": "venue_operator"})
    region = page_api(page, base, "GET", "/regions")["items"][0]
    site = next(x for x in page_api(page, base, "GET", f"/sites?region_id={region['id']}&q=Casino&limit=50")["items"]
                if x["name"] == "Casino de Monte Carlo")
    page.goto(f"{base}/#region={region['id']}&site={site['id']}")
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    panel = page.locator("#panel")
    panel.locator(".site-edit-section summary").click()
    form = panel.locator("form.site-edit")
    expect(form.locator("[data-field='operator_agency'] label")).to_have_text(EN["sites.operator"])
    form.locator(".site-operator-input").fill("Bains de Mer")  # not the exact name
    form.locator(".site-notes-input").fill("Gala nights: side door closed")
    form.locator(".site-save").click()
    expect(form.locator("[data-field='operator_agency'] .field-error")).to_contain_text(
        "there is no agency named 'Bains de Mer'")
    form.locator(".site-operator-input").fill(agency)
    form.locator(".site-save").click()
    expect(panel.locator(".notes")).to_have_text("Gala nights: side door closed")  # saved, panel redrawn
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    panel.locator(".site-edit-section summary").click()
    expect(panel.locator(".site-operator-input")).to_have_value(agency)
    stored = page_api(page, base, "GET", f"/sites/{site['id']}")
    assert (stored["operator_agency"], stored["notes"]) == (agency, "Gala nights: side door closed")
    _no_serious_axe(page)
    page_api(page, base, "PATCH", f"/sites/{site['id']}", {"operator_agency": None, "notes": None})


def _ready_at(page: Page, url: str) -> None:
    page.goto(url)
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")


def _csv(download: Any) -> list[str]:
    with open(download.path(), encoding="utf-8-sig") as f:
        return f.read().splitlines()


@pytest.mark.slow
def test_sites_and_approaches_tables_sort_filter_export_and_select_on_the_map(page: Page, live_server_url: str
                                                                               ) -> None:
    base = live_server_url
    region = page_api(page, base, "GET", "/regions")["items"][0]
    rid = region["id"]
    sites = page_api(page, base, "GET", f"/sites?region_id={rid}&limit=5000")["items"]
    stade = next(x for x in sites if x["name"] == "Stade Louis-II")
    run_job(base, f"/api/v1/regions/{rid}/vehicle-assessments", {"vehicles": ["car"], "site_ids": [stade["id"]]},
            api_token(base))
    layer = page_api(page, base, "GET", f"/regions/{rid}/vehicle.geojson?vehicle=car")
    approaches = [f["properties"] for f in layer["features"] if f["properties"]["feature"] == "approach"]
    stade_approaches = [a for a in approaches if a["site_id"] == stade["id"]]
    assert stade_approaches
    _ready_at(page, f"{base}/#region={rid}")

    # sites: every site of the region; sorted by capacity, largest first; filtered; a row opens its site
    page.locator("#sites-workspace-open").click()
    table = page.locator("#sites-table")
    expect(table.locator("tbody tr")).to_have_count(len(sites))
    table.locator("th button[data-sort='capacity']").click()
    table.locator("th button[data-sort='capacity']").click()
    expect(table.locator("th[aria-sort='descending']")).to_have_count(1)
    biggest = max(sites, key=lambda x: x["capacity"] if x["capacity"] is not None else -1)
    expect(table.locator("tbody tr").first).to_have_attribute("data-row-id", str(biggest["id"]))
    page.fill("#sites-table-filter", "Stade Louis")
    expect(table.locator("tbody tr")).to_have_count(
        sum(1 for x in sites if "stade louis" in (x["name"] or "").lower()))
    with page.expect_download() as dl:
        page.locator("#sites-table-export").click()
    lines = _csv(dl.value)
    assert lines[0] == "Name,Category,Type,Capacity (people),Operator"
    assert any(line.startswith("Stade Louis-II,") for line in lines[1:]) and len(lines) == 1 + table.locator(
        "tbody tr").count()
    table.locator(f"tbody tr[data-row-id='{stade['id']}']").click()
    expect(page.locator("#panel-title")).to_have_text("Stade Louis-II")
    expect(table.locator(f"tbody tr[data-row-id='{stade['id']}']")).to_have_attribute("aria-selected", "true")
    _no_serious_axe(page)
    page.locator("#sites-workspace").press("Escape")
    expect(page.locator("#sites-workspace")).to_be_hidden()

    # approaches: the stadium is selected, so its approaches are marked; sorted by impact speed; a row selects
    page.locator("#approaches-workspace-open").click()
    rows = page.locator("#approaches-table tbody tr")
    expect(rows).to_have_count(len(approaches))
    expect(page.locator("#approaches-table tbody tr[aria-selected='true']")).to_have_count(len(stade_approaches))
    page.locator("#approaches-table th button[data-sort='speed']").click()
    page.locator("#approaches-table th button[data-sort='speed']").click()
    fastest = max(approaches, key=lambda a: a["impact_speed_kph"])
    expect(rows.first).to_have_attribute("data-select-id", str(fastest["site_id"]))
    page.fill("#approaches-table-filter", "Stade Louis-II")
    expect(rows).to_have_count(len(stade_approaches))
    with page.expect_download() as dl:
        page.locator("#approaches-table-export").click()
    lines = _csv(dl.value)
    assert lines[0].startswith("Site,Approach,Impact speed (km/h),Energy (kJ),Run-up (m)")
    assert len(lines) == 1 + len(stade_approaches)
    page.fill("#approaches-table-filter", "")
    other = next((a for a in approaches if a["site_id"] != stade["id"]), None)
    if other is not None:  # another site's approach (assessed by an earlier test) selects that site
        page.locator(f"#approaches-table tbody tr[data-select-id='{other['site_id']}']").first.click()
        expect(page.locator("#panel-title")).to_have_text(other["site_name"])
        expect(page.locator("#approaches-table tbody tr[aria-selected='true']")).to_have_count(
            sum(1 for a in approaches if a["site_id"] == other["site_id"]))
    _no_serious_axe(page)
    page.reload()  # the stored assessment is still there
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.locator("#approaches-workspace-open").click()
    expect(page.locator("#approaches-table tbody tr")).to_have_count(len(approaches))
    page.locator("#approaches-workspace").press("Escape")


def _portfolio_workflow(page: Page, base: str, words: dict[str, str]) -> None:
    region = page_api(page, base, "GET", "/regions")["items"][0]
    ranking = page_api(page, base, "GET", f"/regions/{region['id']}/risk")["ranking"]
    expected = page_api(page, base, "POST", f"/regions/{region['id']}/portfolio",
                        {"budget": 200000, "max_candidates": 4})
    funded = expected["exact"]["allocations"]
    assert funded and expected["exact"]["total_cost_eur"] <= 200000
    page.locator("#risk-open").click()
    ws = page.locator("#risk-workspace")
    pf = ws.locator("section.portfolio")
    expect(pf.locator("#portfolio-heading")).to_have_text(words["riskws.pf_heading"])
    by_cat = pf.locator("table.portfolio-breakdown").first
    expect(by_cat.locator("caption")).to_have_text(words["riskws.pf_by_category"])
    expect(by_cat.locator("tbody tr")).to_have_count(len({r["category"] for r in ranking}))
    top_cat = max({r["category"] for r in ranking},
                  key=lambda c: sum(r["total_risk"] for r in ranking if r["category"] == c))
    expect(by_cat.locator("tbody tr").first).to_have_attribute("data-key", top_cat)
    total = sum(r["total_risk"] for r in ranking)
    expect(by_cat.locator("tfoot td").nth(0)).to_have_text(f"{len(ranking):,}")
    expect(by_cat.locator(".pf-total-risk")).to_have_text(f"{total:,.1f}".rstrip("0").rstrip("."))
    form = pf.locator("#portfolio-form")
    form.locator(".pf-budget").fill("-5")
    form.locator(".pf-run").click()
    expect(form.locator("[data-field='budget'] .field-error")).to_have_text(
        words["form.range_whole"].format(min="0", max="1,000,000,000,000"))
    form.locator(".pf-budget").fill("200000")
    form.locator(".pf-run").click()
    expect(pf.locator("#portfolio-allocations tbody tr")).to_have_count(len(funded))
    expect(pf.locator(".pf-status")).to_contain_text(words["dash.solver.optimal"])
    first = max(funded, key=lambda a: a["risk_reduction"])
    pf.locator("#portfolio-allocations th button[data-sort='reduction']").click()
    pf.locator("#portfolio-allocations th button[data-sort='reduction']").click()
    row = pf.locator("#portfolio-allocations tbody tr").first
    expect(row).to_have_attribute("data-row-id", str(first["site_id"]))
    row.click()
    expect(page.locator("#panel-title")).to_have_text(first["name"])
    expect(row).to_have_attribute("aria-selected", "true")
    _no_serious_axe(page)
    page.reload()  # the breakdown is the region's stored risk: there again after a reload
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.locator("#risk-open").click()
    expect(page.locator("#risk-workspace .pf-total-risk").first).to_have_text(f"{total:,.1f}".rstrip("0").rstrip("."))
    page.locator("#risk-workspace").press("Escape")


@pytest.mark.slow
def test_risk_portfolio_breakdown_and_budget_plan_select_sites(page: Page, live_server_url: str) -> None:
    _ready_at(page, live_server_url + "/#")
    _portfolio_workflow(page, live_server_url, EN)


@pytest.mark.slow
def test_risk_portfolio_in_chinese(browser: Browser, live_server_url: str) -> None:
    pg = _new_page(browser, live_server_url, "zh-CN")
    _ready(pg, live_server_url + "/?lang=zh-CN")
    _portfolio_workflow(pg, live_server_url, ZH)
    assert pg.errors == []  # type: ignore[attr-defined]
    pg.context.close()
