"""Browser benchmark: Andorra's first map render, this tree's page and server against an earlier commit's, in the
same run (the machine's load hits both alike).

The baseline commit's src/ is exported with `git archive` (default: the last commit before the first-render work of
issue 14, 4bff084); the map library is copied from this tree (it is vendored, not committed). Both are served by
their own `uvicorn` process on one copy each of the same database (Andorra imported, one coordinator; built with
scripts/web_live.py, or --db). Headless Chromium (/usr/bin/chromium) then opens each page --runs times, alternating
which goes first, each in a fresh browser context (nothing cached in the browser), timing navigation →
`body[data-map-drawn]` (roads, boundary and site markers drawn); `identical`: both pages drew the same (the site
count line and the roads canvas). One warm-up navigation per server is left out
(the new server builds Andorra's road map once there, regions/roadmap.py).

    PYTHONPATH=src /work/main/.venv/bin/python bench/web_first_render_ab.py [--runs 8] [--baseline-commit SHA]

Last stdout line: one JSON object (baseline_s and ours_s = median first render, ratio, each run's times).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.web_live import ANDORRA  # noqa: E402
from scripts.web_live import LOGIN  # noqa: E402
from scripts.web_live import PASSWORD  # noqa: E402
from scripts.web_live import live_server  # noqa: E402

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
SERVE = ("import uvicorn; from bastion.kernel.settings import Settings; from bastion.platform.app import create_app; "
         "uvicorn.run(create_app(Settings()), host='127.0.0.1', port={port}, log_level='warning')")


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(src: Path, folder: Path, db: Path) -> tuple[subprocess.Popen[bytes], str]:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(db, folder / "bastion.db")
    port = _port()
    env = {**os.environ, "PYTHONPATH": str(src), "BASTION_DATA_DIR": str(folder),
           "BASTION_DATABASE_URL": f"sqlite:///{folder / 'bastion.db'}", "BASTION_SECRET_KEY": "x" * 48,
           "BASTION_JOB_WORKERS": "0", "BASTION_ROUTING_CACHE_DIR": str(folder / "cache")}
    proc = subprocess.Popen([sys.executable, "-c", SERVE.format(port=port)], env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            urllib.request.urlopen(url + "/api/v1/health", timeout=2)  # noqa: S310 (our own server)
            return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server from {src} did not start") from None
            time.sleep(0.5)


def _first_render(browser, url: str) -> tuple[float, str]:  # type: ignore[no-untyped-def]
    """Navigation → map drawn, s; and what the page drew (site count line, road pieces) to compare the two."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.request.post(f"{url}/api/v1/auth/login", data={"login": LOGIN, "password": PASSWORD, "mode": "cookie"})
    ctx.add_init_script("localStorage.setItem('bastion.region', '1');")
    page = ctx.new_page()
    page.set_default_timeout(120_000)
    t0 = time.perf_counter()
    page.goto(url + "/")
    page.wait_for_selector("body[data-map-drawn='1']", state="attached")
    t = time.perf_counter() - t0
    drawn = page.evaluate("() => document.getElementById('results-count').textContent + ' | ' + "
                          "document.querySelectorAll('#map .leaflet-roads-pane canvas').length")
    ctx.close()
    return t, drawn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--baseline-commit", default="4bff084")
    ap.add_argument("--db", type=Path, help="a SQLite database with Andorra as region 1 and the web_live account")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="bastion-ab-") as tmp:
        root = Path(tmp)
        old = root / "baseline"
        old.mkdir()
        archive = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline_commit, "src"],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(old)], input=archive, check=True)
        vendor = Path("src/bastion/platform/web/static/vendor")
        shutil.copytree(REPO / vendor, old / vendor, dirs_exist_ok=True)
        db = args.db
        if db is None:
            db = root / "andorra" / "bastion.db"
            db.parent.mkdir()
            with live_server([("Andorra", ANDORRA, None)], data_dir=db.parent, db_path=db):
                pass
        servers = {"baseline": _serve(old / "src", root / "run-baseline", db),
                   "ours": _serve(REPO / "src", root / "run-ours", db)}
        times: dict[str, list[float]] = {k: [] for k in servers}
        drawn: set[str] = set()
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                for i in range(args.runs + 1):
                    for name in (["baseline", "ours"] if i % 2 else ["ours", "baseline"]):
                        t, what = _first_render(browser, servers[name][1])
                        drawn.add(what)
                        if i:
                            times[name].append(t)
                    if i:
                        print(f"run {i}: baseline {times['baseline'][-1]:.3f} s, ours {times['ours'][-1]:.3f} s",
                              flush=True)
                browser.close()
        finally:
            for proc, _ in servers.values():
                proc.terminate()
                proc.wait(timeout=30)
    base, ours = statistics.median(times["baseline"]), statistics.median(times["ours"])
    print(json.dumps({"benchmark": "web_first_render_ab", "region": "Andorra",
                      "baseline": f"the page and server at {args.baseline_commit}",
                      "baseline_s": round(base, 3), "ours_s": round(ours, 3), "ratio": round(base / ours, 2),
                      "identical": len(drawn) == 1, "drawn": sorted(drawn), "goal_s": 1.5,
                      "runs_s": {k: [round(x, 3) for x in v] for k, v in times.items()}}))


if __name__ == "__main__":
    main()
