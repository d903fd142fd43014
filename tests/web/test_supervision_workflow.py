"""Inspection and task board in the page, as an inspector and a coordinator use them, in Simplified Chinese:
start an inspection from the site panel, answer the checklist, reload (answers kept), complete it with a refused
then a valid deadline, then move its tasks on the board with a bulk update; reload, still moved."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser
from playwright.sync_api import expect

from tests.web.conftest import sign_in
from tests.web.test_map_page import TIMEOUT_MS
from tests.web.test_map_page import ZH

pytestmark = pytest.mark.web

SITE = "Chapiteau de Fontvieille"


@pytest.mark.slow
def test_inspection_then_task_board_bulk_update_in_chinese(browser: Browser, live_server_url: str) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    sign_in(context, live_server_url)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server_url + "/?lang=zh-CN")
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.fill("#search", SITE)
    page.locator("#results-list button.result", has_text=SITE).first.click()
    section = page.locator("#panel .inspection-section")
    section.locator("summary").click()
    expect(section.locator("summary")).to_have_text(ZH["supervision.inspection"])
    section.locator(".inspection-start-button").click()
    items = section.locator(".checklist > li")
    expect(items.first).to_be_visible()
    n = items.count()
    assert n >= 2
    # the checklist's requirements and cited clauses are worded in Chinese by the server (not the stored English)
    assert all(re.search(r"[\u4e00-\u9fff]", x) for x in items.locator("legend").all_inner_texts())
    assert all(re.search(r"[\u4e00-\u9fff]", x) for x in items.locator(".clause").all_inner_texts())
    # the first item fails, the others as the site's records suggest it (or not applicable)
    items.nth(0).locator("input[value='fail']").check()
    for i in range(1, n):
        items.nth(i).locator("input[value='not_applicable']").check()
    section.locator(".answers-save").click()
    expect(section.locator(".inspection-progress")).to_have_text(
        ZH["supervision.progress"].format(done=n, total=n))
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    section = page.locator("#panel .inspection-section")
    section.locator("summary").click()
    expect(section.locator(".inspection-progress")).to_have_text(ZH["supervision.progress"].format(done=n, total=n))
    expect(section.locator(".checklist > li").first.locator("input[value='fail']")).to_be_checked()
    complete = section.locator(".inspection-complete")
    complete.locator("[data-field='owner_agency'] input").fill("Direction de la Sûreté Publique")
    complete.locator("[data-field='deadline_days'] input").fill("0")
    complete.locator("button[type='submit']").click()
    expect(complete.locator("[data-field='deadline_days'] .field-error")).to_have_text(
        ZH["form.range_whole"].format(min="1", max="3,650"))
    complete.locator("[data-field='deadline_days'] input").fill("14")
    complete.locator("button[type='submit']").click()
    expect(section.locator(".inspection-done")).to_contain_text("新建 1 项")

    page.locator("#tasks-open").click()
    board = page.locator("#task-board")
    expect(board.locator("h3")).to_have_text(ZH["supervision.task_board_region"].format(region="Monaco"))
    open_col = board.locator(".tb-column[data-status='open']")
    expect(open_col.locator(".tb-card")).to_have_count(1)
    assert re.search(r"[\u4e00-\u9fff]", open_col.locator(".tb-text").first.inner_text())  # the task, in Chinese
    board.locator("#tb-agency").select_option("Direction de la Sûreté Publique")
    board.locator(".tb-pick").first.check()
    board.locator("#tb-bulk-status").select_option("in_progress")
    board.locator("#tb-bulk-apply").click()
    expect(board.locator(".tb-column[data-status='in_progress'] .tb-card")).to_have_count(1)
    expect(open_col.locator(".tb-card")).to_have_count(0)
    board.locator("#tb-overdue").check()  # due in 14 days: not overdue
    expect(board.locator(".tb-card")).to_have_count(0)
    page.reload()
    page.wait_for_selector("body[data-ready='true']", state="attached")
    page.locator("#tasks-open").click()
    expect(page.locator("#task-board .tb-column[data-status='in_progress'] .tb-card")).to_have_count(1)
    assert errors == []
    context.close()
