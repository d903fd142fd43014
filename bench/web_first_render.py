"""Browser benchmark: the map page's first render, and drawing a Porto-sized road network without freezing it.

A throw-away server (scripts/web_live.py) with Andorra and Porto (roads only: 148k directed edges) imported on a
fresh SQLite database; headless Chromium (/usr/bin/chromium) through Playwright.

- first render: from navigation to the page's `data-ready` (sites, roads and boundary drawn) for each region,
  with the longest main-thread task seen meanwhile (PerformanceObserver "longtask": how long the page froze);
- first render: from navigation to `data-map-drawn` (roads, boundary and site markers drawn) and to `data-ready`
  (every domain's sidebar section loaded too), with the longest main-thread task (how long the page froze);
  `first_render_s` is the median over the first navigation and --repeats more, each in a fresh browser context
  (nothing cached in the browser); `first_render_cold_server_s` is the first alone (the server's first request);
- roads: the region's /roads GeoJSON drawn in the page by ours (static/roads.js: one sliced canvas layer), by
  Leaflet's default SVG renderer (baseline) and by Leaflet's canvas renderer (what the page used before), each
  timed until drawn, with its longest main-thread task; `identical` = all drew the same number of road pieces.

    PYTHONPATH=src /work/main/.venv/bin/python bench/web_first_render.py [--keep-db DIR]

Last stdout line: one JSON object (baseline_s, ours_s, ratio, identical and the per-region figures).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scripts.web_live import ANDORRA  # noqa: E402
from scripts.web_live import live_server  # noqa: E402

PORTO = next((p for p in (REPO / "data" / "osm" / "porto-roads.osm.pbf",
                          *(d / "shared" / "data" / "osm" / "porto-roads.osm.pbf" for d in REPO.parents[:3]))
              if p.exists()), None)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]

DRAW_JS = """async ([url, how]) => {
  const fc = await (await fetch(url)).json();
  const box = document.createElement('div');
  box.style.cssText = 'position:fixed;left:0;top:0;width:1280px;height:800px;z-index:99999';
  document.body.append(box);
  const m = L.map(box, {zoomControl: false});
  m.createPane('roads');
  const xs = [], ys = [];
  for (const f of fc.features) for (const c of f.geometry.coordinates) { xs.push(c[0]); ys.push(c[1]); }
  m.fitBounds([[Math.min(...ys.slice(0, 50000)), Math.min(...xs.slice(0, 50000))],
               [Math.max(...ys.slice(0, 50000)), Math.max(...xs.slice(0, 50000))]]);
  let longest = 0;
  const obs = new PerformanceObserver((l) => {
    for (const e of l.getEntries()) longest = Math.max(longest, e.duration);
  });
  obs.observe({entryTypes: ['longtask']});
  const t0 = performance.now();
  let n;
  if (how === 'ours') {
    const { createRoadLayer } = await import('/static/roads.js');
    const layer = createRoadLayer(fc, () => [3, 1.6, '#ffffff'], { pane: 'roads' }).addTo(m);
    await layer.drawn();
    n = layer.featureCount;
  } else {
    const drawn = L.geoJSON(fc, {renderer: how === 'svg' ? L.svg() : L.canvas({padding: 0.3}),
                                 interactive: false, style: {color: '#888', weight: 2}}).addTo(m);
    n = drawn.getLayers().length;
  }
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const t = (performance.now() - t0) / 1000;
  await new Promise((r) => setTimeout(r, 50));
  obs.disconnect();
  m.remove(); box.remove();
  return [t, n, longest / 1000];
}"""


def navigate(browser, url: str, login: str, password: str, region_id: int) -> float:
    """One more first render in a fresh browser context (nothing cached): navigation → map drawn, s."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.request.post(f"{url}/api/v1/auth/login", data={"login": login, "password": password, "mode": "cookie"})
    ctx.add_init_script(f"localStorage.setItem('bastion.region', '{region_id}');")
    page = ctx.new_page()
    page.set_default_timeout(300_000)
    t0 = time.perf_counter()
    page.goto(f"{url}/")
    page.wait_for_selector(f"body[data-map-drawn='{region_id}']", state="attached")
    t = time.perf_counter() - t0
    ctx.close()
    return t


