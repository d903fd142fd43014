"""Repositories: queries over the models. They flush but never commit (the unit of work does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Boolean
from sqlalchemy import ColumnElement
from sqlalchemy import Select
from sqlalchemy import case
from sqlalchemy import func
from sqlalchemy import literal_column
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.access.policy import Scope
from bastion.kernel.errors import NotFound
from bastion.regions.repository import scope_condition
from bastion.sites.models import Site


@dataclass(frozen=True)
class SiteFilter:
    region_id: int | None = None
    categories: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    text: str | None = None
    bbox: tuple[float, float, float, float] | None = None
    include_missing: bool = False
    scope: Scope | None = None  # access control: the regions / agency-owned sites the caller may see


_PUNCT = "-'’.,/()"


def fold_text(text: str) -> str:
    """Search text as names are compared: lower case, punctuation as spaces, spaces collapsed."""
    t = text.lower()
    for c in _PUNCT:
        t = t.replace(c, " ")
    return " ".join(t.split())


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _folded_name() -> ColumnElement[str]:
    """The name folded in SQL the same way (portable: lower and replace exist in SQLite and PostgreSQL)."""
    expr: ColumnElement[str] = func.lower(func.coalesce(Site.name, ""))
    for c in _PUNCT:
        expr = func.replace(expr, c, " ")
    return func.replace(func.replace(expr, "   ", " "), "  ", " ")


def _relevance(text: str) -> ColumnElement[int]:
    exact = fold_text(text)
    q = _esc(exact)
    name = _folded_name()
    return case(
        (name == exact, 0),
        (name.like(f"{q}%", escape="\\"), 1),
        (name.like(f"% {q}", escape="\\") | name.like(f"% {q} %", escape="\\"), 2),
        (name.like(f"%{q}%", escape="\\"), 3),
        else_=4,
    )


FOOTPRINT_GIST = "ix_sites_footprint_geom_gist"  # platform/postgis.py: the GiST index of the footprint twin


def bbox_condition(bbox: tuple[float, float, float, float], dialect: str) -> list[ColumnElement[bool]]:
    """Sites whose bounding box meets ``bbox`` (edges included). The bbox columns decide on every backend; on
    PostgreSQL the footprint's PostGIS twin (`geometry`, 4326, GiST-indexed: ADR 0004) first finds the candidates
    with `&&` through the index (its boxes are float4 rounded outwards, so a superset), which a national table of
    sites needs (bench/postgis.py: 271 ms full scan -> 2.1 ms). Same answers on both backends
    (tests/sites/test_sites_bbox_gist.py)."""
    minx, miny, maxx, maxy = bbox
    exact = [Site.max_lon >= minx, Site.min_lon <= maxx, Site.max_lat >= miny, Site.min_lat <= maxy]
    if dialect != "postgresql":
        return exact
    envelope = func.ST_MakeEnvelope(minx, miny, maxx, maxy, 4326)
    return [literal_column("sites.footprint_geom").op("&&", return_type=Boolean)(envelope), *exact]


class SiteRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def get(self, site_id: int) -> Site:
        site = self.s.get(Site, site_id)
        if site is None:
            raise NotFound(f"site {site_id} does not exist")
        return site

    def _filtered(self, f: SiteFilter) -> Select[Site]:
        q = select(Site)
        if f.region_id is not None:
            q = q.where(Site.region_id == f.region_id)
        if f.categories:
            q = q.where(Site.category.in_(f.categories))
        if f.kinds:
            q = q.where(Site.kind.in_(f.kinds))
        if f.text:
            q = q.where(_folded_name().like(f"%{_esc(fold_text(f.text))}%", escape="\\"))
        if f.bbox is not None:
            q = q.where(*bbox_condition(f.bbox, self.s.get_bind().dialect.name))
        if not f.include_missing:
            q = q.where(Site.missing_from_source.is_(False))
        if f.scope is not None and not f.scope.everything:
            q = q.where(scope_condition(f.scope, Site.region_id, Site.operator_agency_id))  # type: ignore[arg-type]
        return q

    def list(self, f: SiteFilter, *, limit: int | None = None, offset: int = 0) -> tuple[Sequence[Site], int]:
        q = self._filtered(f)
        total = self.s.scalar(select(func.count()).select_from(q.subquery())) or 0
        if f.text:  # relevance: exact name, then prefix, then a whole word, then anywhere; bigger places first
            q = q.order_by(
                _relevance(f.text),
                func.coalesce(Site.capacity_override, Site.capacity_estimated, -1).desc(),
                Site.name,
                Site.id,
            )
        else:
            q = q.order_by(Site.category, Site.name, Site.id)
        q = q.offset(offset)
        if limit is not None:
            q = q.limit(limit)
        return self.s.scalars(q).all(), total

    def natural_keys(self, region_id: int, source: str) -> dict[tuple[str, str], Site]:
        rows = self.s.scalars(select(Site).where(Site.region_id == region_id, Site.source == source)).all()
        return {(r.source_type, r.source_id): r for r in rows}

    def counts_by_region(self) -> dict[int, int]:
        """Sites present in the source, per region id."""
        rows = self.s.execute(
            select(Site.region_id, func.count()).where(Site.missing_from_source.is_(False)).group_by(Site.region_id)
        ).all()
        return {r: n for r, n in rows}
