"""Repositories: queries over the models. They flush but never commit (the unit of work does)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, delete, false, func, or_, select
from sqlalchemy.orm import Session

from bastion.auth.permissions import Scope
from bastion.db.models import Region, RoadEdge, RoadNode, Site
from bastion.errors import NotFound


def slugify(name: str) -> str:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-zA-Z0-9]+", "-", text).strip("-").lower()
    return slug or "region"


class RegionRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, region_id: int) -> Region:
        region = self.s.get(Region, region_id)
        if region is None:
            raise NotFound(f"region {region_id} does not exist: list regions with `bastion regions list`")
        return region

    def by_name(self, name: str) -> Region | None:
        return self.s.scalar(select(Region).where(or_(Region.name == name, Region.slug == name)))

    def get_by_ref(self, ref: str | int) -> Region:
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return self.get(int(ref))
        region = self.by_name(ref)
        if region is None:
            raise NotFound(f"region {ref!r} does not exist: list regions with `bastion regions list`")
        return region

    def list(self) -> Sequence[Region]:
        return self.s.scalars(select(Region).order_by(Region.name)).all()

    def site_counts(self) -> dict[int, int]:
        rows = self.s.execute(
            select(Site.region_id, func.count()).where(Site.missing_from_source.is_(False)).group_by(Site.region_id)
        ).all()
        return {r: n for r, n in rows}

    def add(self, region: Region) -> Region:
        self.s.add(region)
        self.s.flush()
        return region


@dataclass(frozen=True)
class SiteFilter:
    region_id: int | None = None
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    text: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    include_missing: bool = False
    scope: Scope | None = None  # access control: the regions / agency-owned sites the caller may see


def scope_condition(scope: Scope, region_col: object, agency_col: object) -> object:
    """SQL condition admitting the rows a principal's scope reaches (full regions, or its agency's own)."""
    conds = []
    if scope.full_regions:
        conds.append(region_col.in_(scope.full_regions))  # type: ignore[attr-defined]
    if scope.agency_id is not None and (scope.agency_regions is None or scope.agency_regions):
        own = agency_col == scope.agency_id
        conds.append(own if scope.agency_regions is None
                     else and_(region_col.in_(scope.agency_regions), own))  # type: ignore[attr-defined]
    return or_(*conds) if conds else false()


class SiteRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, site_id: int) -> Site:
        site = self.s.get(Site, site_id)
        if site is None:
            raise NotFound(f"site {site_id} does not exist")
        return site

    def _filtered(self, f: SiteFilter) -> Select[tuple[Site]]:
        q = select(Site)
        if f.region_id is not None:
            q = q.where(Site.region_id == f.region_id)
        if f.categories:
            q = q.where(Site.category.in_(f.categories))
        if f.kinds:
            q = q.where(Site.kind.in_(f.kinds))
        if f.text:
            like = f"%{f.text.lower()}%"
            q = q.where(func.lower(func.coalesce(Site.name, "")).like(like))
        if f.bbox is not None:
            minx, miny, maxx, maxy = f.bbox
            q = q.where(Site.max_lon >= minx, Site.min_lon <= maxx, Site.max_lat >= miny, Site.min_lat <= maxy)
        if not f.include_missing:
            q = q.where(Site.missing_from_source.is_(False))
        if f.scope is not None and not f.scope.everything:
            q = q.where(scope_condition(f.scope, Site.region_id, Site.operator_agency_id))  # type: ignore[arg-type]
        return q

    def list(self, f: SiteFilter, *, limit: int | None = None, offset: int = 0) -> tuple[Sequence[Site], int]:
        q = self._filtered(f)
        total = self.s.scalar(select(func.count()).select_from(q.subquery())) or 0
        q = q.order_by(Site.category, Site.name, Site.id).offset(offset)
        if limit is not None:
            q = q.limit(limit)
        return self.s.scalars(q).all(), total

    def natural_keys(self, region_id: int, source: str) -> dict[tuple[str, str], Site]:
        rows = self.s.scalars(select(Site).where(Site.region_id == region_id, Site.source == source)).all()
        return {(r.source_type, r.source_id): r for r in rows}


class RoadRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def delete_region(self, region_id: int) -> tuple[int, int]:
        e = self.s.execute(delete(RoadEdge).where(RoadEdge.region_id == region_id)).rowcount
        n = self.s.execute(delete(RoadNode).where(RoadNode.region_id == region_id)).rowcount
        return n, e

    def counts(self, region_id: int) -> tuple[int, int]:
        n = self.s.scalar(select(func.count()).where(RoadNode.region_id == region_id)) or 0
        e = self.s.scalar(select(func.count()).where(RoadEdge.region_id == region_id)) or 0
        return n, e

    def edges(self, region_id: int) -> Sequence[RoadEdge]:
        return self.s.scalars(select(RoadEdge).where(RoadEdge.region_id == region_id).order_by(RoadEdge.id)).all()

    def nodes(self, region_id: int) -> Sequence[RoadNode]:
        return self.s.scalars(select(RoadNode).where(RoadNode.region_id == region_id).order_by(RoadNode.id)).all()
