"""Repositories: queries over the models. They flush but never commit (the unit of work does)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_
from sqlalchemy import delete
from sqlalchemy import false
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.kernel.db.base import rows_changed
from bastion.kernel.errors import NotFound
from bastion.regions.models import Region
from bastion.regions.models import RoadEdge
from bastion.regions.models import RoadNode


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
            raise NotFound(f"region {region_id} does not exist", hint="list regions with `bastion regions list`")
        return region

    def by_name(self, name: str) -> Region | None:
        return self.s.scalar(select(Region).where(or_(Region.name == name, Region.slug == name)))

    def get_by_ref(self, ref: str | int) -> Region:
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            return self.get(int(ref))
        region = self.by_name(ref)
        if region is None:
            raise NotFound(f"region {ref!r} does not exist", hint="list regions with `bastion regions list`")
        return region

    def list(self) -> Sequence[Region]:
        return self.s.scalars(select(Region).order_by(Region.name)).all()

    def add(self, region: Region) -> Region:
        self.s.add(region)
        self.s.flush()
        return region


def scope_condition(scope: Any, region_col: object, agency_col: object) -> object:
    """SQL condition admitting the rows a principal's scope reaches (full regions, or its agency's own)."""
    conds = []
    if scope.full_regions:
        conds.append(region_col.in_(scope.full_regions))  # type: ignore[attr-defined]
    if scope.agency_id is not None and (scope.agency_regions is None or scope.agency_regions):
        own = agency_col == scope.agency_id
        conds.append(own if scope.agency_regions is None
                     else and_(region_col.in_(scope.agency_regions), own))  # type: ignore[attr-defined]
    return or_(*conds) if conds else false()





class RoadRepo:
    def __init__(self, session: Session) -> None:
        self.s = session

    def delete_region(self, region_id: int) -> tuple[int, int]:
        e = rows_changed(self.s.execute(delete(RoadEdge).where(RoadEdge.region_id == region_id)))
        n = rows_changed(self.s.execute(delete(RoadNode).where(RoadNode.region_id == region_id)))
        return n, e

    def counts(self, region_id: int) -> tuple[int, int]:
        n = self.s.scalar(select(func.count()).where(RoadNode.region_id == region_id)) or 0
        e = self.s.scalar(select(func.count()).where(RoadEdge.region_id == region_id)) or 0
        return n, e

    def edges(self, region_id: int) -> Sequence[RoadEdge]:
        return self.s.scalars(select(RoadEdge).where(RoadEdge.region_id == region_id).order_by(RoadEdge.id)).all()

    def nodes(self, region_id: int) -> Sequence[RoadNode]:
        return self.s.scalars(select(RoadNode).where(RoadNode.region_id == region_id).order_by(RoadNode.id)).all()
