"""Hostile-vehicle assessment use cases: assess a region's (or one site's) approaches and store them.

Per site x vehicle class x scenario (wrong_way: one-way rules ignored) the core finds the worst approach
into every entry point (core.vehicle.assess_perimeter); each approach is stored with its speed band,
kinetic energy, run-up, limiting bend, path, required ratings per standard, the barriers standing on it
(checked under their own standard only) and its status. All computing happens before the one write
transaction; a re-run with the same inputs changes no row (compared by a hash of the results).
Reading, GeoJSON, gaps and the report section are in services/vehicle_read.py.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import asdict
from dataclasses import dataclass
from dataclasses import field
from typing import Any
from typing import cast

import numpy as np
import shapely
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Table
from sqlalchemy import delete
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.vehicle import VEHICLES
from bastion.algorithms.vehicle import Approach
from bastion.algorithms.vehicle import VehicleNetwork
from bastion.algorithms.vehicle import assess_perimeter
from bastion.algorithms.vehicle import vehicle
from bastion.algorithms.vehicle.approach import DEFAULT_MAX_DISTANCE_M
from bastion.algorithms.vehicle.assess import FRICTION_LOW
from bastion.algorithms.vehicle.barriers import BARRIER_LAST_M
from bastion.algorithms.vehicle.barriers import BARRIER_WITHIN_M
from bastion.algorithms.vehicle.barriers import Barrier
from bastion.algorithms.vehicle.barriers import BarrierIndex
from bastion.algorithms.vehicle.barriers import approach_status
from bastion.algorithms.vehicle.barriers import check_barrier
from bastion.algorithms.vehicle.network import DEFAULT_BUFFER_M
from bastion.algorithms.vehicle.network import DEFAULT_POINT_RADIUS_M
from bastion.algorithms.vehicle.physics import FRICTION_CONSERVATIVE
from bastion.algorithms.vehicle.physics import FRICTION_NORMAL
from bastion.algorithms.vehicle.timing import BARRIER_DEPLOY_S
from bastion.algorithms.vehicle.timing import GUARD_REACTION_S
from bastion.algorithms.vehicle.timing import min_detection_distance_m
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.engine import EncodedJSON
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.geo import LocalProjection
from bastion.regions.models import Region
from bastion.regions.repository import RegionRepo
from bastion.regions.service import load_road_network
from bastion.sites.models import Site
from bastion.sites.models import SiteMeasure
from bastion.sites.repository import SiteRepo
from bastion.vehicle.models import OsmBarrier
from bastion.vehicle.models import VehicleApproach
from bastion.vehicle.models import VehicleAssessment

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]  # (done, total, what)

_NETWORKS: dict[tuple[int, str], VehicleNetwork] = {}  # (region id, roads hash) -> prepared network
_NETWORKS_MAX = 4


@dataclass(frozen=True)
class AssessParams:
    """Assumptions of a run (validated; every one is stored with the results)."""

    vehicles: tuple[str, ...] = tuple(VEHICLES)
    wrong_way: bool = False  # ignore one-way restrictions (an attacker may drive the wrong way)
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M
    friction: float = FRICTION_NORMAL
    friction_low: float = FRICTION_LOW
    friction_high: float = FRICTION_CONSERVATIVE
    standoff_m: float = 1.0  # room behind the barrier line for penetration, m
    buffer_m: float = DEFAULT_BUFFER_M
    point_radius_m: float = DEFAULT_POINT_RADIUS_M

    def __post_init__(self) -> None:
        if not self.vehicles:
            raise InvalidInput(f"vehicles must name at least one of {', '.join(VEHICLES)}", field="vehicles")
        for v in self.vehicles:
            if v not in VEHICLES:
                raise InvalidInput(f"vehicle {v!r} is unknown: use one of {', '.join(VEHICLES)}", field="vehicles")
        if len(set(self.vehicles)) != len(self.vehicles):
            raise InvalidInput(f"vehicles lists a class twice: {list(self.vehicles)}", field="vehicles")
        checks = (("max_distance_m", self.max_distance_m, 20.0, 2000.0), ("friction", self.friction, 0.1, 2.0),
                  ("friction_low", self.friction_low, 0.1, 2.0), ("friction_high", self.friction_high, 0.1, 2.0),
                  ("standoff_m", self.standoff_m, 0.0, 100.0), ("buffer_m", self.buffer_m, 0.0, 100.0),
                  ("point_radius_m", self.point_radius_m, 1.0, 500.0))
        for name, val, lo, hi in checks:
            if not (isinstance(val, int | float) and math.isfinite(val) and lo <= val <= hi):
                raise InvalidInput(f"{name} must be a number from {lo:g} to {hi:g}, got {val!r}", field=name)
        if not self.friction_low <= self.friction <= self.friction_high:
            raise InvalidInput(
                f"frictions must satisfy friction_low <= friction <= friction_high, got {self.friction_low}, "
                f"{self.friction}, {self.friction_high}", field="friction",
            )

    def stored(self, vehicle_key: str) -> dict[str, Any]:
        """The parameters stored with one vehicle's assessment (units in the names)."""
        v = vehicle(vehicle_key)
        d = {k: val for k, val in asdict(self).items() if k not in ("vehicles", "wrong_way")}
        d.update(vehicle={"key": v.key, "mass_kg": v.mass_kg, "accel_mps2": v.accel_mps2,
                          "accel_low_mps2": v.accel_low_mps2, "accel_high_mps2": v.accel_high_mps2,
                          "max_speed_kph": v.max_speed_kph, "source": v.source},
                 v0_mps=0.0, barrier_within_m=BARRIER_WITHIN_M, barrier_last_m=BARRIER_LAST_M,
                 guard_reaction_s=GUARD_REACTION_S, deploy_s=BARRIER_DEPLOY_S, detection_s=0.0)
        return d


