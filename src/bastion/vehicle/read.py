"""Reading stored vehicle assessments: a site's approaches and needs, a region's map layer, the unmet
requirements (gaps) that can become rectification tasks, active-barrier timing, and the report section."""

from __future__ import annotations

import math
from dataclasses import asdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload

from bastion.algorithms.vehicle import VEHICLES
from bastion.algorithms.vehicle import Dynamics
from bastion.algorithms.vehicle.barriers import UNRATED
from bastion.algorithms.vehicle.physics import impact_profile
from bastion.algorithms.vehicle.timing import check_approach
from bastion.kernel.errors import InvalidInput
from bastion.kernel.units import kph_to_mps
from bastion.regions.repository import RegionRepo
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo
from bastion.vehicle.enums import SPEED_BINS_KPH
from bastion.vehicle.models import OsmBarrier
from bastion.vehicle.models import VehicleApproach
from bastion.vehicle.models import VehicleAssessment

TEMPLATES = Path(__file__).resolve().parent / "templates"


def check_vehicle(v: str | None) -> str | None:
    if v is not None and v not in VEHICLES:
        raise InvalidInput(f"vehicle {v!r} is unknown: use one of {', '.join(VEHICLES)}", field="vehicle")
    return v


@dataclass(frozen=True)
class TimingParams:
    """Active-barrier timing check inputs (GB 50348: detection + response <= delay; UFC 4-022-01 minimums)."""

    detection_distance_m: float  # where the hostile vehicle is detected, metres before the barrier line
    detection_s: float = 0.0
    guard_reaction_s: float = 3.0
    deploy_s: float = 2.0

    def __post_init__(self) -> None:
        for name, val, hi in (("detection_distance_m", self.detection_distance_m, 5000.0),
                              ("detection_s", self.detection_s, 600.0),
                              ("guard_reaction_s", self.guard_reaction_s, 600.0), ("deploy_s", self.deploy_s, 600.0)):
            if not (math.isfinite(val) and 0 <= val <= hi):
                raise InvalidInput(f"{name} must be a number from 0 to {hi:g}, got {val}", field=name)


def timing_for(a: VehicleAssessment, ap: VehicleApproach, t: TimingParams) -> dict[str, Any]:
    """Rebuild the stored central speed profile and check an active barrier at this entry."""
    p = a.parameters
    v = p["vehicle"]
    dyn = Dynamics(v["accel_mps2"], p["friction"], p.get("v0_mps", 0.0), kph_to_mps(v["max_speed_kph"]))
    st = np.array([b[0] for b in ap.bends], dtype=float)
    r = np.array([b[1] for b in ap.bends], dtype=float)
    prof = impact_profile(ap.path_length_m, st, r, dyn, mass_kg=v["mass_kg"])
    chk = check_approach(prof, dyn, t.detection_distance_m, detection_s=t.detection_s,
                         guard_reaction_s=t.guard_reaction_s, deploy_s=t.deploy_s)
    return {"detection_distance_m": min(t.detection_distance_m, ap.path_length_m), "delay_s": round(chk.delay_s, 2),
            "required_s": round(chk.required_s, 2), "margin_s": round(chk.margin_s, 2), "ok": chk.ok}


def approach_dict(ap: VehicleApproach, *, path: bool = True) -> dict[str, Any]:
    d = {
        "rank": ap.rank, "entry": {"lon": ap.entry_lon, "lat": ap.entry_lat}, "way_id": ap.way_id,
        "wrong_way": ap.wrong_way, "impact_speed_kph": ap.speed_kph,
        "impact_speed_band_kph": {"low": ap.speed_low_kph, "central": ap.speed_kph, "high": ap.speed_high_kph},
        "kinetic_energy_kj": ap.kinetic_energy_kj, "run_up_m": ap.run_up_m, "path_length_m": ap.path_length_m,
        "limited_by": ap.limited_by, "limiting_bend": None if ap.limiting_radius_m is None else {
            "radius_m": ap.limiting_radius_m, "lon": ap.limiting_lon, "lat": ap.limiting_lat},
        "needs": ap.needs, "barriers": ap.barriers, "status": ap.status,
        "active_barrier_min_detection_m": ap.min_detection_m,
    }
    if path:
        d["path"] = mapping(shapely.from_wkb(ap.path_wkb))
    return d


