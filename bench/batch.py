"""Benchmark: a batch run over the bundled regions, sequential vs a Dask LocalCluster of 2 worker processes.

Regions: the bundled extracts (data/osm: Andorra, Monaco), each twice under two names (andorra-a/-b, monaco-a/-b),
so that two workers get equal shares (with one Andorra and one Monaco the run could not be shorter than Andorra
alone). The second copy of an extract is the same file with every node moved 1e-6 degrees (~0.1 m) east (written
with pyosmium into the temporary folder, not timed): a distinct road network of the same size, with its own roads
hash and routing state, as two cities have. (Byte-identical copies shared one routing state: the sequential run
built it once and kept it in memory for the second copy, while in the distributed run the second worker waited on
the first's build; neither is what a run over distinct cities does.) Steps: import, vehicle, risk, coverage,
patrol (all). Each run writes a fresh SQLite file with a fresh routing cache (no run profits from the other's
graphs). Baseline: run_batch(sequential) in this process. Ours:
run_batch on LocalCluster(n_workers=2, threads_per_worker=1), cluster start-up included in ours_s. Identical: every
(region, step) result hash equal. Goal: ratio >= 1.6 on 2 cores. On a shared machine (load average printed) the
ratio is capped by the cores actually free; `region_s` (the sum of per-region step times) shows the work done.

Run: PYTHONPATH=src python bench/batch.py [--copies 2] [--steps import,vehicle,risk,coverage,patrol]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import tempfile
import time
from pathlib import Path

from bastion.batch import STEPS
from bastion.batch import ClusterOptions
from bastion.batch import parse_region_files
from bastion.batch import parse_steps
from bastion.batch import run_batch
from bastion.kernel.db.engine import make_engine
from bastion.platform import migrate
from bastion.regions import graphs

REPO = Path(__file__).resolve().parents[1]
BUNDLED = (REPO / "data" / "osm" / "andorra-2023-05.osm.pbf", REPO / "data" / "osm" / "monaco-2023-12.osm.pbf")


def fresh(d: Path) -> str:
    url = f"sqlite:///{d / 'bastion.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    graphs.clear()
    graphs.configure(d / "routing-cache")
    return url


def shifted(src: Path, k: int, folder: Path) -> Path:
    """Copy k of an extract: the file itself for k = 0, else every node moved k * 1e-6 degrees east."""
    if k == 0:
        return src
    import osmium

    out = folder / f"{src.name.removesuffix('.osm.pbf')}-shift{k}.osm.pbf"
    with osmium.SimpleWriter(str(out), overwrite=True) as w:
        for o in osmium.FileProcessor(str(src)):
            if o.is_node():
                loc = o.location
                w.add_node(o.replace(location=osmium.osm.Location(loc.lon + k * 1e-6, loc.lat)) if loc.valid() else o)
            elif o.is_way():
                w.add_way(o)
            else:
                w.add_relation(o)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--copies", type=int, default=2, help="names per bundled extract")
    ap.add_argument("--steps", default=",".join(STEPS))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--quick", action="store_true", help="Monaco only, twice; steps import,risk,coverage,patrol")
    args = ap.parse_args()
    steps = parse_steps("import,risk,coverage,patrol" if args.quick else args.steps)
    bundled = BUNDLED[1:] if args.quick else BUNDLED
    copies_dir = tempfile.TemporaryDirectory()
    regions = parse_region_files([f"{p.name.split('-')[0]}-{chr(97 + k)}={shifted(p, k, Path(copies_dir.name))}"
                                  for p in bundled for k in range(args.copies)])
    print(f"{len(regions)} regions ({', '.join(r.name for r in regions)}), steps {','.join(steps)}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    with tempfile.TemporaryDirectory() as d1, tempfile.TemporaryDirectory() as d2:
        url = fresh(Path(d1))
        t0 = time.perf_counter()
        seq = run_batch(regions, steps, database_url=url, cluster=ClusterOptions(sequential=True))
        seq_s = time.perf_counter() - t0
        url = fresh(Path(d2))
        started: list[float] = []
        self0, kids0 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        par = run_batch(regions, steps, database_url=url,  # start-up: until the cluster's client is connected
                        cluster=ClusterOptions(workers=args.workers, dashboard_address=":0",
                                               on_cluster=lambda _c: started.append(time.perf_counter() - t0)))
        par_s = time.perf_counter() - t0
        self1, kids1 = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        # CPU of this process (client, scheduler, dashboard) and of the cluster's processes (nannies, workers:
        # counted once they have exited, which close() waits for) during the distributed run
        client_cpu = self1.ru_utime - self0.ru_utime + self1.ru_stime - self0.ru_stime
        cluster_cpu = kids1.ru_utime - kids0.ru_utime + kids1.ru_stime - kids0.ru_stime
        graphs.configure(None)
    identical = seq.hashes() == par.hashes() and len(par.results) == len(regions)
    # What 2 free cores would give: the sequential run's CPU seconds per region, largest first onto the least
    # loaded worker (the order run_batch submits in), plus the measured cluster start-up.
    loads = [0.0] * par.workers
    for c in sorted((sum(r.cpu_s.values()) for r in seq.results), reverse=True):
        loads[loads.index(min(loads))] += c
    startup_s = started[0] if started else 0.0
    attainable = seq.cpu_seconds / (max(loads) + startup_s)
    balance = seq.cpu_seconds / max(loads)  # the schedule alone, start-up left out (it does not grow with the work)
    for r in sorted(seq.results, key=lambda r: r.region):
        print(f"  {r.region:10s} sequential " + ", ".join(f"{k} {v:.1f} s ({r.cpu_s[k]:.1f} CPU)"
                                                       for k, v in r.runtime_s.items()))
    for r in sorted(par.results, key=lambda r: r.region):
        print(f"  {r.region:10s} on {r.worker} " + ", ".join(f"{k} {v:.1f} s ({r.cpu_s[k]:.1f} CPU)"
                                                         for k, v in r.runtime_s.items())
              + f"; steps re-run after 'database is locked': {r.lock_retries}")
    print(f"CPU during the distributed run: client and scheduler {client_cpu:.2f} s, nannies and workers "
          f"{cluster_cpu:.2f} s, of which region steps {par.cpu_seconds:.2f} s")
    print(f"sequential           : {seq_s:7.1f} s wall, {seq.region_seconds:.1f} s of region work")
    print(f"LocalCluster {par.workers} workers: {par_s:7.1f} s wall (start-up included), {par.region_seconds:.1f} s of "
          f"region work; workers used: {sorted({r.worker for r in par.results})}")
    print(f"identical results: {identical}; ratio sequential / distributed = {seq_s / par_s:.2f}x (goal >= 1.6); "
          f"per-region work rose {par.region_seconds / seq.region_seconds:.2f}x when two ran at once")
    print(f"on {par.workers} free cores (from the measured CPU seconds, largest region first): makespan "
          f"{max(loads):.1f} s + {startup_s:.1f} s cluster start-up vs {seq.cpu_seconds:.1f} s sequential -> "
          f"attainable ratio {attainable:.2f}x ({balance:.2f}x without the start-up, which does not grow with the "
          f"number of regions)")
    print(json.dumps({
        "bench": "batch", "regions": len(regions), "steps": list(steps), "workers": par.workers,
        "baseline": "run_batch sequential (one process)", "baseline_s": round(seq_s, 2), "ours_s": round(par_s, 2),
        "ratio": round(seq_s / par_s, 2), "goal_ratio": 1.6, "region_s_sequential": round(seq.region_seconds, 2),
        "region_s_distributed": round(par.region_seconds, 2), "cpu_s_sequential": round(seq.cpu_seconds, 2),
        "cpu_s_distributed": round(par.cpu_seconds, 2), "load_average_1min": round(os.getloadavg()[0], 2),
        "per_region_s": {r.region: round(sum(r.runtime_s.values()), 2) for r in seq.results},
        "client_cpu_s": round(client_cpu, 2), "cluster_cpu_s": round(cluster_cpu, 2),
        "lock_retries": sum(r.lock_retries for r in par.results), "cluster_startup_s": round(startup_s, 2),
        "attainable_ratio_free_cores": round(attainable, 2),
        "schedule_ratio_without_startup": round(balance, 2),
        "identical": bool(identical),
    }))


if __name__ == "__main__":
    main()
