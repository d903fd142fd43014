"""Site use cases: query, edit, export, and merge an office's own list with the OSM registry."""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping
from sqlalchemy import func
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access import service as accounts
from bastion.algorithms.sites.capacity import CapacityEstimate
from bastion.algorithms.sites.capacity import estimate_capacity
from bastion.algorithms.sites.geometry import area_m2
from bastion.algorithms.sites.geometry import length_m
from bastion.algorithms.sites.geometry import representative_lonlat
from bastion.algorithms.sites.hours import parse_opening_hours
from bastion.algorithms.sites.matching import NearbySites
from bastion.algorithms.sites.model import SiteRecord
from bastion.algorithms.sites.taxonomy import CATEGORIES
from bastion.algorithms.sites.taxonomy import KIND_TO_CATEGORY
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.db.versioning import claim
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.regions.repository import RegionRepo
from bastion.sites.files import ExportRow
from bastion.sites.files import UserSiteRow
from bastion.sites.files import read_user_sites
from bastion.sites.models import Site
from bastion.sites.repository import SiteFilter
from bastion.sites.repository import SiteRepo
from bastion.sites.rows import site_values

log = logging.getLogger(__name__)

MATCH_RADIUS_M = 50.0  # a listed site this close to an OSM site of the same category is the same place


def check_filter(
    *, region_id: int | None, categories: Sequence[str] = (), kinds: Sequence[str] = (), text: str | None = None,
    bbox: Sequence[float] | None = None, include_missing: bool = False,
) -> SiteFilter:
    for c in categories:
        if c not in CATEGORIES:
            raise InvalidInput(f"category {c!r} is unknown; use one of {', '.join(CATEGORIES)}", field="category")
    for k in kinds:
        if k not in KIND_TO_CATEGORY:
            raise InvalidInput(f"kind {k!r} is unknown; use one of {', '.join(KIND_TO_CATEGORY)}", field="kind")
    box = None
    if bbox is not None:
        if len(bbox) != 4 or not all(math.isfinite(v) for v in bbox):
            raise InvalidInput("bbox must be four numbers: minlon,minlat,maxlon,maxlat", field="bbox")
        minx, miny, maxx, maxy = (float(v) for v in bbox)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise InvalidInput("bbox must satisfy -180 <= minlon <= maxlon <= 180 and -90 <= minlat <= maxlat <= 90",
                               field="bbox")
        box = (minx, miny, maxx, maxy)
    if text is not None and len(text) > 200:
        raise InvalidInput("text search must be at most 200 characters", field="q")
    return SiteFilter(region_id, tuple(categories), tuple(kinds), text or None, box, include_missing)


def list_sites(s: Session, f: SiteFilter, *, limit: int | None, offset: int = 0) -> tuple[Sequence[Site], int]:
    if f.region_id is not None:
        RegionRepo(s).get(f.region_id)
    return SiteRepo(s).list(f, limit=limit, offset=offset)


@dataclass(frozen=True)
class SiteEdit:
    """User edits. A field left as UNSET is not changed; None clears it."""

    capacity_override: int | None | object = field(default=...)
    notes: str | None | object = field(default=...)
    operator_agency: str | None | object = field(default=...)  # the operating agency's name


def edit_site(session_factory: sessionmaker[Session], site_id: int, edit: SiteEdit, *,
              expected_version: int | None = None, actor: accounts.Actor | None = None) -> Site:
    """Change the editable fields in one transaction; `expected_version`: the version the caller read (409 when it
    moved on). A change of operator is audited (as ``actor``)."""
    with unit_of_work(session_factory) as s:
        site = SiteRepo(s).get(site_id)
        claim(s, Site, site_id, expected_version, what="site", obj=site)
        if edit.operator_agency is not ...:
            agency_id = _operator_by_name(s, edit.operator_agency)
            if agency_id != site.operator_agency_id:
                _set_operator(s, site, agency_id, actor)
        if edit.capacity_override is not ...:
            v = edit.capacity_override
            if v is not None and (not isinstance(v, int) or isinstance(v, bool) or not 0 <= v <= 10_000_000):
                raise InvalidInput("capacity_override must be a whole number of people from 0 to 10,000,000, "
                                   "or null to clear it", field="capacity_override")
            site.capacity_override = v
        if edit.notes is not ...:
            n = edit.notes
            if n is not None and (not isinstance(n, str) or len(n) > 10_000):
                raise InvalidInput("notes must be text of at most 10,000 characters, or null", field="notes")
            site.notes = n
        site.updated_at = utcnow()
        s.flush()
        return site


def site_geometry(site: Site) -> Any:
    return shapely.from_wkb(site.geometry_wkb)