def _assessments(s: Session, *, site_id: int | None = None, region_id: int | None = None,
                 vehicle: str | None = None, wrong_way: bool | None = None) -> list[VehicleAssessment]:
    q = select(VehicleAssessment).options(selectinload(VehicleAssessment.approaches))
    if site_id is not None:
        q = q.where(VehicleAssessment.site_id == site_id)
    if region_id is not None:
        q = q.where(VehicleAssessment.region_id == region_id)
    if vehicle is not None:
        q = q.where(VehicleAssessment.vehicle == vehicle)
    if wrong_way is not None:
        q = q.where(VehicleAssessment.wrong_way.is_(wrong_way))
    order = {k: i for i, k in enumerate(VEHICLES)}
    rows = list(s.scalars(q))
    return sorted(rows, key=lambda a: (a.site_id, order.get(a.vehicle, 99), a.wrong_way))


def site_vehicle(s: Session, site_id: int, *, vehicle: str | None = None, wrong_way: bool | None = None,
                 timing: TimingParams | None = None) -> dict[str, Any]:
    """A site's stored assessments: approaches (fastest first), needs, barriers, optional timing check."""
    site = SiteRepo(s).get(site_id)
    out = []
    for a in _assessments(s, site_id=site_id, vehicle=check_vehicle(vehicle), wrong_way=wrong_way):
        aps = []
        for ap in a.approaches:
            d = approach_dict(ap)
            if timing is not None:
                d["timing"] = timing_for(a, ap, timing)
            aps.append(d)
        out.append({"vehicle": a.vehicle, "wrong_way": a.wrong_way, "status": a.status,
                    "entry_points": a.entry_points, "worst_speed_kph": a.worst_speed_kph, "gaps": a.gaps,
                    "computed_at": a.computed_at, "parameters": a.parameters, "approaches": aps})
    return {"site_id": site.id, "site_name": site.name, "region_id": site.region_id, "assessed": bool(out),
            "assessments": out, "barrier_note": f"OSM bollards, blocks and jersey barriers are {UNRATED}"}


def region_geojson(s: Session, region_id: int, *, vehicle: str = "car", wrong_way: bool = False) -> dict[str, Any]:
    """The map layer: approach paths (impact speed), entry points (required rating), barriers (satisfied?)."""
    RegionRepo(s).get(region_id)
    check_vehicle(vehicle)
    names = dict(s.execute(select(Site.id, Site.name).where(Site.region_id == region_id)).all())
    feats: list[dict[str, Any]] = []
    verdict: dict[str, bool] = {}  # barrier key -> satisfied on every approach it stands on
    for a in _assessments(s, region_id=region_id, vehicle=vehicle, wrong_way=wrong_way):
        for ap in a.approaches:
            iso = ap.needs[0] if ap.needs else {}
            common = {"site_id": a.site_id, "site_name": names.get(a.site_id), "vehicle": a.vehicle, "rank": ap.rank,
                      "impact_speed_kph": ap.speed_kph, "status": ap.status}
            g = shapely.from_wkb(ap.path_wkb)
            feats.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": [
                [round(x, 6), round(y, 6)] for x, y in g.coords]}, "properties": {
                **common, "feature": "approach", "speed_low_kph": ap.speed_low_kph,
                "speed_high_kph": ap.speed_high_kph, "kinetic_energy_kj": ap.kinetic_energy_kj,
                "run_up_m": ap.run_up_m, "limited_by": ap.limited_by}})
            feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [ap.entry_lon, ap.entry_lat]},
                          "properties": {**common, "feature": "entry", "required_rating": iso.get("label"),
                                         "required_standard": iso.get("standard"),
                                         "coverable": iso.get("coverable"),
                                         "needs": [n["label"] for n in ap.needs]}})
            for b in ap.barriers:
                verdict[b["key"]] = verdict.get(b["key"], True) and bool(b["satisfied"])
    for otype, oid, kind, wkb in s.execute(
            select(OsmBarrier.osm_type, OsmBarrier.osm_id, OsmBarrier.kind, OsmBarrier.geometry_wkb)
            .where(OsmBarrier.region_id == region_id).order_by(OsmBarrier.id)).all():
        k = f"osm:{otype}/{oid}"
        feats.append({"type": "Feature", "geometry": mapping(shapely.from_wkb(wkb)), "properties": {
            "feature": "barrier", "key": k, "barrier_kind": kind, "rated": False, "rating": None,
            "note": UNRATED, "on_approach": k in verdict, "satisfied": verdict.get(k)}})
    from bastion.vehicle.service import region_barriers  # catalogued barriers: the site's perimeter

    for b in region_barriers(s, region_id):
        if b.key.startswith("measure:"):
            feats.append({"type": "Feature", "geometry": mapping(b.geometry), "properties": {
                "feature": "barrier", "key": b.key, "barrier_kind": b.kind, "rated": b.rating is not None,
                "standard": b.standard, "rating": b.rating, "note": None if b.rating is not None else UNRATED,
                "on_approach": b.key in verdict, "satisfied": verdict.get(b.key)}})
    return {"type": "FeatureCollection", "features": feats,
            "properties": {"region_id": region_id, "vehicle": vehicle, "wrong_way": wrong_way,
                           "speed_bins_kph": list(SPEED_BINS_KPH)}}


