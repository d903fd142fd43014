"""Drafting emergency plans for every site of Andorra (issue 16: < 60 s on the 2-core machine).

Imports the bundled Andorra extract into a fresh SQLite file, then:
- baseline "per_site": one site at a time (each draft loads the region's risk, units, hospitals and routing
  anew: what a loop over `draft_site` does), on the first N sites, top three threats each;
- ours "batched": `drafting.draft_region` (region data loaded once, one travel-time matrix for all sites) on the
  same N sites, and then on every site of the region (the figure for the issue).
Checks that both give identical plan sections and data. Last line: JSON.
Run: .venv/bin/python bench/eplans_draft.py [--sample 25]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from sqlalchemy import select  # noqa: E402

from bastion.imports.service import import_osm  # noqa: E402
from bastion.kernel.db.engine import make_engine  # noqa: E402
from bastion.kernel.db.engine import make_session_factory  # noqa: E402
from bastion.platform import migrate  # noqa: E402
from bastion.preparedness import drafting  # noqa: E402
from bastion.preparedness.models import EmergencyPlan  # noqa: E402
from bastion.regions.repository import RegionRepo  # noqa: E402

ANDORRA = REPO / "data" / "osm" / "andorra-2023-05.osm.pbf"
NOW = dt.datetime(2027, 1, 4, 9, 0, tzinfo=dt.UTC)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sample", type=int, default=25, help="sites drafted by both methods (the baseline is slow)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        eng = make_engine(f"sqlite:///{Path(d) / 'b.db'}")
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        import_osm(sf, ANDORRA, "Andorra")
        with sf() as s:
            region = RegionRepo(s).by_name("Andorra")
            assert region is not None
            rid = region.id
            d0 = drafting.load_region(s, rid)  # warms the routing graph cache for both methods
            sample = sorted(d0.sites)[: args.sample]

        t0 = time.perf_counter()
        base: dict[tuple[int, str], object] = {}
        with sf() as s:
            for sid in sample:
                dd = drafting.load_region(s, rid, [sid])
                for threat in dd.ranking[sid][:3]:
                    base[(sid, threat)] = drafting.draft_content(dd, sid, threat)
        baseline_s = time.perf_counter() - t0

        t0 = time.perf_counter()
        drafting.draft_region(sf, rid, now=NOW, site_ids=sample)
        ours_s = time.perf_counter() - t0
        with sf() as s:
            ours = {(p.site_id, p.threat): (p.sections, p.data) for p in s.scalars(select(EmergencyPlan))}
        identical = ours == base

        t0 = time.perf_counter()
        rep = drafting.draft_region(sf, rid, now=NOW)
        all_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = drafting.draft_region(sf, rid, now=NOW)
        rerun_s = time.perf_counter() - t0
        eng.dispose()
    print(f"sample of {len(sample)} sites x 3 threats: per-site {baseline_s:.2f} s, batched {ours_s:.2f} s")
    print(f"Andorra, every site: {rep.sites} sites, {rep.plans_created + len(base)} plans in total "
          f"({rep.plans_created} new in this run) in {all_s:.2f} s; re-run {rerun_s:.2f} s "
          f"({again.unchanged} unchanged, {again.plans_created} new)")
    print(json.dumps({"baseline": "per_site", "baseline_s": round(baseline_s, 3), "ours_s": round(ours_s, 3),
                      "ratio": round(baseline_s / ours_s, 2), "identical": identical, "sample_sites": len(sample),
                      "region_sites": rep.sites, "region_all_s": round(all_s, 3), "rerun_s": round(rerun_s, 3)}))


if __name__ == "__main__":
    main()
