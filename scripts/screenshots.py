"""Screenshots of each view of the map page in English and Simplified Chinese, for docs/screenshots/ (referenced
from the README). Runs a throw-away server with Monaco imported (scripts/web_live.py) and headless Chromium
(/usr/bin/chromium) through Playwright.

    PYTHONPATH=src /work/main/.venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--only VIEW,...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.screenshot_data import NEEDS  # noqa: E402
from scripts.screenshot_data import Api  # noqa: E402
from scripts.web_live import MONACO  # noqa: E402
from scripts.web_live import MONACO_BOUNDARY  # noqa: E402
from scripts.web_live import live_server  # noqa: E402

VIEWS = ("sign-in", "map", "site-panel", "dashboard", "phone", "inspection", "sites-table", "risk-portfolio",
         "incidents", "incident-sitreps", "preparedness", "exercise-clock", "office-matrix", "office-duties",
         "office-campaigns", "office-scorecards", "office-settings", "posture", "warning", "patrol",
         "patrol-visits", "vehicle")


def _workspace(page, view: str) -> None:  # noqa: ANN001 - a Playwright page
    """The views opened from the sidebar or the site panel: an inspection with an evidence note, the sites table,
    the risk workspace with a budget portfolio."""
    if view == "inspection":
        section = page.locator("#panel .inspection-section")
        section.locator("summary").click()
        page.wait_for_selector("#panel .inspection-start-button, #panel .checklist")
        if section.locator(".inspection-start-button").count():  # none open yet (a kept data dir may have one)
            section.locator(".inspection-start-button").click()
        first = section.locator(".checklist > li").first
        first.locator("textarea.evidence-note").fill("North gate: 2 of 6 bollards missing (gap 3.5 m).")
        first.evaluate("li => li.scrollIntoView({block: 'start'})")
    elif view == "sites-table":
        page.click("#sites-workspace-open")
        page.wait_for_selector("#sites-table tbody tr")
        page.locator("#sites-table th button[data-sort='capacity']").click()
        page.locator("#sites-table th button[data-sort='capacity']").click()
    elif view == "risk-portfolio":
        page.click("#risk-open")
        page.wait_for_selector("#risk-workspace table.portfolio-breakdown")
        page.locator("#portfolio-form .pf-run").click()
        page.wait_for_selector("#portfolio-allocations tbody tr")
        page.locator("#risk-workspace section.portfolio").scroll_into_view_if_needed()


def _top(page, selector: str) -> None:  # noqa: ANN001 - a Playwright page
    """Scroll the sidebar so that `selector` sits at its top."""
    page.locator(selector).first.evaluate("e => e.scrollIntoView({block: 'start'})")


def _domain(page, view: str, api: Api) -> None:  # noqa: ANN001, C901, PLR0912 - one branch per view
    """The views of the newer domains, on the data `api` made for them."""
    if view in ("incidents", "incident-sitreps"):
        inc = api.ensure("incidents")
        page.locator(f"#incidents-board li[data-incident='{inc}'] button").click()
        page.wait_for_selector("#incidents-timeline li")
        page.wait_for_selector("#map path.cordon-outer", state="attached")
        _top(page, "#incidents-board" if view == "incidents" else "#incidents-sitreps")
    elif view in ("preparedness", "exercise-clock"):
        made = api.ensure("exercise")
        page.fill("#prep-site", str(made["site"]))
        page.click("#prep-load")
        page.wait_for_selector("#prep-plans li.prep-plan")
        page.fill("#prep-year", "2031")
        page.dispatch_event("#prep-year", "change")
        page.wait_for_selector(f"#prep-exercise option[value='{made['exercise']}']", state="attached")
        page.select_option("#prep-exercise", str(made["exercise"]))
        page.wait_for_selector("#prep-injects li")
        if view == "exercise-clock":
            start = page.locator("#prep-clock-start")
            page.wait_for_timeout(500)
            if start.is_visible() and start.is_enabled():  # the first language's run starts it; then it is paused
                page.select_option("#prep-clock-speed", "60")
                start.click()
                page.wait_for_selector("#prep-injects li.released >> nth=1", timeout=20_000)
                page.click("#prep-clock-pause")
            page.wait_for_selector("#prep-injects li.released >> nth=1")
            _top(page, "#prep-cal-heading")
        else:
            _top(page, "#prep-heading")
    elif view.startswith("office-"):
        if view in ("office-duties", "office-campaigns"):
            api.ensure("office")
        page.click(f"#{view}")
        page.wait_for_selector("#office-view > *")
        page.wait_for_timeout(800)
        _top(page, "#office-heading")
    elif view == "posture":
        page.select_option("#posture-scheme", "uk")
        page.select_option("#posture-level", "SEVERE")
        page.click("#posture-preview")
        page.wait_for_selector("#posture-preview-table")
        _top(page, "#posture-heading")
    elif view == "warning":
        api.ensure("warning")
        page.wait_for_selector("#warning-chart circle.warning-alert-marker", state="attached")
        _top(page, "#warning-heading")
    elif view in ("patrol", "patrol-visits"):
        made = api.ensure("patrol")
        page.wait_for_selector(f"#patrol-plan option[value='{made['plan']}']", state="attached")
        page.select_option("#patrol-plan", str(made["plan"]))
        page.wait_for_selector("#map path.patrol-route", state="attached")
        if view == "patrol-visits":
            page.locator(f"#results-list button.result[data-site-id='{made['site']}']").click()
            page.wait_for_selector("#panel .patrol-visits-section")
            page.locator("#panel .patrol-visits-section").scroll_into_view_if_needed()
        else:
            _top(page, "#patrol-heading")
    elif view == "vehicle":
        api.ensure("vehicle")
        page.locator("#layer-vehicle, input[data-layer='vehicle']").first.check()
        page.wait_for_selector("#map path.vehicle-approach", state="attached")
        page.fill("#search", "Place du Casino")
        page.locator("#results-list button.result", has_text="Place du Casino").first.click()
        page.wait_for_selector("#panel .vehicle-section .vehicle-table tbody tr")
        page.locator("#panel .vehicle-section").scroll_into_view_if_needed()


def shrink(path: Path) -> None:
    """Re-save a screenshot as a 256-colour PNG (about a third of the size; the page's flat colours survive)."""
    try:
        from PIL import Image
    except ImportError:  # Pillow comes with matplotlib; without it the shot stays full colour
        return
    with Image.open(path) as im:
        small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def shoot(browser, url: str, login: str, password: str, lang: str, out: Path,  # noqa: ANN001
          views: tuple[str, ...] = VIEWS, api: Api | None = None) -> list[Path]:
    made: list[Path] = []
    for view in views:
        phone = view == "phone"
        ctx = browser.new_context(viewport={"width": 390, "height": 844} if phone else {"width": 1280, "height": 800},
                                  device_scale_factor=1)
        if view != "sign-in":
            ctx.request.post(f"{url}/api/v1/auth/login", data={"login": login, "password": password, "mode": "cookie"})
        page = ctx.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{url}/?lang={lang}")
        if view == "sign-in":
            page.wait_for_selector("#login:not([hidden])")
        else:
            page.wait_for_selector("body[data-ready='true']", state="attached")
        if view in ("site-panel", "phone", "inspection"):
            if phone:
                page.click("#filters-toggle")
            page.fill("#search", "Stade Louis-II")
            page.locator("#results-list button.result", has_text="Stade Louis-II").first.click()
            page.wait_for_selector("#panel .risk-section")
        if view == "dashboard":
            page.click("#dashboard-toggle")
            page.wait_for_selector("body[data-dashboard='ready']", state="attached")
        _workspace(page, view)
        if view in VIEWS[8:]:
            _domain(page, view, api or Api(url, login, password))
        page.wait_for_timeout(600)
        path = out / f"{view}-{lang}.png"
        page.screenshot(path=str(path))
        shrink(path)
        made.append(path)
        ctx.close()
    return made


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    ap.add_argument("--only", default=",".join(VIEWS), help=f"comma-separated views of {', '.join(VIEWS)}")
    ap.add_argument("--lang", default="en,zh-CN", help="comma-separated languages of en, zh-CN")
    args = ap.parse_args()
    views = tuple(v for v in args.only.split(",") if v)
    unknown = sorted(set(views) - set(VIEWS))
    if unknown:
        ap.error(f"--only: unknown views {unknown}; use some of {', '.join(VIEWS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with live_server([("Monaco", MONACO, MONACO_BOUNDARY)]) as (url, login, password), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        api = Api(url, login, password)
        for view in views:  # the data first: a view shot before another view's data exists would differ by language
            if view in NEEDS:
                api.ensure(NEEDS[view])
        for lang in [x for x in args.lang.split(",") if x in ("en", "zh-CN")]:
            for p in shoot(browser, url, login, password, lang, args.out, views, api):
                print(p.relative_to(REPO) if p.is_relative_to(REPO) else p)
        browser.close()


if __name__ == "__main__":
    main()
