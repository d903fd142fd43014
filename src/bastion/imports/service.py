"""OSM import use case: one transaction, idempotent, keyed by OSM type + id, user edits never touched."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.routing.network import RoadNetwork
from bastion.algorithms.sites.model import SiteRecord
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.regions.models import Region
from bastion.regions.models import RoadEdge
from bastion.regions.models import RoadNode
from bastion.regions.osm import BarrierRecord
from bastion.regions.osm import read_extract
from bastion.regions.repository import RegionRepo
from bastion.regions.repository import RoadRepo
from bastion.regions.repository import slugify
from bastion.sites.files import read_boundary
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo
from bastion.sites.rows import barrier_values
from bastion.sites.rows import site_values
from bastion.vehicle.models import OsmBarrier

log = logging.getLogger(__name__)


@dataclass
class ImportReport:
    region_id: int
    region_name: str
    file: str
    sites_inserted: int = 0
    sites_updated: int = 0
    sites_unchanged: int = 0
    sites_marked_missing: int = 0
    sites_restored: int = 0
    road_nodes: int = 0
    road_edges: int = 0
    barriers_inserted: int = 0
    barriers_updated: int = 0
    barriers_deleted: int = 0
    barriers_unchanged: int = 0
    roads_replaced: bool = False
    region_changed: bool = False
    units_inserted: int = 0  # response units seeded from OSM police / fire stations
    units_updated: int = 0
    per_category: dict[str, int] = field(default_factory=dict)
    read_s: float = 0.0
    write_s: float = 0.0

    @property
    def rows_changed(self) -> int:
        roads = (self.road_nodes + self.road_edges) if self.roads_replaced else 0
        return (
            self.sites_inserted + self.sites_updated + self.sites_marked_missing + self.sites_restored + roads
            + int(self.region_changed) + self.units_inserted + self.units_updated
            + self.barriers_inserted + self.barriers_updated + self.barriers_deleted
        )


def roads_hash(net: RoadNetwork) -> str:
    h = hashlib.sha256()
    for arr in (net.node_osm_id, net.node_lon, net.node_lat, net.edge_u, net.edge_v, net.edge_length_m,
                net.edge_speed_kph, net.edge_way_id, net.edge_oneway, net.edge_speed_tagged):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update(json.dumps(net.edge_highway).encode())
    if net.edge_grade:  # tunnels, bridges, other layers (all-ground networks keep their earlier hash)
        h.update(json.dumps(net.edge_grade).encode())
    return h.hexdigest()


def _region_boundary(boundary: BaseGeometry | None, net: RoadNetwork) -> BaseGeometry | None:
    if boundary is not None:
        return boundary
    if net.n_nodes >= 3:
        return shapely.convex_hull(shapely.multipoints(np.column_stack([net.node_lon, net.node_lat])))
    return None


def import_osm(
    session_factory: sessionmaker[Session],
    path: Path,
    region_name: str,
    *,
    boundary_file: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ImportReport:
    """Import an OSM extract into a region (created if new). Nothing is written if anything fails."""
    region_name = region_name.strip()
    if not region_name or len(region_name) > 200:
        raise InvalidInput("region name must be 1 to 200 characters, e.g. --region Monaco", field="region")
    boundary_override = read_boundary(boundary_file) if boundary_file is not None else None
    extract = read_extract(path, progress=progress)
    t0 = time.perf_counter()
    boundary = boundary_override or extract.boundary
    boundary_source = (
        f"file:{boundary_file.name}" if boundary_override is not None and boundary_file is not None
        else "osm:admin_boundary" if extract.boundary is not None else "hull:road_nodes"
    )
    boundary = _region_boundary(boundary, extract.roads)
    now = utcnow()
    with unit_of_work(session_factory) as s:
        regions = RegionRepo(s)
        region = regions.by_name(region_name)
        if region is None:
            slug = slugify(region_name)
            region = regions.add(Region(name=region_name, slug=slug, created_at=now, updated_at=now))
        report = ImportReport(region.id, region.name, path.name, read_s=extract.read_s)
        # region metadata
        meta = {
            "osm_file": path.name, "osm_sha256": extract.sha256, "osm_timestamp": extract.timestamp,
            "boundary_wkb": shapely.to_wkb(boundary, output_dimension=2) if boundary is not None else None,
            "boundary_source": boundary_source if boundary is not None else None,
        }
        if boundary is not None:
            meta.update(dict(zip(("min_lon", "min_lat", "max_lon", "max_lat"), boundary.bounds, strict=True)))
        if any(getattr(region, k) != v for k, v in meta.items()):
            for k, v in meta.items():
                setattr(region, k, v)
            region.updated_at = now
            report.region_changed = True
        # sites
        existing = SiteRepo(s).natural_keys(region.id, "osm")
        rows_for = _match_rows(extract.sites, existing)
        claimed: set[int] = set()
        inserts: list[dict[str, object]] = []
        for rec in extract.sites:
            values = site_values(rec)
            row = rows_for.get(rec.ref)
            if row is None:
                inserts.append({
                    **values, "region_id": region.id, "source": "osm", "source_type": rec.source_type,
                    "source_id": rec.source_id, "missing_from_source": False, "first_seen_at": now,
                    "last_seen_at": now, "updated_at": now,
                })
                continue
            claimed.add(row.id)
            rekey = (row.source_type, row.source_id) != (rec.source_type, rec.source_id)
            if row.content_hash != values["content_hash"] or row.missing_from_source or rekey:
                if row.missing_from_source:
                    report.sites_restored += 1
                else:
                    report.sites_updated += 1
                s.execute(update(Site).where(Site.id == row.id).values(
                    **values, source_type=rec.source_type, source_id=rec.source_id, missing_from_source=False,
                    last_seen_at=now, updated_at=now))
            else:
                report.sites_unchanged += 1
        if inserts:
            s.execute(insert(Site), inserts)
            report.sites_inserted = len(inserts)
        gone = [r.id for r in existing.values() if r.id not in claimed and not r.missing_from_source]
        if gone:
            s.execute(update(Site).where(Site.id.in_(gone)).values(missing_from_source=True, updated_at=now))
            report.sites_marked_missing = len(gone)
        report.per_category = dict(sorted(Counter(r.category for r in extract.sites).items()))
        # roads: replaced as a whole when the network changed
        net = extract.roads
        rh = roads_hash(net)
        if region.roads_hash != rh:
            _replace_roads(s, region.id, net)
            region.roads_hash = rh
            report.roads_replaced = True
        report.road_nodes, report.road_edges = net.n_nodes, net.n_edges
        _sync_barriers(s, region.id, extract.barriers, report)
        s.flush()
        report.units_inserted, report.units_updated = _seed_units(s, region, extract.sites, net, rh)
    report.write_s = time.perf_counter() - t0
    log.info("imported %s into %s: %d changed rows in %.2f s", path.name, region_name, report.rows_changed,
             report.read_s + report.write_s)
    return report


def _replace_roads(s: Session, region_id: int, net: RoadNetwork) -> None:
    """Replace the region's stored road network with ``net``."""
    RoadRepo(s).delete_region(region_id)
    if net.n_nodes:
        s.execute(insert(RoadNode), [
            {"region_id": region_id, "osm_id": int(o), "lon": float(x), "lat": float(y)}
            for o, x, y in zip(net.node_osm_id, net.node_lon, net.node_lat, strict=True)
        ])
    if net.n_edges:
        coords = np.concatenate(net.edge_geometry)
        idx = np.repeat(np.arange(net.n_edges), [len(g) for g in net.edge_geometry])
        wkbs = shapely.to_wkb(shapely.linestrings(coords, indices=idx), output_dimension=2)
        ids = net.node_osm_id
        s.execute(insert(RoadEdge), [
            {
                "region_id": region_id, "u_osm_id": int(ids[u]), "v_osm_id": int(ids[v]), "way_id": int(w),
                "highway": hw, "length_m": float(ln), "speed_kph": float(sp), "speed_tagged": bool(tg),
                "oneway": bool(ow), "geometry_wkb": g, "grade": gr,
            }
            for u, v, w, hw, ln, sp, tg, ow, g, gr in zip(
                net.edge_u, net.edge_v, net.edge_way_id, net.edge_highway, net.edge_length_m,
                net.edge_speed_kph, net.edge_speed_tagged, net.edge_oneway, wkbs,
                net.edge_grade or ("ground",) * net.n_edges, strict=True,
            )
        ])


