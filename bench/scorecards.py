"""Scorecards for 50 agencies over 10,000 sites (copies of the real Monaco and Andorra sites, bench/duties.py).

50 operator agencies are assigned by per-site exceptions (site id modulo 50), duties are generated for one
period (about 200,000), a fifth of them marked done on various days. Ours: bastion.office.scorecards (one pass
over the rows). Baseline ("per agency"): for each agency, its own queries and the same formulas. Identical:
every figure equal. Coverage of each agency's sites: the region's per-site coverage is stored first
(bastion.office.coverage.refresh over the copies: 11 real Monaco units routed to every crowded site, not timed);
ours reads it through the responsibility matrix inside the same scorecards call; the baseline counts, per agency,
its exception sites' stored times (sites within 1/3/5 min) with its own query. Last line: JSON.
Run: .venv/bin/python bench/scorecards.py [--sites 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from duties import build_db  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy import update  # noqa: E402

from bastion.access.models import Agency  # noqa: E402
from bastion.kernel.db.uow import unit_of_work  # noqa: E402
from bastion.office import coverage  # noqa: E402
from bastion.office import duties as duty_svc  # noqa: E402
from bastion.office import scorecards as svc  # noqa: E402
from bastion.office.config import settings  # noqa: E402
from bastion.office.escalation import duty_deadline  # noqa: E402
from bastion.office.models import Duty  # noqa: E402
from bastion.office.models import SiteCoverage  # noqa: E402
from bastion.office.models import SiteResponsibility  # noqa: E402
from bastion.sites.models import Site  # noqa: E402

START, END = dt.date(2026, 11, 1), dt.date(2027, 1, 1)
N_AGENCIES = 50


def per_agency(sf, names: dict[int, str]) -> dict[str, tuple[object, ...]]:  # type: ignore[no-untyped-def]
    tz = settings().timezone
    s0 = dt.datetime.combine(START, dt.time(), tzinfo=dt.UTC)
    e0 = dt.datetime.combine(END, dt.time(), tzinfo=dt.UTC)
    out = {}
    with sf() as s:
        for aid, name in names.items():
            rows = s.execute(select(Duty.due_on, Duty.done_at, Duty.created_at).where(Duty.agency_id == aid)).all()
            due = [(duty_deadline(d, tz), done, created) for d, done, created in rows]
            due = [r for r in due if s0 <= r[0] < e0]
            on_time = sum(1 for dl, done, _c in due if done is not None and done <= dl)
            closed = [(done - c).total_seconds() / 86400 for _dl, done, c in due if done is not None]
            out[name] = (len(due), on_time, round(100 * on_time / len(due), 1) if due else None, len(closed),
                         round(statistics.median(closed), 2) if closed else None,
                         sum(1 for dl, done, _c in due if done is None and dl < e0))
    return out


def per_agency_coverage(sf, names: dict[int, str]) -> dict[str, tuple[object, ...]]:  # type: ignore[no-untyped-def]
    out = {}
    with sf() as s:
        for aid, name in names.items():
            times = list(s.scalars(select(SiteCoverage.time_s).join(
                SiteResponsibility, SiteResponsibility.site_id == SiteCoverage.site_id)
                .where(SiteResponsibility.agency_id == aid)))
            within = tuple(sum(1 for x in times if x is not None and x <= lim) for lim in (60, 180, 300))
            out[name] = (len(times), within)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-scorecards-"))
    try:
        sf = build_db(tmp / "s.db", args.sites)
        with unit_of_work(sf) as s:
            ids = [int(x) for x in s.scalars(select(Site.id).where(Site.region_id == 1).order_by(Site.id))]
            ags = [Agency(name=f"Operator {i:02d}", kind="venue_operator") for i in range(N_AGENCIES)]
            s.add_all(ags)
            s.flush()
            s.add_all(SiteResponsibility(site_id=sid, role="operator", agency_id=ags[k % N_AGENCIES].id)
                      for k, sid in enumerate(ids))
        duty_svc.generate(sf, on=dt.date(2026, 11, 30), region_id=1, now=dt.datetime(2026, 11, 1, tzinfo=dt.UTC))
        with unit_of_work(sf) as s:
            dids = [int(x) for x in s.scalars(select(Duty.id).order_by(Duty.id))]
            for k, did in enumerate(dids[::5]):
                s.execute(update(Duty).where(Duty.id == did).values(
                    status="done", done_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC) + dt.timedelta(hours=7 * (k % 90))))
        with sf() as s:
            names = {a.id: a.name for a in s.scalars(select(Agency).where(Agency.name.like("Operator %")))}
        cov = coverage.refresh(sf, 1, now=dt.datetime(2026, 11, 30, tzinfo=dt.UTC))
        t0, c0 = time.perf_counter(), time.process_time()
        with sf() as s:
            cards = svc.scorecards(s, start=START, end=END, region_id=1)
        ours_s, ours_cpu = time.perf_counter() - t0, time.process_time() - c0
        t0, c0 = time.perf_counter(), time.process_time()
        base = per_agency(sf, names)
        base_cov = per_agency_coverage(sf, names)
        baseline_s, base_cpu = time.perf_counter() - t0, time.process_time() - c0
        wanted = set(names.values())
        mine = {c.name: (c.duties.due, c.duties.closed_on_time, c.duties.on_time_pct, c.duties.closed,
                         c.duties.median_days_to_close, c.duties.open_overdue) for c in cards if c.name in wanted}
        mine_cov = {c.name: (c.coverage.sites, c.coverage.within) for c in cards if c.name in wanted and c.coverage}
        identical = mine == base and len(mine) == N_AGENCIES and mine_cov == base_cov
        print(f"{len(mine)} agencies over {len(ids):,} sites (copies of real Monaco/Andorra sites), "
              f"{sum(v[0] for v in mine.values()):,} duties due in {START} – {END}")
        print(f"coverage stored for {cov.sites:,} crowded sites ({cov.units} units): {cov.within} within 1/3/5 min; "
              f"per agency {sum(v[0] for v in mine_cov.values()):,} sites")
        print(f"ours (all cards incl. the other agencies): {ours_s:.3f} s ({ours_cpu:.3f} s CPU); baseline per-agency "
              f"queries: {baseline_s:.3f} s ({base_cpu:.3f} s CPU); CPU time is the figure on a shared machine")
        print(json.dumps({"baseline_s": round(baseline_s, 3), "ours_s": round(ours_s, 3),
                          "ratio": round(baseline_s / ours_s, 2), "identical": identical, "agencies": len(mine),
                          "ours_cpu_s": round(ours_cpu, 3), "baseline_cpu_s": round(base_cpu, 3)}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
