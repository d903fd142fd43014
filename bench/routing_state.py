"""Benchmark: routing state built once (bastion.regions.graphs disk cache) on the Porto metropolitan network.

Porto (porto-roads.osm.pbf, ~63.6k nodes) is imported into a fresh SQLite data dir. Then, each command in a new
process, as a user runs them:

- baseline: `bastion units add` with an empty routing cache -- what every CLI call cost before the cache (load the
  roads from the database, build the graph; the call also stores it);
- ours: `bastion units add` and `bastion units move` with the cache filled (median of --repeats runs), wall
  clock of the whole process (interpreter start and imports included), and the same use case timed inside a fresh
  process (add_unit / edit_unit alone, imports excluded);
- dispatch: after the first load, the --units stored units nearest by travel time to a random point (snap the
  point, one backward Dijkstra): median and 95th percentile over --queries points, checked against the full
  travel-time matrix (same units, same times).

Run: PYTHONPATH=src python bench/routing_state.py [--repeats 5] [--queries 200]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from porto import REPO
from porto import porto_pbf

PY = sys.executable
ENV_BASE = {**os.environ, "PYTHONPATH": str(REPO / "src")}

SERVICE_TIMER = """
import sys, time, json
t0 = time.perf_counter()
from bastion.kernel.cli import session_factory
from bastion.units.service import add_unit, edit_unit, UnitSpec, UnitEdit
imported = time.perf_counter() - t0
sf = session_factory()
t0 = time.perf_counter()
u = add_unit(sf, "Porto", UnitSpec("patrol_car", "Timed car", -8.611, 41.149))
add_s = time.perf_counter() - t0
t0 = time.perf_counter()
edit_unit(sf, u.id, UnitEdit(lon=-8.620, lat=41.160))
move_s = time.perf_counter() - t0
t0 = time.perf_counter()
add_unit(sf, "Porto", UnitSpec("patrol_car", "Timed car 2", -8.600, 41.170))
add_warm_s = time.perf_counter() - t0
print(json.dumps({"imports_s": imported, "add_s": add_s, "move_s": move_s, "add_warm_s": add_warm_s}))
"""


CPU: dict[str, list[float]] = {}  # command -> CPU seconds (user + system) of each run


def cli(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Wall seconds and output of one `bastion` process; its CPU seconds go to CPU[args[1]] (on a shared machine
    wall time includes waiting for a core, CPU time does not)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([PY, "-m", "bastion.platform.cli", *args], env=env, capture_output=True, text=True,
                       check=False)
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(args[1], []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    if r.returncode != 0:
        sys.exit(f"bastion {' '.join(args)} failed: {r.stderr or r.stdout}")
    return elapsed, r.stdout


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--units", type=int, default=200)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--quick", action="store_true", help="2 repeats, 50 queries")
    args = ap.parse_args()
    if args.quick:
        args.repeats, args.queries = 2, 50
    pbf = porto_pbf()
    with tempfile.TemporaryDirectory() as d:
        env = {**ENV_BASE, "BASTION_DATA_DIR": d, "BASTION_ROUTING_CACHE_DIR": str(Path(d) / "routing-cache")}
        env.pop("BASTION_DATABASE_URL", None)
        cli(env, "db", "upgrade")
        import_s, _ = cli(env, "import", "osm", str(pbf), "--region", "Porto")
        print(f"Porto imported in {import_s:.1f} s (whole process) into {d}; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores (a shared machine: wall times include waiting for a core)")

        add = ("units", "add", "--region", "Porto", "--type", "patrol_car", "--lon", "-8.611", "--lat", "41.149")
        cold_s, _ = cli(env, *add, "--name", "Car cold")
        print(f"bastion units add, empty routing cache (today's cost on every call): {cold_s:.2f} s")
        add_times, move_times = [], []
        for k in range(args.repeats):
            t, out = cli(env, *add, "--name", f"Car {k}")
            add_times.append(t)
            unit_id = out.split()[1]
            t, _ = cli(env, "units", "move", unit_id, "--lon", "-8.620", "--lat", "41.160")
            move_times.append(t)
        r = subprocess.run([PY, "-c", SERVICE_TIMER], env=env, capture_output=True, text=True, check=True)
        svc = json.loads(r.stdout.strip().splitlines()[-1])
        t0 = time.perf_counter()
        subprocess.run([PY, "-c", "import bastion.units.service"], env=env, check=True)
        bare_import_s = time.perf_counter() - t0
        add_s, move_s = statistics.median(add_times), statistics.median(move_times)
        cold_cpu = CPU["add"][0]
        add_cpu, move_cpu = statistics.median(CPU["add"][1:]), statistics.median(CPU["move"])
        print(f"CPU seconds of the whole process (what an idle core would take): add {cold_cpu:.2f} s with an empty "
              f"cache, {add_cpu:.2f} s with it filled; move {move_cpu:.2f} s")
        print(f"bastion units add  (cache filled): median {add_s:.2f} s of {args.repeats} (whole process)")
        print(f"bastion units move (cache filled): median {move_s:.2f} s of {args.repeats} (whole process)")
        print(f"of which Python start + imports (python -c 'import bastion.units.service'): {bare_import_s:.2f} s")
        print(f"use case alone in a fresh process: first add {svc['add_s'] * 1000:.0f} ms (graph from disk), then "
              f"move {svc['move_s'] * 1000:.0f} ms and add {svc['add_warm_s'] * 1000:.0f} ms (graph in memory, as in "
              f"an API worker); imports {svc['imports_s']:.2f} s")

        # dispatch: in this process, through the same cache
        os.environ["BASTION_DATA_DIR"] = d
        os.environ["BASTION_ROUTING_CACHE_DIR"] = env["BASTION_ROUTING_CACHE_DIR"]
        from bastion.algorithms.routing import nearest_sources
        from bastion.algorithms.routing import travel_time_matrix
        from bastion.kernel.cli import session_factory
        from bastion.regions.graphs import routing_for_region
        from bastion.regions.repository import RegionRepo

        sf = session_factory()
        with sf() as s:
            region = RegionRepo(s).get_by_ref("Porto")
            t0 = time.perf_counter()
            r0 = routing_for_region(s, region, "patrol_car")
            load_s = time.perf_counter() - t0
        g = r0.graph
        rng = np.random.default_rng(args.seed)
        unit_nodes = rng.choice(g.n_nodes, args.units, replace=False)
        lon0, lon1 = float(g.node_lon.min()), float(g.node_lon.max())
        lat0, lat1 = float(g.node_lat.min()), float(g.node_lat.max())
        pts = np.column_stack([rng.uniform(lon0, lon1, args.queries * 3), rng.uniform(lat0, lat1, args.queries * 3)])
        times_ms, answers, targets = [], [], []
        for lon, lat in pts:
            with sf() as s:
                t0 = time.perf_counter()
                routing = routing_for_region(s, region, "patrol_car")
                snap = routing.snapper.snap([lon], [lat])
                if snap.node[0] < 0:
                    continue  # off the network (sea, fields): not a dispatch
                near = nearest_sources(routing.graph, unit_nodes, int(snap.node[0]), k=5)
                times_ms.append((time.perf_counter() - t0) * 1000)
            answers.append(near)
            targets.append(int(snap.node[0]))
            if len(times_ms) == args.queries:
                break
        full = travel_time_matrix(g, unit_nodes, np.array(targets))  # (units, targets)
        identical = all(np.allclose(np.sort(full[:, j])[:5], a.time_s, rtol=1e-9)
                        and np.allclose(full[a.position, j], a.time_s, rtol=1e-9) for j, a in enumerate(answers))
        med, p95 = statistics.median(times_ms), float(np.percentile(times_ms, 95))
        print(f"graph from the disk cache in this process: {load_s:.2f} s (first load)")
        print(f"dispatch query ({args.units} units, k=5, snap + backward Dijkstra on {g.n_nodes} nodes): "
              f"median {med:.1f} ms, p95 {p95:.1f} ms over {len(times_ms)} points; same as the matrix: {identical}")
        print(f"goals: add/move <= 0.5 s: whole process {add_s:.2f}/{move_s:.2f} s, use case "
              f"{svc['add_s']:.2f}/{svc['move_s']:.2f} s; dispatch <= 50 ms: median {med:.1f} ms")
        print(json.dumps({
            "bench": "routing_state", "network": pbf.name, "graph_nodes": g.n_nodes,
            "baseline": "bastion units add with an empty routing cache (graph built from the database, as before)",
            "baseline_s": round(cold_s, 3), "ours_s": round(add_s, 3), "ratio": round(cold_s / add_s, 2),
            "units_move_s": round(move_s, 3), "cold_add_cpu_s": round(cold_cpu, 3), "add_cpu_s": round(add_cpu, 3),
            "move_cpu_s": round(move_cpu, 3), "add_use_case_s": round(svc["add_s"], 4),
            "move_use_case_s": round(svc["move_s"], 4), "add_use_case_warm_s": round(svc["add_warm_s"], 4),
            "load_average_1min": round(os.getloadavg()[0], 2), "cores": os.cpu_count(),
            "python_imports_s": round(bare_import_s, 3),
            "first_load_s": round(load_s, 3), "dispatch_median_ms": round(med, 2), "dispatch_p95_ms": round(p95, 2),
            "identical": bool(identical),
        }))


if __name__ == "__main__":
    main()
