"""Benchmark: the stored vehicle assessment of a whole region (service: load roads from the database, assess,
check barriers, store) vs the bare core loop over the same sites read straight from the OSM extract.

Both run in this process on a fresh SQLite file; the speeds must be identical (the service rounds to 1e-3 km/h).
Prints per region: sites assessed, reachable sites, entry points, time per site, the fastest sites, and the
re-run (must change no row). Run: PYTHONPATH=src .venv/bin/python bench/vehicle_service.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import select  # noqa: E402

from bastion.algorithms.vehicle import VehicleNetwork  # noqa: E402
from bastion.algorithms.vehicle import assess_perimeter  # noqa: E402
from bastion.algorithms.vehicle import vehicle  # noqa: E402
from bastion.imports.service import import_osm  # noqa: E402
from bastion.kernel.db.engine import make_engine  # noqa: E402
from bastion.kernel.db.engine import make_session_factory  # noqa: E402
from bastion.platform import migrate  # noqa: E402
from bastion.regions.osm import read_extract  # noqa: E402
from bastion.sites.models import Site  # noqa: E402
from bastion.vehicle import service as svc  # noqa: E402
from bastion.vehicle.models import VehicleAssessment  # noqa: E402

OSM = REPO / "data" / "osm"
REGIONS = {"Monaco": OSM / "monaco-2023-12.osm.pbf", "Andorra": OSM / "andorra-2023-05.osm.pbf"}


def core_loop(path: Path, vkey: str) -> tuple[float, dict[tuple[str, str], float | None]]:
    ex = read_extract(path)
    t = time.perf_counter()
    net = VehicleNetwork(ex.roads)
    out = {}
    for s in ex.sites:
        a = assess_perimeter(net, s.geometry, vehicle(vkey))
        out[(s.source_type, s.source_id)] = a.worst.impact_speed_kph if a.worst else None
    return time.perf_counter() - t, out


def service_run(path: Path, name: str, vkey: str) -> tuple[float, svc.AssessReport, svc.AssessReport,
                                                           dict[tuple[str, str], float | None]]:
    with tempfile.TemporaryDirectory() as d:
        eng = make_engine(f"sqlite:///{d}/b.db")
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        import_osm(sf, path, name)
        svc._NETWORKS.clear()  # include preparing the network, as a fresh process would
        t = time.perf_counter()
        rep = svc.assess(sf, name, svc.AssessParams(vehicles=(vkey,)))
        elapsed = time.perf_counter() - t
        again = svc.assess(sf, name, svc.AssessParams(vehicles=(vkey,)))
        with sf() as s:
            rows = s.execute(select(Site.source_type, Site.source_id, VehicleAssessment.worst_speed_kph)
                             .join(VehicleAssessment, VehicleAssessment.site_id == Site.id)).all()
        eng.dispose()
    return elapsed, rep, again, {(a, b): c for a, b, c in rows}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="Monaco only")
    ap.add_argument("--vehicle", default="car")
    args = ap.parse_args()
    base_total = ours_total = 0.0
    identical = True
    for name, path in REGIONS.items():
        if args.quick and name != "Monaco":
            continue
        base_s, base = core_loop(path, args.vehicle)
        ours_s, rep, again, ours = service_run(path, name, args.vehicle)
        same = base.keys() == ours.keys() and all(
            (base[k] is None) == (ours[k] is None) and (base[k] is None or abs(base[k] - ours[k]) <= 5e-4)  # type: ignore[operator]
            for k in base)
        identical &= same and again.rows_changed == 0
        base_total += base_s
        ours_total += ours_s
        print(f"{name} ({args.vehicle}): {rep.sites_assessed} sites, {rep.sites_reached} reachable by road, "
              f"{rep.entry_points} entry points, {rep.gaps} without a barrier meeting the need")
        print(f"  core loop (from the extract, no storage): {base_s:.2f} s ({1000 * base_s / len(base):.1f} ms/site)")
        print(
            f"  service (roads from the DB, barriers, store): {ours_s:.2f} s ({1000 * ours_s / len(base):.1f} ms/site;"
            f" compute {rep.compute_s:.2f} s, write {rep.write_s:.2f} s); re-run changed {again.rows_changed} rows"
        )
        print(
            "  fastest: "
            + "; ".join(f"{w['site_name'] or w['site_id']} {w['speed_kph']:.0f} km/h" for w in rep.worst[:5])
        )
        print(f"  identical worst speeds: {same}")
    print(json.dumps({"benchmark": "vehicle_service", "baseline": "core assess_perimeter loop from the extract",
                      "baseline_s": round(base_total, 3), "ours_s": round(ours_total, 3),
                      "ratio": round(base_total / ours_total, 3), "identical": identical}))


if __name__ == "__main__":
    main()