@dataclass
class AssessReport:
    region_id: int
    region_name: str
    vehicles: tuple[str, ...]
    wrong_way: bool
    sites_assessed: int = 0
    sites_reached: int = 0  # sites with at least one drivable approach (any vehicle)
    entry_points: int = 0  # approaches stored (one per entry point, per vehicle)
    gaps: int = 0  # approaches with no barrier meeting their need (incl. not coverable)
    inserted: int = 0
    replaced: int = 0
    unchanged: int = 0
    compute_s: float = 0.0
    write_s: float = 0.0
    worst: list[dict[str, Any]] = field(default_factory=list)  # the fastest approaches of the run

    @property
    def rows_changed(self) -> int:
        return self.inserted + self.replaced


def network_for(session: Session, region: Region) -> VehicleNetwork:
    """The region's prepared VehicleNetwork, cached in this process per (region, roads hash)."""
    key = (region.id, region.roads_hash or "")
    net = _NETWORKS.get(key)
    if net is None:
        roads = load_road_network(session, region.id)
        if roads.n_nodes == 0:
            raise InvalidInput(f"region {region.name!r} has no roads: import an OSM extract first", field="region",
                               hint="`bastion import osm FILE --region NAME`")
        t0 = time.perf_counter()
        net = VehicleNetwork(roads)
        log.info("vehicle network for %s: %d edges prepared in %.2f s", region.name, net.n_edges,
                 time.perf_counter() - t0)
        for k in [k for k in _NETWORKS if k[0] == region.id]:
            del _NETWORKS[k]
        while len(_NETWORKS) >= _NETWORKS_MAX:
            del _NETWORKS[next(iter(_NETWORKS))]
        _NETWORKS[key] = net
    return net


MEASURE_KEY = "measure:site/{site_id}/hvm_barrier"


def _perimeter_lonlat(geom: BaseGeometry) -> BaseGeometry:
    """The site's assessed perimeter in lon/lat: a point site's circle of DEFAULT_POINT_RADIUS_M, a line or
    polygon footprint widened by DEFAULT_BUFFER_M (the same reach the assessment uses), built in local metres."""
    c = geom.centroid
    proj = LocalProjection(c.x, c.y)

    def to_m(a: np.ndarray) -> np.ndarray:
        return np.column_stack(proj.to_xy(a[:, 0], a[:, 1]))

    def to_deg(a: np.ndarray) -> np.ndarray:
        return np.column_stack(proj.to_lonlat(a[:, 0], a[:, 1]))

    r = DEFAULT_POINT_RADIUS_M if geom.geom_type in ("Point", "MultiPoint") else DEFAULT_BUFFER_M
    return shapely.transform(shapely.transform(geom, to_m).buffer(r), to_deg)