def export_rows(sites: Sequence[Site], region_names: dict[int, str]) -> list[ExportRow]:
    return [
        ExportRow(
            {
                "id": s.id, "name": s.name, "category": s.category, "kind": s.kind, "capacity": s.capacity,
                "capacity_low": s.capacity_band[0], "capacity_high": s.capacity_band[1],
                "capacity_method": "user_override" if s.capacity_override is not None else s.capacity_method,
                "capacity_override": s.capacity_override, "opening_hours": s.opening_hours_raw, "source": s.source,
                "osm_type": s.source_type if s.source == "osm" else None,
                "osm_id": s.source_id if s.source == "osm" else None,
                "osm_members": " ".join(s.osm_members or []) or None, "user_ref": s.user_ref,
                "region": region_names.get(s.region_id), "lon": round(s.lon, 7), "lat": round(s.lat, 7),
                "area_m2": None if s.area_m2 is None else round(s.area_m2, 1), "notes": s.notes,
                "missing_from_osm": s.missing_from_source,
            },
            site_geometry(s),
        )
        for s in sites
    ]


def site_feature(s: Site, *, footprint: bool = False) -> dict[str, Any]:
    geom = mapping(site_geometry(s)) if footprint else {"type": "Point", "coordinates": [s.lon, s.lat]}
    return {
        "type": "Feature", "id": s.id, "geometry": geom,
        "properties": {
            "id": s.id, "name": s.name, "category": s.category, "kind": s.kind, "capacity": s.capacity,
            "capacity_low": s.capacity_band[0], "capacity_high": s.capacity_band[1],
            "capacity_method": "user_override" if s.capacity_override is not None else s.capacity_method,
            "osm_type": s.source_type if s.source == "osm" else None,
            "osm_id": s.source_id if s.source == "osm" else None, "source": s.source,
            "missing_from_osm": s.missing_from_source,
        },
    }


@dataclass
class UserImportReport:
    list_name: str
    matched_osm: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def rows_changed(self) -> int:
        return self.matched_osm + self.inserted + self.updated


def _resolve_kind(r: UserSiteRow) -> tuple[str, str]:
    if r.kind:
        if r.kind not in KIND_TO_CATEGORY:
            raise InvalidInput(f"row {r.row}: kind {r.kind!r} is unknown; use one of {', '.join(KIND_TO_CATEGORY)}",
                               field="kind")
        return KIND_TO_CATEGORY[r.kind], r.kind
    if r.category:
        if r.category not in CATEGORIES:
            raise InvalidInput(f"row {r.row}: category {r.category!r} is unknown; use one of {', '.join(CATEGORIES)}",
                               field="category")
        return r.category, CATEGORIES[r.category][0]
    raise InvalidInput(f"row {r.row}: give a kind (e.g. stadium) or a category (e.g. venue)", field="kind")


def _record(r: UserSiteRow, list_name: str, category: str, kind: str) -> SiteRecord:
    geom = r.geometry
    lon, lat = representative_lonlat(geom)
    a, ln = area_m2(geom), length_m(geom)
    cap = (CapacityEstimate(r.capacity, "user_list", {"list": list_name}) if r.capacity is not None
           else estimate_capacity(kind, capacity_tag=None, footprint_area_m2=a, levels_tag=None, line_length_m=ln))
    return SiteRecord(
        source="user", source_type=list_name, source_id=r.ref, name=r.name, category=category, kind=kind,
        geometry=geom, lon=lon, lat=lat, area_m2=a, length_m=ln, capacity=cap,
        hours=parse_opening_hours(r.opening_hours) if r.opening_hours else None, tags={},
    )


def _nearby_match(cand: list[Site], nearby: NearbySites, r: UserSiteRow, category: str) -> Site | None:
    """The nearest unlinked OSM site of the same category within MATCH_RADIUS_M (among the five nearest)."""
    near, _ = nearby.within(*representative_lonlat(r.geometry), MATCH_RADIUS_M, k=5)
    for j in near:
        site: Site = cand[int(j)]
        if site.category == category and site.user_ref is None:
            return site
    return None