def first_render(browser, url: str, login: str, password: str, region_id: int, repeats: int) -> dict[str, float]:
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.request.post(f"{url}/api/v1/auth/login", data={"login": login, "password": password, "mode": "cookie"})
    ctx.add_init_script(f"localStorage.setItem('bastion.region', '{region_id}');"
                        "window.__long = 0; new PerformanceObserver((l) => { for (const e of l.getEntries()) "
                        "window.__long = Math.max(window.__long, e.duration); }).observe({entryTypes: ['longtask']});")
    page = ctx.new_page()
    page.set_default_timeout(300_000)
    t0 = time.perf_counter()
    page.goto(f"{url}/")
    page.wait_for_selector(f"body[data-map-drawn='{region_id}']", state="attached")
    first = time.perf_counter() - t0
    page.wait_for_selector("body[data-ready='true']", state="attached")
    ready = time.perf_counter() - t0
    longest = page.evaluate("window.__long") / 1000
    roads = f"{url}/api/v1/regions/{region_id}/roads"
    ours = page.evaluate(DRAW_JS, [roads, "ours"])
    base = page.evaluate(DRAW_JS, [roads, "svg"])
    canvas = page.evaluate(DRAW_JS, [roads, "canvas"])
    ctx.close()
    # the first navigation is also the server's first request for the region (after an import it builds the road
    # map once, regions/roadmap.py); the next ones are what every user meets: their median is the figure
    again = [navigate(browser, url, login, password, region_id) for _ in range(repeats)]
    return {"first_render_s": round(statistics.median([first, *again]), 3),
            "first_render_cold_server_s": round(first, 3),
            "first_render_runs_s": [round(x, 3) for x in (first, *again)], "all_panels_ready_s": round(ready, 3),
            "longest_task_s": round(longest, 3), "roads": ours[1],
            "roads_ours_s": round(ours[0], 3), "roads_ours_longest_task_s": round(ours[2], 3),
            "roads_svg_s": round(base[0], 3), "roads_svg_longest_task_s": round(base[2], 3),
            "roads_leaflet_canvas_s": round(canvas[0], 3), "roads_leaflet_canvas_longest_task_s": round(canvas[2], 3),
            "identical": ours[1] == base[1] == canvas[1]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--keep-db", type=Path, help="keep the imported database in this folder for re-runs")
    ap.add_argument("--repeats", type=int, default=4, help="more first renders per region (fresh contexts)")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    extracts = [("Andorra", ANDORRA, None)] + ([("Porto", PORTO, None)] if PORTO else [])
    db = args.keep_db / "bench.db" if args.keep_db else None
    if args.keep_db:
        args.keep_db.mkdir(parents=True, exist_ok=True)
    t = time.perf_counter()
    with live_server(extracts, data_dir=args.keep_db, db_path=db) as (url, login, password):
        names = ", ".join(n for n, _, _ in extracts)
        print(f"server with {names} ready in {time.perf_counter() - t:.1f} s", flush=True)
        out: dict[str, dict[str, float]] = {}
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            for rid, (name, _, _) in enumerate(extracts, start=1):
                out[name] = first_render(browser, url, login, password, rid, args.repeats)
                print(name, out[name], flush=True)
            browser.close()
    base = sum(r["roads_svg_s"] for r in out.values())
    ours = sum(r["roads_ours_s"] for r in out.values())
    print(json.dumps({"benchmark": "web_first_render", "baseline": "Leaflet default SVG renderer",
                      "baseline_s": round(base, 3), "ours_s": round(ours, 3),
                      "ratio": round(base / ours, 2) if ours else None,
                      "identical": all(r["identical"] for r in out.values()),
                      "goal_andorra_first_render_s": 1.5, **{k.lower(): v for k, v in out.items()}}))


if __name__ == "__main__":
    main()
