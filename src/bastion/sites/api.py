"""Regions and sites routes (thin: parse, call one service, return a schema)."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated
from typing import Any
from typing import Literal

import shapely
from fastapi import APIRouter
from fastapi import Query
from fastapi import Request
from fastapi import Response
from fastapi.responses import JSONResponse
from shapely.geometry import mapping
from starlette.background import BackgroundTask
from starlette.responses import FileResponse

from bastion.access.http import AuthDep
from bastion.access.http import GuardDep
from bastion.access.http import actor_of
from bastion.access.http import region_resource
from bastion.access.http import require
from bastion.access.http import site_resource
from bastion.access.policy import Permission
from bastion.access.schemas import SiteOperator
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.http import MAX_ID
from bastion.kernel.http import IdPath
from bastion.kernel.http import PreconditionDep
from bastion.kernel.http import SessionDep
from bastion.kernel.http import SessionFactoryDep
from bastion.kernel.http import set_etag
from bastion.kernel.pagination import PageDep
from bastion.regions.models import Region
from bastion.regions.repository import RegionRepo
from bastion.regions.roadmap import road_map
from bastion.sites import service as site_service
from bastion.sites.files import to_csv
from bastion.sites.files import to_geojson
from bastion.sites.files import write_gpkg
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo
from bastion.sites.schemas import RegionList
from bastion.sites.schemas import RegionRead
from bastion.sites.schemas import SiteList
from bastion.sites.schemas import SiteRead
from bastion.sites.schemas import SiteUpdate

router = APIRouter(prefix="/api/v1", tags=["sites"])


REGION_READ = [require(Permission.REGION_READ)]


def _region(session: SessionDep, guard: GuardDep, region_id: int) -> Region:
    guard.check(Permission.REGION_READ, region_resource(region_id), object_type="region", object_id=region_id)
    return RegionRepo(session).get(region_id)


def region_read(r: Region, count: int) -> RegionRead:
    bbox: list[float] | None = None
    if r.min_lon is not None and r.min_lat is not None and r.max_lon is not None and r.max_lat is not None:
        bbox = [r.min_lon, r.min_lat, r.max_lon, r.max_lat]
    return RegionRead(id=r.id, name=r.name, slug=r.slug, bbox=bbox, site_count=count, osm_file=r.osm_file,
                      osm_timestamp=r.osm_timestamp, boundary_source=r.boundary_source)


def site_read(s: Site, *, notes: bool = True, operators: Mapping[int, str] | None = None) -> SiteRead:
    """``notes``: include the free-text notes (security posture: only for site:sensitive_read); ``operators``:
    agency names by id (site_service.operator_names)."""
    return SiteRead(
        id=s.id, region_id=s.region_id, name=s.name, category=s.category, kind=s.kind, source=s.source,
        osm_type=s.source_type if s.source == "osm" else None, osm_id=s.source_id if s.source == "osm" else None,
        user_list=s.user_list, user_ref=s.user_ref, operator_agency_id=s.operator_agency_id,
        operator_agency=(operators or {}).get(s.operator_agency_id) if s.operator_agency_id is not None else None,
        version=s.version, lon=s.lon, lat=s.lat,
        geometry=mapping(shapely.from_wkb(s.geometry_wkb)), area_m2=s.area_m2, length_m=s.length_m,
        capacity=s.capacity, capacity_estimated=s.capacity_estimated, capacity_method=s.capacity_method,
        capacity_inputs=s.capacity_inputs, capacity_override=s.capacity_override,
        capacity_low=s.capacity_band[0], capacity_high=s.capacity_band[1], osm_members=list(s.osm_members or []),
        opening_hours_raw=s.opening_hours_raw, opening_hours_valid=s.opening_hours_valid,
        opening_hours_weekly=s.opening_hours_weekly, opening_hours_error=s.opening_hours_error, tags=s.tags,
        notes=s.notes if notes else None, missing_from_osm=s.missing_from_source, updated_at=s.updated_at,
    )


def _notes_shown(guard: GuardDep, sites: Sequence[Site], what: str) -> set[int]:
    """Ids of the sites whose notes the caller may read (site:sensitive_read); the read of any is audited."""
    sc = guard.scope(Permission.SITE_SENSITIVE_READ)
    shown = {s.id for s in sites if s.notes and sc.admits(s.region_id, s.operator_agency_id)}
    if shown:
        guard.sensitive_read("site", next(iter(shown)) if len(shown) == 1 else None, what)
    return shown


@router.get("/regions", response_model=RegionList, dependencies=REGION_READ)
def list_regions(session: SessionDep, guard: GuardDep, page: PageDep) -> RegionList:
    repo = RegionRepo(session)
    counts = SiteRepo(repo.s).counts_by_region()
    sc = guard.scope(Permission.REGION_READ)
    items = [region_read(r, counts.get(r.id, 0)) for r in repo.list() if sc.admits(r.id)]
    return RegionList.of(items, page)


@router.get("/regions/{region_id}", response_model=RegionRead, dependencies=REGION_READ)
def get_region(region_id: IdPath, session: SessionDep, guard: GuardDep) -> RegionRead:
    r = _region(session, guard, region_id)
    return region_read(r, SiteRepo(session).counts_by_region().get(region_id, 0))


@router.get("/regions/{region_id}/boundary", dependencies=REGION_READ)
def get_boundary(region_id: IdPath, session: SessionDep, guard: GuardDep) -> dict[str, Any]:
    r = _region(session, guard, region_id)
    if r.boundary_wkb is None:
        raise NotFound(f"region {region_id} has no boundary")
    return {"type": "Feature", "geometry": mapping(shapely.from_wkb(r.boundary_wkb)),
            "properties": {"name": r.name, "source": r.boundary_source}}


@router.get("/regions/{region_id}/roads", dependencies=REGION_READ, response_class=Response, responses={200: {
    "description": "GeoJSON FeatureCollection of LineStrings (gzip-encoded when accepted; ETag, 304 on If-None-Match)",
    "content": {"application/geo+json": {"schema": {"type": "object"}}}}, 304: {"description": "not modified"}})
def get_roads(region_id: IdPath, request: Request, session: SessionDep, guard: GuardDep) -> Response:
    """The region's drivable roads as GeoJSON LineStrings (one per road piece; two-way pieces once), built once per
    road network (regions/roadmap.py)."""
    rm = road_map(session, _region(session, guard, region_id))
    headers = {"ETag": rm.etag, "Cache-Control": "private, no-cache", "Vary": "Accept-Encoding"}
    if rm.etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(rm.gzip_body, media_type="application/geo+json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(rm.body(), media_type="application/geo+json", headers=headers)


IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="region id")]


CategoryQ = Annotated[list[str] | None, Query(description="filter by category (repeatable)")]


BboxQ = Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat", max_length=200)]


def _bbox(bbox: str | None) -> list[float] | None:
    if bbox is None:
        return None
    try:
        return [float(v) for v in bbox.split(",")]
    except ValueError:
        raise InvalidInput("bbox must be four numbers: minlon,minlat,maxlon,maxlat", field="bbox") from None


GEOJSON_OR_JSON: dict[int | str, dict[str, Any]] = {200: {
    "model": SiteList, "description": "sites (format=json) or a GeoJSON FeatureCollection (format=geojson)",
    "content": {"application/geo+json": {"schema": {"type": "object"}}}}}


EXPORT_TYPES: dict[int | str, dict[str, Any]] = {200: {"description": "the export file", "content": {
    "application/geo+json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}},
    "application/geopackage+sqlite3": {"schema": {"type": "string", "format": "binary"}}}}}


@router.get("/sites", response_model=None, dependencies=[require(Permission.SITE_READ)], responses=GEOJSON_OR_JSON)
def list_sites(
    session: SessionDep,
    guard: GuardDep,
    page: PageDep,
    region_id: IdQuery = None,
    category: CategoryQ = None,
    kind: Annotated[list[str] | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    bbox: BboxQ = None,
    include_missing: bool = False,
    format: Literal["json", "geojson"] = "json",
) -> Any:
    f = site_service.check_filter(region_id=region_id, categories=category or (), kinds=kind or (), text=q,
                                  bbox=_bbox(bbox), include_missing=include_missing)
    f = dataclasses.replace(f, scope=guard.scope(Permission.SITE_READ))
    sites, total = site_service.list_sites(session, f, limit=page.limit, offset=page.offset)
    if format == "geojson":
        return JSONResponse({"type": "FeatureCollection", "total": total,
                             "features": [site_service.site_feature(s) for s in sites]},
                            media_type="application/geo+json")
    shown = _notes_shown(guard, sites, "site_notes")
    operators = site_service.operator_names(session, sites)
    return SiteList(items=[site_read(s, notes=s.id in shown, operators=operators) for s in sites], total=total,
                    limit=page.limit, offset=page.offset)


@router.get("/sites/export", response_model=None, dependencies=[require(Permission.SITE_READ)],
            responses=EXPORT_TYPES)
def export_sites(
    session: SessionDep,
    guard: GuardDep,
    format: Literal["geojson", "csv", "gpkg"],
    region_id: IdQuery = None,
    category: CategoryQ = None,
) -> Response:
    f = site_service.check_filter(region_id=region_id, categories=category or ())
    f = dataclasses.replace(f, scope=guard.scope(Permission.SITE_READ))
    sites, _ = site_service.list_sites(session, f, limit=None)
    names = {r.id: r.name for r in RegionRepo(session).list()}
    rows = site_service.export_rows(sites, names)
    guard.sensitive_read("site", None, f"sites_export.{format}")  # every export is recorded
    shown = _notes_shown(guard, sites, "site_notes_export")
    for r in rows:
        if r.values["id"] not in shown:
            r.values["notes"] = None
    if format == "geojson":
        return JSONResponse(to_geojson(rows), media_type="application/geo+json",
                            headers={"Content-Disposition": 'attachment; filename="sites.geojson"'})
    if format == "csv":
        return Response(to_csv(rows), media_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="sites.csv"'})
    tmp = Path(tempfile.mkdtemp()) / "sites.gpkg"
    write_gpkg(rows, tmp)
    return FileResponse(tmp, media_type="application/geopackage+sqlite3", filename="sites.gpkg",
                        background=BackgroundTask(shutil.rmtree, tmp.parent, ignore_errors=True))


@router.get("/sites/{site_id}", response_model=SiteRead, dependencies=[require(Permission.SITE_READ)])
def get_site(site_id: IdPath, session: SessionDep, guard: GuardDep, response: Response) -> SiteRead:
    """One site; its ETag is its version (send it back in If-Match to edit it)."""
    site = SiteRepo(session).get(site_id)
    guard.check(Permission.SITE_READ, site_resource(site), object_id=site_id)
    set_etag(response, site.version)
    return site_read(site, notes=site.id in _notes_shown(guard, [site], "site_notes"),
                     operators=site_service.operator_names(session, [site]))


@router.patch("/sites/{site_id}", response_model=SiteRead, dependencies=[require(Permission.SITE_EDIT)])
def patch_site(site_id: IdPath, body: SiteUpdate, sf: SessionFactoryDep, guard: GuardDep, pre: PreconditionDep,
               response: Response, request: Request, auth: AuthDep) -> SiteRead:
    """Edit the capacity override, the notes or the operating agency (by name). Send the version you read (If-Match or `version`): a stale one is
    refused with 409 naming the current version, so a concurrent edit is never silently lost."""
    with sf() as s:
        site = SiteRepo(s).get(site_id)
        guard.check(Permission.SITE_EDIT, site_resource(site), object_id=site_id)
        fields = body.model_fields_set
        if "operator_agency" in fields:  # who may reach the site: the whole jurisdiction's call, as PUT …/operator
            guard.check(Permission.SITE_EDIT, region_resource(site.region_id), object_type="region",
                        object_id=site.region_id)
    edit = site_service.SiteEdit(
        capacity_override=body.capacity_override if "capacity_override" in fields else ...,
        notes=body.notes if "notes" in fields else ...,
        operator_agency=body.operator_agency if "operator_agency" in fields else ...,
    )
    site = site_service.edit_site(sf, site_id, edit, expected_version=pre.expected(body.version),
                                  actor=actor_of(request, auth))
    set_etag(response, site.version)
    with sf() as s:
        return site_read(site, operators=site_service.operator_names(s, [site]))


@router.put("/sites/{site_id}/operator", response_model=SiteRead, dependencies=[require(Permission.SITE_EDIT)],
            tags=["sites"])
def set_site_operator(site_id: IdPath, body: SiteOperator, request: Request, auth: AuthDep, guard: GuardDep,
                      sf: SessionFactoryDep, pre: PreconditionDep, response: Response) -> SiteRead:
    """Set the agency operating a site. Needs site:edit over the whole jurisdiction (an agency cannot hand a site
    to itself or give its own away)."""
    with sf() as s:
        site = SiteRepo(s).get(site_id)
        guard.check(Permission.SITE_EDIT, site_resource(site), object_id=site_id)
        guard.check(Permission.SITE_EDIT, region_resource(site.region_id), object_type="region",
                    object_id=site.region_id)
    site_service.set_site_operator(sf, site_id, body.agency_id, actor=actor_of(request, auth),
                                   expected_version=pre.expected(body.version))
    with sf() as s:
        site = SiteRepo(s).get(site_id)
        set_etag(response, site.version)
        return site_read(site, operators=site_service.operator_names(s, [site]))