def region_barriers(session: Session, region_id: int) -> list[Barrier]:
    """Barriers recorded for a region: OSM street barriers (unrated) and catalogued site measures.

    A site's ``hvm_barrier`` measure (db site_measures) becomes ``Barrier(MEASURE_KEY, "hvm_barrier", geometry,
    standard, rating)`` with its certified standard and rating verbatim (neither when uncertified). The
    catalogue records no location for a measure, so its geometry is the site's assessed perimeter
    (_perimeter_lonlat): the barrier line is taken to stand across every approach of that site, and
    approach_row counts it for that site's own approaches only (docs/models/vehicle.md §9).
    """
    rows = session.execute(select(OsmBarrier.osm_type, OsmBarrier.osm_id, OsmBarrier.kind, OsmBarrier.geometry_wkb)
                           .where(OsmBarrier.region_id == region_id).order_by(OsmBarrier.id)).all()
    out = [Barrier(f"osm:{t}/{i}", k, shapely.from_wkb(g)) for t, i, k, g in rows]
    measures = session.execute(
        select(SiteMeasure.site_id, SiteMeasure.params, Site.geometry_wkb).join(Site, Site.id == SiteMeasure.site_id)
        .where(Site.region_id == region_id, SiteMeasure.kind == "hvm_barrier").order_by(SiteMeasure.site_id)).all()
    for sid, params, wkb in measures:
        std, rating = params.get("standard"), params.get("rating")
        if std is None or rating is None:  # uncertified: recorded, but unrated
            std = rating = None
        out.append(Barrier(MEASURE_KEY.format(site_id=sid), "hvm_barrier", _perimeter_lonlat(shapely.from_wkb(wkb)),
                           std, rating))
    return out


def _r(x: float | None, nd: int = 3) -> float | None:
    return None if x is None else round(float(x), nd)


def approach_row(ap: Approach, barriers: BarrierIndex, *, site_id: int | None = None) -> dict[str, Any]:
    own = MEASURE_KEY.format(site_id=site_id)
    on = [b for b in barriers.on_path(ap.path_lonlat) if not b.key.startswith("measure:site/") or b.key == own]
    checks = [check_barrier(b, ap.needs) for b in on]
    status = approach_status(ap.needs, checks)
    prof = ap.profile
    det = min_detection_distance_m(prof, ap.dynamics)
    path = np.round(ap.path_lonlat, 7)
    return {
        "entry_lon": round(ap.entry_lon, 7), "entry_lat": round(ap.entry_lat, 7), "way_id": ap.way_id,
        "wrong_way": ap.wrong_way, "speed_kph": _r(ap.impact_speed_kph), "speed_low_kph": _r(ap.band_kph[0]),
        "speed_high_kph": _r(ap.band_kph[2]), "kinetic_energy_kj": _r(ap.kinetic_energy_kj, 1),
        "run_up_m": _r(ap.run_up_m, 2), "path_length_m": _r(ap.path_length_m, 2), "limited_by": ap.limited_by,
        "limiting_radius_m": _r(ap.limiting_radius_m, 2),
        "limiting_lon": None if ap.limiting_lonlat is None else round(ap.limiting_lonlat[0], 7),
        "limiting_lat": None if ap.limiting_lonlat is None else round(ap.limiting_lonlat[1], 7),
        "path": [[float(x), float(y)] for x, y in path],
        "bends": [[float(s), float(r)] for s, r in zip(prof.bend_stations_m, prof.bend_radii_m, strict=True)
                  if math.isfinite(r)],
        "needs": [{"standard": n.standard, "vehicle_class": n.vehicle_class, "test_mass_kg": n.test_mass_kg,
                   "test_speed_kph": _r(n.test_speed_kph), "max_penetration_m": n.max_penetration_m,
                   "label": n.label, "coverable": n.coverable} for n in ap.needs],
        "barriers": [asdict(c) for c in checks],
        "status": status,
        "min_detection_m": _r(det, 2),
    }


