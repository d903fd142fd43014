"""Sites as the office sees them: id, region, category, tiers (batch-tiered under every standard) and operator.
Read-only; one query for sites, one for their facts."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.algorithms.office.responsibility import SiteKey
from bastion.algorithms.risk import SiteProfile
from bastion.algorithms.risk import tier_all
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.sites.models import SiteFact


def _profile(site: Site, facts: dict[str, object]) -> SiteProfile:
    low, high = site.capacity_band
    band = (low, high) if low is not None and high is not None and low <= high else None
    weekly = site.opening_hours_weekly if site.opening_hours_valid else None
    return SiteProfile(str(site.id), site.category, site.kind, capacity=site.capacity,
                       capacity_method=site.capacity_method, capacity_band=band,
                       open_intervals=None if weekly is None else tuple((int(a), int(b)) for a, b in weekly),
                       facts=facts)


def load_sites(s: Session, *, region_id: int | None = None, site_ids: Sequence[int] | None = None) -> list[Site]:
    q = select(Site).where(Site.missing_from_source.is_(False))
    if region_id is not None:
        q = q.where(Site.region_id == region_id)
    if site_ids is not None:
        q = q.where(Site.id.in_(list(site_ids)))
    return list(s.scalars(q.order_by(Site.id)))


def site_keys(s: Session, sites: Sequence[Site]) -> list[SiteKey]:
    """Every site's tiers under every standard (at the region's current heightened level)."""
    ids = [x.id for x in sites]
    facts: dict[int, dict[str, object]] = {i: {} for i in ids}
    for chunk in range(0, len(ids), 5000):
        for f in s.scalars(select(SiteFact).where(SiteFact.site_id.in_(ids[chunk:chunk + 5000]))):
            facts[f.site_id][f.key] = f.value.get("v")
    stds = list(risk_svc.standards().values())
    settings = {rid: risk_svc.threat_setting(s, rid) for rid in {x.region_id for x in sites}}
    cache: dict[tuple[object, ...], frozenset[str]] = {}
    out = []
    for x in sites:
        f = facts[x.id]
        # sites identical in what tiering reads get the same tiers (copies of real sites in the benchmark)
        key = (x.region_id, x.category, x.kind, x.capacity, x.capacity_method, x.capacity_band,
               tuple(sorted((k, repr(v)) for k, v in f.items())))
        if key not in cache:
            res = tier_all(_profile(x, f), stds, heightened_levels=settings[x.region_id].heightened_levels)
            cache[key] = frozenset(f"{r.standard_id}:{r.tier}" for r in res if r.status == "tiered")
        out.append(SiteKey(x.id, x.region_id, x.category, cache[key], x.operator_agency_id))
    return out
