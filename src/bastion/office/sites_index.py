"""Sites as the office sees them: id, region, category, tiers (batch-tiered under every standard) and operator.
Read-only; one column query for sites, one for their facts (no geometry or tags are loaded)."""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.algorithms.office.responsibility import SiteKey
from bastion.algorithms.risk import SiteProfile
from bastion.algorithms.risk import tier_all
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.sites.models import SiteFact


@dataclass(frozen=True)
class SiteRow:
    """What tiering and responsibility read of a site (tiering never reads opening hours)."""

    id: int
    region_id: int
    name: str | None
    category: str
    kind: str
    capacity: int | None
    capacity_method: str
    capacity_band: tuple[int, int] | None
    operator_agency_id: int | None


_COLS = (Site.id, Site.region_id, Site.name, Site.category, Site.kind, Site.capacity_estimated, Site.capacity_override,
         Site.capacity_method, Site.capacity_low, Site.capacity_high, Site.operator_agency_id)


def _row(r: tuple[object, ...]) -> SiteRow:
    sid, rid, name, cat, kind, est, ovr, method, low, high, op = r
    cap = ovr if ovr is not None else est
    if ovr is not None:
        lo, hi = ovr, ovr
    else:
        lo = low if low is not None else est
        hi = high if high is not None else est
    band = (lo, hi) if lo is not None and hi is not None and lo <= hi else None  # type: ignore[operator]
    return SiteRow(sid, rid, name, cat, kind, cap, method, band, op)  # type: ignore[arg-type]


def load_sites(s: Session, *, region_id: int | None = None, site_ids: Sequence[int] | None = None) -> list[SiteRow]:
    q = select(*_COLS).where(Site.missing_from_source.is_(False))
    if region_id is not None:
        q = q.where(Site.region_id == region_id)
    if site_ids is not None:
        q = q.where(Site.id.in_(list(site_ids)))
    return [_row(tuple(r)) for r in s.execute(q.order_by(Site.id))]


def site_keys(s: Session, sites: Sequence[SiteRow], *,
              heightened: Mapping[int, Mapping[str, str]] | None = None) -> list[SiteKey]:
    """Every site's tiers under every standard, at the region's current heightened level or, for the regions in
    ``heightened`` (region id -> standard id -> level), at that one (a posture being previewed)."""
    ids = [x.id for x in sites]
    facts: dict[int, dict[str, object]] = {}
    q = select(SiteFact.site_id, SiteFact.key, SiteFact.value)
    for sid, key, value in s.execute(q):
        facts.setdefault(sid, {})[key] = value.get("v")
    idset = set(ids)
    facts = {k: v for k, v in facts.items() if k in idset}
    stds = list(risk_svc.standards().values())
    levels = {rid: dict(risk_svc.threat_setting(s, rid).heightened_levels) for rid in {x.region_id for x in sites}}
    levels.update({rid: dict(v) for rid, v in (heightened or {}).items()})
    cache: dict[tuple[object, ...], frozenset[str]] = {}
    out = []
    empty: dict[str, object] = {}
    for x in sites:
        f = facts.get(x.id, empty)
        # sites identical in what tiering reads get the same tiers (copies of real sites in the benchmark)
        key = (x.region_id, x.category, x.kind, x.capacity, x.capacity_method, x.capacity_band,
               tuple(sorted((k, repr(v)) for k, v in f.items())) if f else ())
        tiers = cache.get(key)
        if tiers is None:
            prof = SiteProfile(str(x.id), x.category, x.kind, capacity=x.capacity, capacity_method=x.capacity_method,
                               capacity_band=x.capacity_band, facts=f)
            res = tier_all(prof, stds, heightened_levels=levels[x.region_id])
            tiers = cache[key] = frozenset(f"{r.standard_id}:{r.tier}" for r in res if r.status == "tiered")
        out.append(SiteKey(x.id, x.region_id, x.category, tiers, x.operator_agency_id))
    return out