@dataclass(frozen=True)
class VehicleGap:
    """An unmet requirement: an approach no recorded barrier meets (a candidate rectification task)."""

    site_id: int
    site_name: str | None
    vehicle: str
    wrong_way: bool
    rank: int
    entry_lon: float
    entry_lat: float
    impact_speed_kph: float
    status: str  # gap | not_coverable
    needs: tuple[str, ...]  # the required rating under each standard
    barriers: tuple[str, ...]  # barriers there, with why they do not meet it

    def task_text(self) -> str:
        where = f"{self.site_name or 'site ' + str(self.site_id)}, entry at {self.entry_lat:.5f}, {self.entry_lon:.5f}"
        if self.status == "not_coverable":
            return (f"{where}: a {self.vehicle} can arrive at {self.impact_speed_kph:.0f} km/h, above every tested "
                    "speed; slow the approach (layout, chicane) and then install a certified barrier")
        return f"{where}: install a barrier rated {self.needs[0]} (or equivalent need under its own standard)"


def unmet_requirements(s: Session, *, region_id: int | None = None, site_id: int | None = None,
                       vehicle: str | None = None) -> list[VehicleGap]:
    """Every stored approach without a barrier meeting its need, fastest first."""
    if region_id is None and site_id is None:
        raise InvalidInput("give a region_id or a site_id", field="region_id")
    if site_id is not None:
        SiteRepo(s).get(site_id)
    if region_id is not None:
        RegionRepo(s).get(region_id)
    names = dict(s.execute(select(Site.id, Site.name)).all()) if site_id is None else {
        site_id: SiteRepo(s).get(site_id).name}
    out = []
    for a in _assessments(s, site_id=site_id, region_id=region_id, vehicle=check_vehicle(vehicle)):
        for ap in a.approaches:
            if ap.status == "protected":
                continue
            out.append(VehicleGap(
                a.site_id, names.get(a.site_id), a.vehicle, a.wrong_way, ap.rank, ap.entry_lon, ap.entry_lat,
                ap.speed_kph, ap.status, tuple(n["label"] for n in ap.needs),
                tuple(f"{b['key']} ({b['kind']}): {b['reason']}" for b in ap.barriers)))
    return sorted(out, key=lambda g: (-g.impact_speed_kph, g.site_id, g.vehicle))


def report_section(s: Session, site_id: int) -> dict[str, Any]:
    """The site report's vehicle section: per vehicle class the worst approach, each approach and its gap."""
    data = site_vehicle(s, site_id)
    vehicles = []
    for a in data["assessments"]:
        rows = [{"rank": ap["rank"] + 1, "speed_kph": ap["impact_speed_kph"],
                 "band": ap["impact_speed_band_kph"], "energy_kj": ap["kinetic_energy_kj"], "run_up_m": ap["run_up_m"],
                 "limited_by": ap["limited_by"], "needs": [n["label"] for n in ap["needs"]], "status": ap["status"],
                 "barriers": [f"{b['kind']}: {b['reason']}" for b in ap["barriers"]]} for ap in a["approaches"]]
        vehicles.append({"vehicle": a["vehicle"], "wrong_way": a["wrong_way"], "status": a["status"],
                         "worst_speed_kph": a["worst_speed_kph"], "gaps": a["gaps"], "approaches": rows,
                         "computed_at": a["computed_at"].isoformat()})
    gaps = [asdict(g) for g in unmet_requirements(s, site_id=site_id)]
    return {"site_id": data["site_id"], "site_name": data["site_name"], "assessed": data["assessed"],
            "vehicles": vehicles, "gaps": gaps, "barrier_note": data["barrier_note"],
            "method": "docs/models/vehicle.md: v = sqrt(v0^2 + 2as), bends capped at sqrt(f g r), no braking; "
                      "ratings rounded up to the next tested speed, never converted between standards"}


def render_report_section(section: dict[str, Any], *, lang: str = "en") -> str:
    """The section as an HTML fragment in `lang` (web/templates/vehicle_section.html, autoescaped)."""
    import jinja2

    from bastion.vehicle.wording import section_words

    worded, tr = section_words(section, lang)
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)
    return env.get_template("vehicle_section.html").render(section=worded, tr=tr)
