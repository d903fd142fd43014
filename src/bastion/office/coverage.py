"""Coverage of each agency's sites: the coverage domain's per-site result (fastest response unit, 1/3/5-minute
standards) stored per site when a region is refreshed, read by the scorecards together with the responsibility
system (an agency's sites are those where it holds any role: operator, supervising or lead office).

The coverage analysis routes every unit over the road graph (seconds per region): it runs on `refresh`
(CLI `bastion office coverage-refresh`, REST, or the `office.coverage_refresh` job), never inside a scorecard."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.office import responsibility as ralgo
from bastion.algorithms.office import scorecard as algo
from bastion.algorithms.office.responsibility import SiteKey
from bastion.coverage import service as coverage_svc
from bastion.kernel.db.uow import unit_of_work
from bastion.office.models import SiteCoverage
from bastion.office.models import SiteResponsibility
from bastion.office.responsibility import list_rules
from bastion.office.responsibility import resolve_region
from bastion.office.sites_index import load_sites
from bastion.sites.models import Site

log = logging.getLogger(__name__)
STANDARDS_S = (60, 180, 300)  # the 1/3/5-minute response standards; 180 s is the headline figure


@dataclass(frozen=True)
class RefreshReport:
    region_id: int
    sites: int
    flagged: int  # off the road graph: stored as not reached
    within: tuple[int, ...]  # sites within each of STANDARDS_S
    units: int


def refresh(sf: sessionmaker[Session], region_id: int, *, now: dt.datetime) -> RefreshReport:
    """Run the coverage analysis of the region (every available unit, every crowded place, weight 1 per site) and
    replace the region's stored per-site results, in one transaction."""
    with unit_of_work(sf) as s:
        rep = coverage_svc.analyze(s, region_id, standards_s=STANDARDS_S, weight_basis="sites")
        rows = [{"site_id": x.site_id, "region_id": region_id, "time_s": x.time_s, "computed_at": now}
                for x in rep.sites]
        rows += [{"site_id": f.site_id, "region_id": region_id, "time_s": None, "computed_at": now}
                 for f in rep.flagged]
        s.execute(delete(SiteCoverage).where(SiteCoverage.region_id == region_id))
        if rows:
            s.execute(insert(SiteCoverage), rows)
        out = RefreshReport(region_id, len(rows), len(rep.flagged),
                            tuple(rep.standard(x).covered_sites for x in STANDARDS_S), rep.n_units)
        log.info("office coverage %d: %d sites stored, within %s", region_id, len(rows), out.within)
        return out


def coverage_rows(s: Session, by: str, region_id: int | None) -> list[tuple[int, int, float | None]]:
    """(key, site id, time) for every stored site: key = region, or each agency holding a role at the site."""
    q = select(SiteCoverage.site_id, SiteCoverage.region_id, SiteCoverage.time_s)
    if region_id is not None:
        q = q.where(SiteCoverage.region_id == region_id)
    stored = [(int(a), int(b), c) for a, b, c in s.execute(q)]
    if by == "region" or not stored:
        return [(rid, sid, t) for sid, rid, t in stored]
    times = {sid: t for sid, _rid, t in stored}
    rules = [ralgo.ResponsibilityRule(r.id, r.role, r.agency_id, r.region_id, r.category, r.tier)
             for r in list_rules(s, region_id=region_id)]
    if any(r.tier for r in rules):  # tiering is only needed when a rule is scoped by tier
        sites = [x for x in load_sites(s, region_id=region_id) if x.id in times]
        _keys, res = resolve_region(s, region_id, sites=sites)
    else:  # what the rules read without tiers: region, category, the site's own operator
        sq = select(Site.id, Site.region_id, Site.category, Site.operator_agency_id).where(
            Site.missing_from_source.is_(False))
        if region_id is not None:
            sq = sq.where(Site.region_id == region_id)
        none: frozenset[str] = frozenset()
        keys = [SiteKey(a, b, c, none, d) for a, b, c, d in s.execute(sq) if a in times]
        eq = select(SiteResponsibility.site_id, SiteResponsibility.role, SiteResponsibility.agency_id)
        excs = [ralgo.SiteException(a, b, c) for a, b, c in s.execute(eq) if a in times]
        res = ralgo.resolve(keys, rules, excs)
    out = []
    for sid, roles in res.assignments.items():
        for agency in {a.agency_id for a in roles.values()}:
            out.append((agency, sid, times[sid]))
    return out


def coverage_cards(s: Session, *, by: str, keys: list[int], region_id: int | None) -> dict[int, algo.CoverageCard]:
    return algo.coverage_cards(coverage_rows(s, by, region_id), keys, standards_s=STANDARDS_S)
