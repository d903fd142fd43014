"""Hostile-vehicle approach search vs a straightforward networkx simple-path enumeration, on real OSM data.

Every crowded place / key target of the extract (default: Andorra) is assessed for a car (central
scenario, one-way rules respected, 300 m run-up): for each entry point, the worst approach by the
label-setting search (bastion.algorithms.vehicle.approach.worst_path) and by enumerating every simple path with
networkx and evaluating each one (tests/core/vehicle/vehicle_nx_baseline.py). Both must give identical
impact speeds. Prints time per site and, as the last line, one JSON object.

    PYTHONPATH=src /work/main/.venv/bin/python bench/vehicle.py [--quick] [--extract PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "core" / "vehicle"))

from vehicle_nx_baseline import baseline_speed_mps  # noqa: E402
from vehicle_nx_baseline import build_graph  # noqa: E402

from bastion.algorithms.vehicle.approach import worst_path  # noqa: E402
from bastion.algorithms.vehicle.assess import assess_perimeter  # noqa: E402
from bastion.algorithms.vehicle.assess import scenarios  # noqa: E402
from bastion.algorithms.vehicle.network import VehicleNetwork  # noqa: E402
from bastion.algorithms.vehicle.vehicles import CAR  # noqa: E402
from bastion.regions.osm import read_extract  # noqa: E402

DEFAULT_EXTRACT = REPO / "data" / "osm" / "andorra-2023-05.osm.pbf"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--extract", type=Path, default=DEFAULT_EXTRACT)
    ap.add_argument("--quick", action="store_true", help="every 5th site only")
    ap.add_argument("--max-distance", type=float, default=300.0)
    args = ap.parse_args()

    t = time.perf_counter()
    ex = read_extract(args.extract)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    net = VehicleNetwork(ex.roads)
    prep_s = time.perf_counter() - t
    t = time.perf_counter()
    g = build_graph(net)
    graph_s = time.perf_counter() - t
    sites = ex.sites[::5] if args.quick else ex.sites
    print(f"{args.extract.name}: {len(ex.sites)} sites ({len(sites)} benchmarked), {ex.roads.n_nodes} nodes, "
          f"{ex.roads.n_edges} edges; read {read_s:.2f} s, vehicle network {prep_s:.2f} s, nx graph {graph_s:.2f} s")

    dyn = scenarios(CAR, friction=0.6, friction_low=0.5, friction_high=1.0, v0_mps=0.0)[1]
    D = args.max_distance
    ours_s = base_s = 0.0
    per_ours: list[float] = []
    per_base: list[float] = []
    n_entries = n_paths = mismatches = fallbacks = labels = 0
    worst_diff = 0.0
    for s in sites:
        zone = net.zone(s.geometry)
        touching = net.touching(zone)
        blocked = set(int(e) for e in touching)
        entries = [e for e in net.entries(zone, touching) if not net.wrong_way[e.edge]]
        n_entries += len(entries)
        t = time.perf_counter()
        found = [worst_path(net, e, dyn, blocked=blocked, max_distance_m=D) for e in entries]
        dt_o = time.perf_counter() - t
        ours = [p.impact_speed_mps for p in found]
        fallbacks += sum(p.fallback for p in found)
        labels += sum(p.labels_created for p in found)
        t = time.perf_counter()
        base = []
        for e in entries:
            v, k = baseline_speed_mps(g, net, e, dyn, blocked=blocked, max_distance_m=D)
            base.append(v)
            n_paths += k
        dt_b = time.perf_counter() - t
        ours_s += dt_o
        base_s += dt_b
        per_ours.append(dt_o)
        per_base.append(dt_b)
        for a, b in zip(ours, base, strict=True):
            diff = abs(a - b) * 3.6
            worst_diff = max(worst_diff, diff)
            if not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9):
                mismatches += 1

    # the full product call (3 scenarios, ratings, paths) for every site, timed on its own
    t = time.perf_counter()
    full = [assess_perimeter(net, s.geometry, CAR) for s in sites]
    full_s = time.perf_counter() - t
    reached = sum(1 for a in full if a.worst is not None)
    speeds = sorted((a.worst.impact_speed_kph for a in full if a.worst is not None), reverse=True)

    ms = 1000.0
    print(f"entries: {n_entries}; simple paths enumerated by the baseline: {n_paths:,}; labels created by the "
          f"search: {labels:,}; entries needing the simple-path fallback: {fallbacks}")
    print(f"label search  : {ours_s:8.3f} s total, {ms * ours_s / len(sites):7.2f} ms/site "
          f"(median {ms * statistics.median(per_ours):.2f}, max {ms * max(per_ours):.1f} ms)")
    print(f"nx enumeration: {base_s:8.3f} s total, {ms * base_s / len(sites):7.2f} ms/site "
          f"(median {ms * statistics.median(per_base):.2f}, max {ms * max(per_base):.1f} ms)")
    print(f"identical speeds: {mismatches == 0} (max |diff| {worst_diff:.2e} km/h over {n_entries} entries)")
    print(f"full assessment (3 scenarios + ratings + paths): {full_s:.2f} s, {ms * full_s / len(sites):.1f} ms/site; "
          f"{reached}/{len(sites)} sites reachable by road; fastest approaches (km/h): "
          f"{', '.join(f'{v:.0f}' for v in speeds[:5])}")
    ratio = base_s / ours_s if ours_s > 0 else float("inf")
    print(json.dumps({
        "extract": args.extract.name, "sites": len(sites), "entries": n_entries, "baseline_paths": n_paths,
        "baseline_s": round(base_s, 4), "ours_s": round(ours_s, 4), "ratio": round(ratio, 2),
        "identical": mismatches == 0, "fallbacks": fallbacks, "labels": labels, "max_diff_kph": worst_diff,
        "full_assess_s": round(full_s, 3), "ms_per_site_ours": round(ms * ours_s / len(sites), 3),
        "ms_per_site_baseline": round(ms * base_s / len(sites), 3),
    }))


if __name__ == "__main__":
    main()
