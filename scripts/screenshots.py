"""Screenshots of each view of the map page in English and Simplified Chinese, for docs/screenshots/ (referenced
from the README). Runs a throw-away server with Monaco imported (scripts/web_live.py) and headless Chromium
(/usr/bin/chromium) through Playwright.

    PYTHONPATH=src /work/main/.venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.web_live import MONACO  # noqa: E402
from scripts.web_live import MONACO_BOUNDARY  # noqa: E402
from scripts.web_live import live_server  # noqa: E402

VIEWS = ("sign-in", "map", "site-panel", "dashboard", "phone")


def shoot(browser, url: str, login: str, password: str, lang: str, out: Path) -> list[Path]:
    made: list[Path] = []
    for view in VIEWS:
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
        if view in ("site-panel", "phone"):
            if phone:
                page.click("#filters-toggle")
            page.fill("#search", "Stade Louis-II")
            page.locator("#results-list button.result").first.click()
            page.wait_for_selector("#panel .risk-section")
        if view == "dashboard":
            page.click("#dashboard-toggle")
            page.wait_for_selector("body[data-dashboard='ready']", state="attached")
        page.wait_for_timeout(600)
        path = out / f"{view}-{lang}.png"
        page.screenshot(path=str(path))
        made.append(path)
        ctx.close()
    return made


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with live_server([("Monaco", MONACO, MONACO_BOUNDARY)]) as (url, login, password), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for lang in ("en", "zh-CN"):
            for p in shoot(browser, url, login, password, lang, args.out):
                print(p.relative_to(REPO) if p.is_relative_to(REPO) else p)
        browser.close()


if __name__ == "__main__":
    main()