def result_hash(status: str, params: dict[str, Any], rows: list[dict[str, Any]]) -> str:
    blob = json.dumps({"status": status, "parameters": params, "approaches": rows}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _check_site_ids(site_ids: Sequence[int] | None) -> list[int] | None:
    if site_ids is None:
        return None
    ids = list(dict.fromkeys(int(i) for i in site_ids))
    if not ids or len(ids) > 100_000:
        raise InvalidInput("site_ids must list 1 to 100,000 site ids, or be omitted for every site", field="site_ids")
    return ids


def check_sites(session: Session, region_ref: str | int, site_ids: Sequence[int] | None) -> None:
    """The checks assess() makes before any work: the region exists, the site ids exist and lie in it."""
    region = RegionRepo(session).get_by_ref(region_ref)
    ids = _check_site_ids(site_ids)
    if ids is None:
        return
    found = dict(session.execute(select(Site.id, Site.region_id).where(Site.id.in_(ids))).all())
    for i in ids:
        if i not in found:
            SiteRepo(session).get(i)  # NotFound with the usual message
        if found[i] != region.id:
            raise InvalidInput(f"site {i} is not in region {region.name!r}", field="site_ids")


def assess(
    session_factory: sessionmaker[Session],
    region_ref: str | int,
    params: AssessParams | None = None,
    *,
    site_ids: Sequence[int] | None = None,
    progress: Progress | None = None,
) -> AssessReport:
    """Assess every current site of a region (or the given ones) and store the results (one transaction)."""
    params = params or AssessParams()
    ids = _check_site_ids(site_ids)
    t0 = time.perf_counter()
    with session_factory() as s:
        region = RegionRepo(s).get_by_ref(region_ref)
        if ids is None:
            sites = list(s.scalars(select(Site).where(Site.region_id == region.id, Site.missing_from_source.is_(False))
                                   .order_by(Site.id)))
        else:
            sites = [SiteRepo(s).get(i) for i in ids]
            other = [x.id for x in sites if x.region_id != region.id]
            if other:
                raise InvalidInput(f"site {other[0]} is not in region {region.name!r}", field="site_ids")
        net = network_for(s, region)
        barriers = region_barriers(s, region.id)
        existing = {(a.site_id, a.vehicle): (a.id, a.result_hash) for a in s.execute(
            select(VehicleAssessment.site_id, VehicleAssessment.vehicle, VehicleAssessment.id,
                   VehicleAssessment.result_hash)
            .where(VehicleAssessment.region_id == region.id, VehicleAssessment.wrong_way.is_(params.wrong_way))).all()}
        region_id, region_name = region.id, region.name
        site_info = [(x.id, x.name, shapely.from_wkb(x.geometry_wkb)) for x in sites]
    rep = AssessReport(region_id, region_name, params.vehicles, params.wrong_way, sites_assessed=len(site_info))
    total = len(site_info) * len(params.vehicles)
    index = BarrierIndex(barriers, net.proj)
    done = 0
    results: list[tuple[int, str, dict[str, Any], list[dict[str, Any]]]] = []
    reached: set[int] = set()
    for vkey in params.vehicles:
        vc = vehicle(vkey)
        stored = params.stored(vkey)
        for sid, name, geom in site_info:
            a = assess_perimeter(
                net, geom, vc, max_distance_m=params.max_distance_m, ignore_oneway=params.wrong_way,
                friction=params.friction, friction_low=params.friction_low, friction_high=params.friction_high,
                buffer_m=params.buffer_m, point_radius_m=params.point_radius_m, standoff_m=params.standoff_m,
            )
            rows = [approach_row(ap, index, site_id=sid) for ap in a.approaches]
            head = {"status": a.status, "entry_points": len(rows), "runtime_s": a.runtime_s,
                    "worst_speed_kph": rows[0]["speed_kph"] if rows else None,
                    "gaps": sum(r["status"] != "protected" for r in rows), "parameters": stored,
                    "result_hash": result_hash(a.status, stored, rows)}
            results.append((sid, vkey, head, rows))
            if rows:
                reached.add(sid)
                rep.worst.append({"site_id": sid, "site_name": name, "vehicle": vkey, "speed_kph": rows[0]["speed_kph"],
                                  "required": rows[0]["needs"][0]["label"], "status": rows[0]["status"]})
            rep.entry_points += len(rows)
            rep.gaps += head["gaps"]
            done += 1
            if progress:
                progress(done, total, f"{vkey}: {name or sid}")
    rep.sites_reached = len(reached)
    rep.worst = sorted(rep.worst, key=lambda w: -w["speed_kph"])[:10]
    rep.compute_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    _store(session_factory, region_id, params.wrong_way, results, existing, rep)
    rep.write_s = time.perf_counter() - t1
    log.info("vehicle assessment of %s (%s, wrong_way=%s): %d sites, %d entry points, %d rows changed, "
             "compute %.2f s, write %.2f s", region_name, ",".join(params.vehicles), params.wrong_way,
             rep.sites_assessed, rep.entry_points, rep.rows_changed, rep.compute_s, rep.write_s)
    return rep


RETURNING_CHUNK = 500  # rows per INSERT … RETURNING


def _store(sf: sessionmaker[Session], region_id: int, wrong_way: bool,
           results: list[tuple[int, str, dict[str, Any], list[dict[str, Any]]]],
           existing: dict[tuple[int, str], tuple[int, str]], rep: AssessReport) -> None:
    now = utcnow()
    todo = []
    stale: list[int] = []
    for sid, vkey, head, rows in results:
        old = existing.get((sid, vkey))
        if old is not None and old[1] == head["result_hash"]:
            rep.unchanged += 1
            continue
        if old is not None:
            stale.append(old[0])
            rep.replaced += 1
        else:
            rep.inserted += 1
        todo.append((sid, vkey, head, rows))
    if not todo:
        return
    # Every row is built and its JSON and WKB encoded before the transaction opens: on SQLite the transaction holds
    # the database's one write lock, which a batch worker assessing another region waits for.
    assessment_rows = [{"region_id": region_id, "site_id": sid, "vehicle": vkey, "wrong_way": wrong_way,
                        "computed_at": now, **head, "parameters": EncodedJSON.of(head["parameters"])}
                       for sid, vkey, head, _rows in todo]
    approach_rows = [[{**{k: v for k, v in r.items() if k not in ("path", "bends", "needs", "barriers")},
                       "bends": EncodedJSON.of(r["bends"]), "needs": EncodedJSON.of(r["needs"]),
                       "barriers": EncodedJSON.of(r["barriers"]), "rank": rank,
                       "path_wkb": shapely.to_wkb(LineString(r["path"]), output_dimension=2)}
                      for rank, r in enumerate(rows)] for _sid, _v, _h, rows in todo]
    assessments, approaches = cast(Table, VehicleAssessment.__table__), cast(Table, VehicleApproach.__table__)
    with unit_of_work(sf) as s:
        for chunk in range(0, len(stale), 500):
            part = stale[chunk:chunk + 500]
            s.execute(delete(VehicleApproach).where(VehicleApproach.assessment_id.in_(part)))
            s.execute(delete(VehicleAssessment).where(VehicleAssessment.id.in_(part)))
        # Core inserts of whole rows (the ORM's bulk insert leaves None values out, which splits the rows into
        # many small statements); RETURNING in chunks (SQLAlchemy splices each statement's batches in O(n^2))
        ids: list[int] = []
        for chunk in range(0, len(assessment_rows), RETURNING_CHUNK):
            ids += s.execute(insert(assessments).returning(assessments.c.id, sort_by_parameter_order=True),
                             assessment_rows[chunk:chunk + RETURNING_CHUNK]).scalars().all()
        for aid, group in zip(ids, approach_rows, strict=True):
            for row in group:
                row["assessment_id"] = aid
        rows_out = [row for group in approach_rows for row in group]
        if rows_out:
            s.execute(insert(approaches), rows_out)
