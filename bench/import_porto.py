"""Benchmark: importing the Porto metropolitan road extract vs a bare pyosmium pass, with peak memory.

Each measurement runs in its own fresh Python process, so that its RSS high-water mark (resource.getrusage
ru_maxrss, read in that process at the end) is its own:
- baseline: a pyosmium SimpleHandler that only counts nodes, ways and relations (the floor for reading the file);
- ours: `import_osm` into a fresh SQLite file (schema created before the clock starts): read, build the network,
  write sites, roads (63.6k nodes, 148k directed edges with geometries), barriers; one transaction.
Goal: peak memory < 1 GB (1024 MiB). `ratio` = baseline_s / ours_s as every bench; `slowdown` = ours / bare.
Best of --repeats runs of each (a shared machine); the peak is the largest over the runs.

Run: PYTHONPATH=src python bench/import_porto.py [--repeats 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

from porto import REPO
from porto import porto_pbf

CHILD = r"""
import json, resource, sys, tempfile, time
mode, path = sys.argv[1], sys.argv[2]
if mode == "bare":
    import osmium

    class Counter(osmium.SimpleHandler):
        def __init__(self):
            super().__init__()
            self.n = [0, 0, 0]

        def node(self, _o):
            self.n[0] += 1

        def way(self, _o):
            self.n[1] += 1

        def relation(self, _o):
            self.n[2] += 1

    t0 = time.perf_counter()
    c = Counter()
    c.apply_file(path)
    elapsed = time.perf_counter() - t0
    out = {"nodes": c.n[0], "ways": c.n[1], "relations": c.n[2]}
else:
    from pathlib import Path
    from sqlalchemy import func, select
    from bastion.imports.service import import_osm
    from bastion.kernel.db.engine import make_engine, make_session_factory
    from bastion.platform import migrate
    from bastion.regions.models import RoadEdge, RoadNode

    with tempfile.TemporaryDirectory() as d:
        engine = make_engine(f"sqlite:///{d}/bench.db")
        migrate.upgrade(engine)
        sf = make_session_factory(engine)
        t0 = time.perf_counter()
        rep = import_osm(sf, Path(path), "Porto")
        elapsed = time.perf_counter() - t0
        with sf() as s:
            out = {"road_nodes": s.scalar(select(func.count()).select_from(RoadNode)),
                   "road_edges": s.scalar(select(func.count()).select_from(RoadEdge)),
                   "sites": rep.sites_inserted, "read_s": rep.read_s, "write_s": rep.write_s}
        engine.dispose()
out["elapsed_s"] = elapsed
out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
print(json.dumps(out))
"""


def run(mode: str, path: str) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    r = subprocess.run([sys.executable, "-c", CHILD, mode, path], env=env, capture_output=True, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"{mode} run failed: {r.stderr}")
    return json.loads(r.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="one run of each")
    args = ap.parse_args()
    if args.quick:
        args.repeats = 1
    pbf = porto_pbf()
    bare = [run("bare", str(pbf)) for _ in range(args.repeats)]
    ours = [run("import", str(pbf)) for _ in range(args.repeats)]
    bare_s = min(b["elapsed_s"] for b in bare)
    ours_s = min(o["elapsed_s"] for o in ours)
    peak = max(o["peak_rss_mib"] for o in ours)
    bare_peak = max(b["peak_rss_mib"] for b in bare)
    o = min(ours, key=lambda x: x["elapsed_s"])
    print(f"{pbf.name}: {pbf.stat().st_size / 1e6:.1f} MB; {bare[0]['nodes']:,} nodes, {bare[0]['ways']:,} ways, "
          f"{bare[0]['relations']:,} relations; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"bare pyosmium counting pass : {bare_s:7.2f} s, peak RSS {bare_peak:6.0f} MiB (best of {args.repeats})")
    print(f"full import into SQLite     : {ours_s:7.2f} s, peak RSS {peak:6.0f} MiB (read {o['read_s']:.2f} s, "
          f"write {o['write_s']:.2f} s); {o['road_nodes']:,} road nodes, {o['road_edges']:,} directed edges, "
          f"{o['sites']} sites")
    print(f"import / bare pass = {ours_s / bare_s:.1f}x; peak memory goal < 1024 MiB: {peak < 1024}")
    identical = bool(o["road_nodes"] == 63638 and o["road_edges"] == 148234)
    print(json.dumps({
        "bench": "import_porto", "baseline": "bare pyosmium counting pass", "baseline_s": round(bare_s, 3),
        "ours_s": round(ours_s, 3), "ratio": round(bare_s / ours_s, 3), "slowdown": round(ours_s / bare_s, 2),
        "peak_rss_mib": round(peak, 1), "baseline_peak_rss_mib": round(bare_peak, 1), "peak_goal_mib": 1024,
        "peak_ok": bool(peak < 1024), "road_nodes": o["road_nodes"], "road_edges": o["road_edges"],
        "identical": identical,
    }))


if __name__ == "__main__":
    main()