def import_user_sites(
    session_factory: sessionmaker[Session], path: Path, region_ref: str, *, list_name: str | None = None,
    mapping_: dict[str, str] | None = None, crs: str | None = None,
) -> UserImportReport:
    """Merge an office's own list into a region: rows matching an OSM site (explicit osm reference, or the same
    category within 50 m) are linked to it (no duplicate); others become user sites keyed by (list, id).
    Idempotent; one transaction."""
    rows = read_user_sites(path, mapping_=mapping_, crs=crs)
    list_name = (list_name or Path(path).stem)[:100]
    resolved = [(r, *_resolve_kind(r)) for r in rows]
    now = utcnow()
    with unit_of_work(session_factory) as s:
        region = RegionRepo(s).get_by_ref(region_ref)
        report = UserImportReport(list_name)
        repo = SiteRepo(s)
        osm_sites = repo.natural_keys(region.id, "osm")
        user_sites = repo.natural_keys(region.id, "user")
        linked = {(x.user_list, x.user_ref): x for x in osm_sites.values() if x.user_ref}
        by_member = {ref: x for x in osm_sites.values() for ref in (x.osm_members or [])}
        cand = [x for x in osm_sites.values() if not x.missing_from_source]
        nearby = NearbySites([x.lon for x in cand], [x.lat for x in cand])
        inserts = []
        for r, category, kind in resolved:
            target = linked.get((list_name, r.ref))
            if target is None and r.osm is not None:  # the site's key, or any OSM object merged into it
                target = osm_sites.get(r.osm) or by_member.get(f"{r.osm[0]}/{r.osm[1]}")
                if target is None:
                    raise InvalidInput(f"row {r.row}: osm reference {r.osm[0]}/{r.osm[1]} is not a site of region "
                                       f"{region.name!r}", field="osm")
            if target is None and len(cand):
                target = _nearby_match(cand, nearby, r, category)
            if target is not None:
                changes = {"user_list": list_name, "user_ref": r.ref}
                if r.capacity is not None:
                    changes["capacity_override"] = r.capacity  # type: ignore[assignment]
                if r.notes is not None and not target.notes:
                    changes["notes"] = r.notes
                if any(getattr(target, k) != v for k, v in changes.items()):
                    for k, v in changes.items():
                        setattr(target, k, v)
                    target.updated_at = now
                    report.matched_osm += 1
                else:
                    report.unchanged += 1
                continue
            values = site_values(_record(r, list_name, category, kind))
            existing = user_sites.get((list_name, r.ref))
            if existing is None:
                inserts.append({**values, "region_id": region.id, "source": "user", "source_type": list_name,
                                "source_id": r.ref, "user_list": list_name, "user_ref": r.ref, "notes": r.notes,
                                "missing_from_source": False, "first_seen_at": now, "last_seen_at": now,
                                "updated_at": now})
            elif existing.content_hash != values["content_hash"]:
                s.execute(update(Site).where(Site.id == existing.id).values(**values, updated_at=now, last_seen_at=now))
                report.updated += 1
            else:
                report.unchanged += 1
        if inserts:
            s.execute(insert(Site), inserts)
            report.inserted = len(inserts)
    return report


def set_site_operator(sf: sessionmaker[Session], site_id: int, agency: str | int | None, *,
                      actor: accounts.Actor, expected_version: int | None = None) -> int | None:
    """Record which agency operates a site (None: nobody); site operators and agency members of that agency then
    reach it. Returns the agency id."""
    with unit_of_work(sf) as s:
        site = s.get(Site, site_id)
        if site is None:
            raise NotFound(f"site {site_id} does not exist")
        agency_id = None if agency is None else accounts.agency_by_ref(s, agency).id
        claim(s, Site, site_id, expected_version, what="site", obj=site)
        _set_operator(s, site, agency_id, actor)
        site.updated_at = utcnow()
        return agency_id


def _operator_by_name(s: Session, name: object) -> int | None:
    """The id of the agency named ``name`` (None or blank: no operator); an unknown name is refused by field."""
    if name is None or (isinstance(name, str) and not name.strip()):
        return None
    if not isinstance(name, str) or len(name.strip()) > 200:
        raise InvalidInput("operator_agency must be an agency's name (at most 200 characters) or null",
                           field="operator_agency")
    agency_id = next((a.id for a in accounts.list_agencies(s) if a.name == name.strip()), None)
    if agency_id is None:
        raise InvalidInput(f"operator_agency: there is no agency named {name.strip()!r}; give the exact name of an "
                           "agency (an administrator adds agencies under Administration)", field="operator_agency")
    return agency_id


def _set_operator(s: Session, site: Site, agency_id: int | None, actor: accounts.Actor | None) -> None:
    before = site.operator_agency_id
    site.operator_agency_id = agency_id
    audit.record(s, actor=actor.name if actor else "system", action="site.set_operator", object_type="site",
                 object_id=site.id, client=actor.client if actor else None, details={"from": before, "to": agency_id})


def operator_names(s: Session, sites: Sequence[Site]) -> dict[int, str]:
    """Agency names by id for the operators of ``sites`` (one query)."""
    ids = {x.operator_agency_id for x in sites if x.operator_agency_id is not None}
    if not ids:
        return {}
    return {a.id: a.name for a in accounts.list_agencies(s) if a.id in ids}


def site_id_by_ref(s: Session, ref: str, region_id: int | None) -> int:
    """A site by id, or by exact name (within the region when given)."""
    if ref.isdigit():
        return SiteRepo(s).get(int(ref)).id
    q = select(Site.id).where(func.lower(Site.name) == ref.lower())
    if region_id is not None:
        q = q.where(Site.region_id == region_id)
    ids = list(s.scalars(q))
    if not ids:
        raise NotFound(f"site {ref!r} does not exist: give a site id or its exact name",
                       hint="find it with `bastion sites list --q TEXT`")
    if len(ids) > 1:
        raise InvalidInput(f"{len(ids)} sites are named {ref!r} (ids {', '.join(map(str, ids))}): give the id",
                           field="site")
    return ids[0]
