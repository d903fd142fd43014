"""Duty generation at scale: 10,000 sites x ~20 duties for one period, in one transaction.

Sites: the real Monaco and Andorra sites imported from the bundled OSM extracts, copied (every column kept,
a new source id) until the Monaco region holds 10,000; duties are generated for that region.
Responsibility rules come from one CSV (lead
office, four sector agencies by category, an operator rule). Duties: the shipped catalogue
(src/bastion/office/packs/duties.yaml) at the current posture, plus open findings.

Baseline ("naive ORM"): each site tiered through risk.service.site_tiers (queries per site), each duty checked
and added as an ORM object. Ours: bastion.office.duties.generate (batch tiering, one key query, bulk insert).
Both run on their own copy of the same database; the stored duties must be identical. Then ours runs again
and must create nothing. Last line: JSON.
Run: .venv/bin/python bench/duties.py [--sites 10000]
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

from sqlalchemy import insert  # noqa: E402
from sqlalchemy import select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402
from sqlalchemy.orm import sessionmaker  # noqa: E402

from bastion.access.models import Agency  # noqa: E402
from bastion.algorithms.office import duties as dalgo  # noqa: E402
from bastion.algorithms.office import responsibility as ralgo  # noqa: E402
from bastion.imports.service import import_osm  # noqa: E402
from bastion.kernel.db.engine import make_engine  # noqa: E402
from bastion.kernel.db.engine import make_session_factory  # noqa: E402
from bastion.kernel.db.uow import unit_of_work  # noqa: E402
from bastion.office import duties as duty_svc  # noqa: E402
from bastion.office import responsibility as resp  # noqa: E402
from bastion.office.models import Duty  # noqa: E402
from bastion.platform import migrate  # noqa: E402
from bastion.risk import service as risk_svc  # noqa: E402
from bastion.sites.models import Site  # noqa: E402

OSM = REPO / "data" / "osm"
ON = dt.date(2026, 11, 30)
AGENCIES = [("Lead office", "lead_office"), ("Education bureau", "education"), ("Health bureau", "health"),
            ("Transport bureau", "transport"), ("Culture and tourism bureau", "other"),
            ("Venue operators", "venue_operator")]
RULES_CSV = """role,agency,region,category,tier,site_id,reason
lead,Lead office,,,,,
supervising,Education bureau,,education,,,
supervising,Health bureau,,health,,,
supervising,Transport bureau,,transport,,,
supervising,Culture and tourism bureau,,venue,,,
supervising,Culture and tourism bureau,,tourism,,,
supervising,Culture and tourism bureau,,hotel,,,
operator,Venue operators,,,,,
"""


def build_db(path: Path, n_sites: int) -> sessionmaker[Session]:
    """Monaco and Andorra imported, then their sites copied into Monaco until there are ``n_sites``."""
    eng = make_engine(f"sqlite:///{path}")
    migrate.upgrade(eng)
    sf = make_session_factory(eng)
    monaco = import_osm(sf, OSM / "monaco-2023-12.osm.pbf", "Monaco", boundary_file=OSM / "monaco-boundary.geojson")
    import_osm(sf, OSM / "andorra-2023-05.osm.pbf", "Andorra")
    with unit_of_work(sf) as s:
        real = list(s.scalars(select(Site).order_by(Site.id)))
        cols = [c.key for c in Site.__table__.columns if c.key != "id"]
        base = [{k: getattr(x, k) for k in cols} for x in real]
        rows, i = [], 0
        in_monaco = sum(1 for x in real if x.region_id == monaco.region_id)
        while in_monaco + len(rows) < n_sites:
            src = base[i % len(base)]
            rows.append({**src, "region_id": monaco.region_id, "source": "copy",
                         "source_id": f"{src['source_id']}-copy{i}", "osm_members": None})
            i += 1
        for k in range(0, len(rows), 2000):
            s.execute(insert(Site), rows[k:k + 2000])
        for name, kind in AGENCIES:
            s.add(Agency(name=name, kind=kind))
    resp.import_csv(sf, RULES_CSV)
    eng.dispose()  # checkpoint the WAL so that a file copy holds everything
    return make_session_factory(make_engine(f"sqlite:///{path}"))


def naive(sf: sessionmaker[Session]) -> int:
    """The baseline: per-site tiering through the risk service, per-duty ORM objects."""
    tpl = duty_svc.catalogue()
    with unit_of_work(sf) as s:
        sites = list(s.scalars(select(Site).where(Site.missing_from_source.is_(False), Site.region_id == 1)
                              .order_by(Site.id)))
        rules = [ralgo.ResponsibilityRule(r.id, r.role, r.agency_id, r.region_id, r.category, r.tier)
                 for r in resp.list_rules(s)]
        keys = []
        for x in sites:
            tiers = frozenset(f"{t.standard_id}:{t.tier}" for t in risk_svc.site_tiers(s, x) if t.status == "tiered")
            keys.append(ralgo.SiteKey(x.id, x.region_id, x.category, tiers, x.operator_agency_id))
        res = ralgo.resolve(keys, rules, [])
        at = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
        ranks = {rid: duty_svc.region_rank(s, rid, now=at) for rid in {k.region_id for k in keys}}
        n = 0
        for d in dalgo.generate(keys, res.assignments, tpl, on=ON, rank_by_region=ranks):
            s.add(Duty(site_id=d.site_id, code=d.code, period=d.period, role=d.role, agency_id=d.agency_id,
                       due_on=d.due, title=d.title, evidence=d.evidence, source=d.source, status="open"))
            n += 1
        return n


def snapshot(sf: sessionmaker[Session]) -> set[tuple[object, ...]]:
    with sf() as s:
        return set(s.execute(select(Duty.site_id, Duty.code, Duty.period, Duty.role, Duty.agency_id, Duty.due_on)
                             ).all())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=10_000)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-duties-"))
    try:
        build_db(tmp / "a.db", args.sites).kw["bind"].dispose()
        shutil.copy(tmp / "a.db", tmp / "b.db")
        sf_a = make_session_factory(make_engine(f"sqlite:///{tmp / 'a.db'}"))
        sf_b = make_session_factory(make_engine(f"sqlite:///{tmp / 'b.db'}"))
        t0 = time.perf_counter()
        n_base = naive(sf_a)
        baseline_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = duty_svc.generate(sf_b, on=ON, region_id=1)
        ours_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = duty_svc.generate(sf_b, on=ON, region_id=1)
        again_s = time.perf_counter() - t0
        identical = snapshot(sf_a) == snapshot(sf_b) and again.created == 0 and n_base == rep.created
        print(f"sites: {rep.sites:,} (real Monaco + Andorra sites, copied); duties: {rep.created:,} "
              f"({rep.created / rep.sites:.1f} per site, {rep.unassigned:,} with no agency for the role)")
        print(f"baseline naive ORM: {baseline_s:.2f} s; ours: {ours_s:.2f} s; second run: {again.created} new "
              f"in {again_s:.2f} s")
        print(json.dumps({"baseline_s": round(baseline_s, 3), "ours_s": round(ours_s, 3),
                          "ratio": round(baseline_s / ours_s, 2), "identical": identical, "sites": rep.sites,
                          "duties": rep.created, "second_run_created": again.created,
                          "second_run_s": round(again_s, 3)}))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
