"""Benchmark: full Andorra import into a fresh SQLite file vs a bare pyosmium pass that only counts objects.

Both run in this process. Target: ratio (import / bare pass) <= 3. The JSON's `ratio` field follows the
project rule baseline_s / ours_s, so here the target reads ratio >= 1/3; `slowdown` gives import / bare.
Run: .venv/bin/python bench/import_osm.py [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import osmium
from sqlalchemy import func
from sqlalchemy import select

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from bastion.imports.service import import_osm  # noqa: E402
from bastion.kernel.db.engine import make_engine  # noqa: E402
from bastion.kernel.db.engine import make_session_factory  # noqa: E402
from bastion.platform import migrate  # noqa: E402
from bastion.regions.models import RoadEdge  # noqa: E402
from bastion.sites.models import Site  # noqa: E402

ANDORRA = REPO / "data" / "osm" / "andorra-2023-05.osm.pbf"


class Counter(osmium.SimpleHandler):
    def __init__(self) -> None:
        super().__init__()
        self.nodes = self.ways = self.relations = 0

    def node(self, _n: object) -> None:
        self.nodes += 1

    def way(self, _w: object) -> None:
        self.ways += 1

    def relation(self, _r: object) -> None:
        self.relations += 1


def bare_pass() -> tuple[float, dict[str, int]]:
    t = time.perf_counter()
    c = Counter()
    c.apply_file(str(ANDORRA))
    return time.perf_counter() - t, {"nodes": c.nodes, "ways": c.ways, "relations": c.relations}


def full_import() -> tuple[float, dict[str, int]]:
    with tempfile.TemporaryDirectory() as d:
        engine = make_engine(f"sqlite:///{d}/bench.db")
        migrate.upgrade(engine)  # schema creation is not part of the import time
        sf = make_session_factory(engine)
        t = time.perf_counter()
        rep = import_osm(sf, ANDORRA, "Andorra")
        elapsed = time.perf_counter() - t
        with sf() as s:
            counts = {"sites": s.scalar(select(func.count()).select_from(Site)) or 0,
                      "road_edges": s.scalar(select(func.count()).select_from(RoadEdge)) or 0}
        engine.dispose()
        assert counts["sites"] == rep.sites_inserted and counts["road_edges"] == rep.road_edges
        return elapsed, counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=3, help="runs of each; the best time counts")
    ap.add_argument("--quick", action="store_true", help="one run of each")
    args = ap.parse_args()
    n = 1 if args.quick else max(1, args.repeat)
    bare = [bare_pass() for _ in range(n)]
    ours = [full_import() for _ in range(n)]
    bare_s = min(t for t, _ in bare)
    ours_s = min(t for t, _ in ours)
    objects = bare[0][1]
    result = ours[0][1]
    print(f"Andorra extract: {ANDORRA.stat().st_size / 1e6:.2f} MB, {objects['nodes']:,} nodes, "
          f"{objects['ways']:,} ways, {objects['relations']:,} relations")
    print(f"bare pyosmium counting pass: {bare_s:.3f} s (best of {n})")
    print(f"full import into fresh SQLite: {ours_s:.3f} s (best of {n}); {result['sites']} sites, "
          f"{result['road_edges']} directed road edges")
    print(f"import / bare pass = {ours_s / bare_s:.2f}x (target <= 3)")
    print(json.dumps({
        "benchmark": "import_osm", "baseline": "bare pyosmium counting pass", "baseline_s": round(bare_s, 4),
        "ours_s": round(ours_s, 4), "ratio": round(bare_s / ours_s, 3), "slowdown": round(ours_s / bare_s, 3),
        "target_slowdown_max": 3.0, "identical": bool(result["sites"] == 600 and result["road_edges"] == 8722),
    }))


if __name__ == "__main__":
    main()
