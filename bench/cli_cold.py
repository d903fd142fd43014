"""Benchmark: a cold `bastion units add` / `bastion units move` on the Porto metropolitan network (issue 13 goal:
adding or moving a unit <= 0.5 s).

Porto (porto-roads.osm.pbf, ~63.6k nodes) is imported into a fresh SQLite data dir (a temporary folder, deleted at
the end). Each command then runs in a new Python process, as a user types it, with the routing state already on
disk (each side's first call, which builds it, is not timed):

- baseline: the same commands run by the code of a named git revision (default 4bff084, the last commit before the
  cold-path work: the root CLI read every manifest, which imported the jobs and batch services; the units path
  imported the whole routing package with scipy and loaded the graph and built a KD-tree to snap one point);
  its `src/` is extracted with `git archive` into a temporary folder and run against the same database;
- ours: the working tree's code (lazy facades; the base snapped from a small per-profile grid of the graph's nodes,
  read without numpy, the point projected with GeographicLib instead of pyproj: neither numpy nor pyproj is
  imported).

Runs alternate baseline/ours so that both see the same machine load. Reported: median wall and CPU seconds (user +
system of the child, what an idle core would take) of the whole process, interpreter start-up included, and a bare
`python -c pass` for scale. Identical: the baseline and ours snap each base to the same road node at the same
distance, to a micrometre (read back from the database; GeographicLib and pyproj agree to ~1e-8 m).

Run: PYTHONPATH=src python bench/cli_cold.py [--repeats 7] [--baseline-rev 4bff084]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from porto import REPO
from porto import porto_pbf

PY = sys.executable
POINTS = ((-8.611, 41.149), (-8.620, 41.160), (-8.600, 41.170), (-8.640, 41.155))  # bases in central Porto


def run(src: Path, env: dict[str, str], *args: str) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and output of one `bastion ARGS` process running the code in ``src``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    r = subprocess.run([PY, "-m", "bastion.platform.cli", *args], env={**env, "PYTHONPATH": str(src)},
                       capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if r.returncode != 0:
        sys.exit(f"bastion {' '.join(args)} ({src}) failed: {r.stderr or r.stdout}")
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, r.stdout


def bare_python() -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([PY, "-c", "pass"], check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--baseline-rev", default="4bff084")
    args = ap.parse_args()
    pbf = porto_pbf()
    with tempfile.TemporaryDirectory() as d:
        base_src = Path(d) / "baseline"
        base_src.mkdir()
        tar = subprocess.run(["git", "-C", str(REPO), "archive", args.baseline_rev, "src"], capture_output=True,
                             check=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base_src)], input=tar, check=True)
        base_src = base_src / "src"
        ours_src = REPO / "src"
        data = Path(d) / "data"
        data.mkdir()
        env = {**os.environ, "BASTION_DATA_DIR": str(data), "BASTION_ROUTING_CACHE_DIR": str(data / "routing-cache")}
        env.pop("BASTION_DATABASE_URL", None)
        run(ours_src, env, "db", "upgrade")
        wall, _, _ = run(ours_src, env, "import", "osm", str(pbf), "--region", "Porto")
        print(f"Porto imported in {wall:.1f} s into {data}; load average {os.getloadavg()[0]:.1f} on "
              f"{os.cpu_count()} cores (a shared machine: wall includes waiting for a core, CPU does not)")

        def add(src: Path, name: str, lon: float, lat: float) -> tuple[float, float, int]:
            w, c, out = run(src, env, "units", "add", "--region", "Porto", "--type", "patrol_car", "--name", name,
                            "--lon", str(lon), "--lat", str(lat))
            return w, c, int(out.split()[1])

        for label, src in (("baseline", base_src), ("ours", ours_src)):  # first use builds each side's cache
            w, c, _ = add(src, f"warm-up {label}", *POINTS[0])
            print(f"{label}: first add (builds its routing state) {w:.2f} s wall, {c:.2f} CPU-s (not timed)")

        times: dict[str, list[tuple[float, float]]] = {k: [] for k in ("base_add", "ours_add", "base_move",
                                                                       "ours_move", "python")}
        pairs: list[tuple[int, int]] = []  # (baseline unit, our unit) added or moved to the same point
        for k in range(args.repeats):
            lon, lat = POINTS[k % len(POINTS)]
            mlon, mlat = POINTS[(k + 1) % len(POINTS)]
            w, c, b_id = add(base_src, f"Base {k}", lon, lat)
            times["base_add"].append((w, c))
            w, c, o_id = add(ours_src, f"Ours {k}", lon, lat)
            times["ours_add"].append((w, c))
            pairs.append((b_id, o_id))
            b_move = run(base_src, env, "units", "move", str(b_id), "--lon", str(mlon), "--lat", str(mlat))
            times["base_move"].append(b_move[:2])
            o_move = run(ours_src, env, "units", "move", str(o_id), "--lon", str(mlon), "--lat", str(mlat))
            times["ours_move"].append(o_move[:2])
            times["python"].append(bare_python())

        db = sqlite3.connect(data / "bastion.db")
        rows = {uid: (node, dist) for uid, node, dist in db.execute(
            "SELECT id, snap_osm_node, snap_distance_m FROM response_units")}
        db.close()
        identical = all(rows[b][0] == rows[o][0] is not None and abs(rows[b][1] - rows[o][1]) <= 1e-6
                        for b, o in pairs)

    med = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    for k, (w, c) in med.items():
        print(f"{k:10s} median of {args.repeats}: {w:.3f} s wall, {c:.3f} CPU-s")
    print(f"goal <= 0.5 s: add {med['ours_add'][1]:.2f} CPU-s / {med['ours_add'][0]:.2f} s wall, move "
          f"{med['ours_move'][1]:.2f} CPU-s / {med['ours_move'][0]:.2f} s wall; same snapped node and distance as the "
          f"baseline for {len(pairs)} bases: {identical}")
    print(json.dumps({
        "bench": "cli_cold", "network": pbf.name,
        "baseline": f"bastion units add, code of git revision {args.baseline_rev} (eager imports, full graph load)",
        "baseline_s": round(med["base_add"][0], 3), "ours_s": round(med["ours_add"][0], 3),
        "ratio": round(med["base_add"][0] / med["ours_add"][0], 2),
        "baseline_cpu_s": round(med["base_add"][1], 3), "ours_cpu_s": round(med["ours_add"][1], 3),
        "cpu_ratio": round(med["base_add"][1] / med["ours_add"][1], 2),
        "move_baseline_s": round(med["base_move"][0], 3), "move_ours_s": round(med["ours_move"][0], 3),
        "move_baseline_cpu_s": round(med["base_move"][1], 3), "move_ours_cpu_s": round(med["ours_move"][1], 3),
        "python_start_s": round(med["python"][0], 3), "python_start_cpu_s": round(med["python"][1], 3),
        "repeats": args.repeats, "load_average_1min": round(os.getloadavg()[0], 2), "cores": os.cpu_count(),
        "identical": bool(identical),
    }))


if __name__ == "__main__":
    main()