def _match_rows(records: list[SiteRecord], existing: dict[tuple[str, str], Site]) -> dict[str, Site]:
    """The stored row each read site updates, by its key (smallest OSM reference) first, then by any member
    reference (a merged place keeps its id when OSM splits or joins its ways). Each row serves one site; rows
    are re-keyed first so that no two rows ever hold the same key."""
    by_member: dict[str, list[Site]] = {}
    for row in existing.values():
        for ref in row.osm_members or [f"{row.source_type}/{row.source_id}"]:
            by_member.setdefault(ref, []).append(row)
    out: dict[str, Site] = {}
    used: set[int] = set()
    for rec in records:
        keyed = existing.get((rec.source_type, rec.source_id))
        if keyed is not None:
            out[rec.ref] = keyed
            used.add(keyed.id)
    for rec in records:
        if rec.ref in out:
            continue
        cands = sorted({r.id: r for ref in (rec.members or (rec.ref,)) for r in by_member.get(ref, [])
                        if r.id not in used}.values(), key=lambda r: (r.missing_from_source, r.id))
        if cands:
            out[rec.ref] = cands[0]
            used.add(cands[0].id)
    return out


def _sync_barriers(s: Session, region_id: int, barriers: list[BarrierRecord], report: ImportReport) -> None:
    """Street barriers keyed by OSM type + id: insert new, update changed, delete vanished (no user edits)."""
    rows = {(r.osm_type, r.osm_id): (r.id, r.content_hash) for r in s.execute(
        select(OsmBarrier.id, OsmBarrier.osm_type, OsmBarrier.osm_id, OsmBarrier.content_hash)
        .where(OsmBarrier.region_id == region_id)).all()}
    inserts = []
    seen = set()
    for b in barriers:
        key = (b.osm_type, b.osm_id)
        seen.add(key)
        values = barrier_values(b)
        row = rows.get(key)
        if row is None:
            inserts.append({**values, "region_id": region_id, "osm_type": b.osm_type, "osm_id": b.osm_id})
        elif row[1] != values["content_hash"]:
            s.execute(update(OsmBarrier).where(OsmBarrier.id == row[0]).values(**values))
            report.barriers_updated += 1
        else:
            report.barriers_unchanged += 1
    if inserts:
        s.execute(insert(OsmBarrier), inserts)
        report.barriers_inserted = len(inserts)
    gone = [rid for k, (rid, _h) in rows.items() if k not in seen]
    if gone:
        s.execute(delete(OsmBarrier).where(OsmBarrier.id.in_(gone)))
        report.barriers_deleted = len(gone)


def _seed_units(s: Session, region: Region, sites: list[SiteRecord], net: RoadNetwork, rh: str) -> tuple[int, int]:
    """Response units from the extract's police and fire stations (services.response_units)."""
    from bastion.regions.graphs import routing_for_network
    from bastion.units.service import STATION_KINDS
    from bastion.units.service import seed_station_units

    if not any(x.kind in STATION_KINDS for x in sites):
        return 0, 0
    routing = routing_for_network(net, rh, "patrol_car") if net.n_edges else None
    return seed_station_units(s, region, sites, routing)
