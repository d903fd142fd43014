"""Posture change SUBSTANTIAL -> SEVERE over 10,000 sites, including the stored tasks.

Sites: the real Monaco and Andorra sites from the bundled OSM extracts, copied into the Monaco region until
there are 10,000 (bench/duties.py build_db). The region first stores its SUBSTANTIAL requirement (sync); a
SEVERE declaration is proposed by one account and approved by another: ours = the approval (rule matrix,
vectorised diff, inserting new tasks and closing switched-off ones, one transaction).

Baseline ("from scratch"): the requirement at SUBSTANTIAL and at SEVERE recomputed site by site and rule by
rule in plain Python, then the set differences. Identical = our stored diff equals the from-scratch set
difference, and the open tasks afterwards equal the from-scratch SEVERE requirement. Last line: JSON.
Run: .venv/bin/python bench/posture.py [--sites 10000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "bench"))

from sqlalchemy import select  # noqa: E402

from bastion.office import responsibility as resp  # noqa: E402
from bastion.posture import service as ps  # noqa: E402
from bastion.posture.models import PostureTask  # noqa: E402
from bastion.risk import service as risk_svc  # noqa: E402
from duties import build_db  # noqa: E402

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def from_scratch(keys: list, gaps: set[int], levels: dict[str, str]) -> set[tuple[int, str]]:
    out = set()
    for k in keys:
        for r in ps.pack().rules:
            if r.kind == "patrol" or not r.gate(levels):
                continue
            if r.site_categories and k.category not in r.site_categories:
                continue
            if r.tiers and not (r.tiers & k.tiers):
                continue
            if r.kind == "hvm" and k.site_id not in gaps:
                continue
            out.add((k.site_id, r.rule_id))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-posture-"))
    try:
        sf = build_db(tmp / "p.db", args.sites)
        with sf() as s:
            region_id = 1
            n_sites = len(resp.resolve_region(s, region_id)[0])
        ps.sync(sf, region_id, now=NOW)
        d = ps.propose(sf, region_id, scheme="uk", level="SEVERE", reason="bench", now=NOW, actor="user:a",
                       account_id=1)
        with sf() as s:
            before_open = {(t.site_id, t.rule_id) for t in s.scalars(select(PostureTask).where(
                PostureTask.status == "open"))}
        t0 = time.perf_counter()
        rep = ps.approve(sf, d.id, now=NOW, actor="user:b", account_id=2)
        ours_s = time.perf_counter() - t0
        with sf() as s:
            after_open = {(t.site_id, t.rule_id) for t in s.scalars(select(PostureTask).where(
                PostureTask.status == "open"))}
            t0 = time.perf_counter()
            keys, _res = resp.resolve_region(s, region_id)
            gaps = risk_svc.vehicle_gap_sites(s, [k.site_id for k in keys])
            req0 = from_scratch(keys, gaps, {"uk": "SUBSTANTIAL", "cn": "normal", "ntas": "none"})
            req1 = from_scratch(keys, gaps, {"uk": "SEVERE", "cn": "normal", "ntas": "none"})
            added, removed = req1 - req0, req0 - req1
            baseline_s = time.perf_counter() - t0
        stored_added, stored_removed = after_open - before_open, before_open - after_open
        identical = (stored_added == added and stored_removed == removed and after_open == req1
                     and rep.created == len(added) and rep.closed == len(removed))
        print(f"sites: {n_sites:,} (real Monaco + Andorra sites, copied); SUBSTANTIAL -> SEVERE: "
              f"{rep.created:,} tasks/measures created, {rep.closed:,} closed; open afterwards {len(after_open):,}")
        print(f"ours (approve incl. storing): {ours_s:.3f} s; baseline from-scratch recompute (no storing): "
              f"{baseline_s:.3f} s")
        print(json.dumps({"baseline_s": round(baseline_s, 3), "ours_s": round(ours_s, 3),
                          "ratio": round(baseline_s / ours_s, 2), "identical": identical, "sites": n_sites,
                          "created": rep.created, "closed": rep.closed}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
