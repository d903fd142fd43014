"""Posture change SUBSTANTIAL -> SEVERE over 10,000 sites, including the stored tasks.

Sites: the real Monaco and Andorra sites from the bundled OSM extracts, copied into the Monaco region until
there are 10,000 (bench/duties.py build_db). The region first stores its SUBSTANTIAL requirement (sync); a
SEVERE declaration is proposed by one account and approved by another: ours = the approval (rule matrix,
vectorised diff, inserting new tasks and closing switched-off ones, one transaction).

Baseline ("from scratch", on a copy of the same database): the SEVERE requirement recomputed site by site and
rule by rule in plain Python, compared with every stored open task, the difference written through the ORM.
Identical = both databases end with the same open tasks (site, rule, agency, deadline), equal to the
from-scratch SEVERE requirement, and our diff equals the from-scratch set difference SEVERE - SUBSTANTIAL.
Last line: JSON.
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

from duties import build_db  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bastion.kernel.db.engine import make_engine  # noqa: E402
from bastion.kernel.db.engine import make_session_factory  # noqa: E402
from bastion.kernel.db.uow import unit_of_work  # noqa: E402
from bastion.office import responsibility as resp  # noqa: E402
from bastion.posture import service as ps  # noqa: E402
from bastion.posture.models import PostureTask  # noqa: E402
from bastion.risk import service as risk_svc  # noqa: E402

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


def naive_apply(sf: sessionmaker[Session], region_id: int, levels: dict[str, str]) -> None:
    """Baseline: recompute the requirement from scratch site by site, compare with every stored open task and
    write the difference through the ORM (what a straightforward implementation does)."""
    rules = {r.rule_id: r for r in ps.pack().rules}
    with unit_of_work(sf) as s:
        keys, res = resp.resolve_region(s, region_id)
        gaps = risk_svc.vehicle_gap_sites(s, [k.site_id for k in keys])
        want = from_scratch(keys, gaps, levels)
        have = {(t.site_id, t.rule_id): t for t in s.scalars(select(PostureTask).where(
            PostureTask.region_id == region_id, PostureTask.status == "open"))}
        for key, t in have.items():
            if key not in want:
                t.status, t.closed_at, t.closed_reason = "closed", NOW, "de-escalation"
        for sid, rid in sorted(want - set(have)):
            r = rules[rid]
            op = res.assignments[sid].get("operator")
            s.add(PostureTask(declaration_id=None, region_id=region_id, site_id=sid, rule_id=rid, kind=r.kind,
                              agency_id=op.agency_id if op else None, status="open", created_at=NOW,
                              due_at=NOW + dt.timedelta(hours=r.deadline_h) if r.deadline_h else None))


def open_tasks(sf: sessionmaker[Session]) -> set[tuple[int, str, int | None, dt.datetime | None]]:
    with sf() as s:
        return {(t.site_id, t.rule_id, t.agency_id, t.due_at) for t in s.scalars(select(PostureTask).where(
            PostureTask.status == "open"))}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-posture-"))
    try:
        sf = build_db(tmp / "p.db", args.sites)
        region_id = 1
        with sf() as s:
            n_sites = len(resp.resolve_region(s, region_id)[0])
        ps.sync(sf, region_id, now=NOW)
        sf.kw["bind"].dispose()
        shutil.copy(tmp / "p.db", tmp / "q.db")
        sf = make_session_factory(make_engine(f"sqlite:///{tmp / 'p.db'}"))
        sf_base = make_session_factory(make_engine(f"sqlite:///{tmp / 'q.db'}"))
        d = ps.propose(sf, region_id, scheme="uk", level="SEVERE", reason="bench", now=NOW,
                       by=ps.Signer("user:a", 1))
        before = {(a, b) for a, b, _c, _d in open_tasks(sf)}
        t0 = time.perf_counter()
        rep = ps.approve(sf, d.id, now=NOW, by=ps.Signer("user:b", 2))
        ours_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        naive_apply(sf_base, region_id, {"uk": "SEVERE", "cn": "normal", "ntas": "none"})
        baseline_s = time.perf_counter() - t0
        ours, base = open_tasks(sf), open_tasks(sf_base)
        with sf() as s:
            keys, _res = resp.resolve_region(s, region_id)
            gaps = risk_svc.vehicle_gap_sites(s, [k.site_id for k in keys])
            req0 = from_scratch(keys, gaps, {"uk": "SUBSTANTIAL", "cn": "normal", "ntas": "none"})
            req1 = from_scratch(keys, gaps, {"uk": "SEVERE", "cn": "normal", "ntas": "none"})
        after = {(a, b) for a, b, _c, _d in ours}
        identical = (ours == base and after == req1 and after - before == req1 - req0
                     and before - after == req0 - req1 and rep.created == len(req1 - req0))
        print(f"sites: {n_sites:,} in one region (real Monaco + Andorra sites, copied); SUBSTANTIAL -> SEVERE: "
              f"{rep.created:,} tasks/measures created, {rep.closed:,} closed; open afterwards {len(after):,}")
        print(f"ours (approve: vectorised diff + stored changes): {ours_s:.3f} s; baseline (from-scratch "
              f"recompute + ORM writes): {baseline_s:.3f} s")
        print(json.dumps({"baseline_s": round(baseline_s, 3), "ours_s": round(ours_s, 3),
                          "ratio": round(baseline_s / ours_s, 2), "identical": identical, "sites": n_sites,
                          "created": rep.created, "closed": rep.closed}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
