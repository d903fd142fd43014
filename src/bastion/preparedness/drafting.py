"""A first draft of a site's plan from Bastion's own data, for one site or every site of a region.

Inputs per region, loaded once: the sites' tiers and threat ranking (risk), people at the peak hour (capacity x
open-hours occupancy), exits on record, open spaces (registry sites of category public_space), hostile-vehicle
approach paths (vehicle), response units and hospitals with road travel times (routing, through coverage).
Generated texts are i18n keys (``@eplan....``) so the printed plan reads in the reader's language; a user's
own text is kept as written. Nothing is invented: protected spaces (invacuation) and lockable zones come from
the user's entries with area or capacity, else OSM's, else (protected spaces) the site's own building (spaces.py);
what the data cannot say is a marked placeholder (``@eplan.placeholder.*``) that the completeness check flags
until the user fills it. The invacuation capacity is compared with the peak-hour people (data.invacuation).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

import numpy as np
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import selectinload
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness.assembly import OpenSpace
from bastion.algorithms.preparedness.assembly import choose_assembly_points
from bastion.algorithms.risk.consequence import expected_occupants
from bastion.coverage import service as cov
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.geo import LocalProjection
from bastion.preparedness import service as svc
from bastion.preparedness import spaces as sp_svc
from bastion.preparedness.models import EmergencyPlan
from bastion.preparedness.models import SiteExit
from bastion.preparedness.models import SiteSpace
from bastion.regions.repository import RegionRepo
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.sites.models import SiteMeasure
from bastion.vehicle.models import VehicleAssessment

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
NEAREST_UNITS = 3
NEAREST_HOSPITALS = 2


@dataclass
class RegionData:
    region_id: int
    sites: dict[int, Site]
    ranking: dict[int, list[str]]  # site -> threats by risk, highest first
    tiers: dict[int, list[tuple[str, str]]]
    people: dict[int, int]
    exits: dict[int, list[SiteExit]]
    measures: dict[int, set[str]]
    spaces: list[OpenSpace]
    xy: dict[int, tuple[float, float]]
    corridors: dict[int, list[dict[str, Any]]]
    units: list[dict[str, Any]] = field(default_factory=list)  # per site: nearest units
    unit_rows: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    hospital_rows: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    site_spaces: dict[int, list[SiteSpace]] = field(default_factory=dict)
    proj: LocalProjection | None = None


def _travel(s: Session, region: Any, points: Sequence[cov.UnitPoint], sites: Sequence[Site], n: int,
            ) -> dict[int, list[dict[str, Any]]]:
    if not points or not sites:
        return {x.id: [] for x in sites}
    try:
        t, _ = cov.unit_times(s, region, points, sites)
    except InvalidInput:  # a region without roads: no travel times
        return {x.id: [] for x in sites}
    out = {}
    for i, x in enumerate(sites):
        order = np.argsort(t[i], kind="stable")[:n]
        out[x.id] = [{"name": points[j].name, "type": points[j].unit_type, "travel_time_s": round(float(t[i, j]))}
                     for j in order if np.isfinite(t[i, j])]
    return out


def load_region(s: Session, region_id: int, site_ids: Sequence[int] | None = None) -> RegionData:
    region = RegionRepo(s).get(region_id)
    rr = risk_svc.region_risk(s, region_id)
    all_sites = rr.sites
    wanted = sorted(all_sites) if site_ids is None else [i for i in site_ids if i in all_sites]
    sites = {i: all_sites[i] for i in wanted}
    ranking = {int(r.site_id): [t.threat for t in sorted(r.by_threat, key=lambda t: (-t.risk, t.threat))]
               for r in rr.ranking}
    tiers = {sid: [(t.standard_id, t.tier) for t in rr.tiers[sid] if t.status == "tiered" and t.tier]
             for sid in wanted}
    people = {sid: round(expected_occupants(risk_svc.profile(s, sites[sid]))) for sid in wanted}
    exits: dict[int, list[SiteExit]] = {sid: [] for sid in wanted}
    for e in s.scalars(select(SiteExit).where(SiteExit.site_id.in_(wanted)).order_by(SiteExit.id)) if wanted else []:
        exits[e.site_id].append(e)
    exits = {sid: svc.effective_exits(rows) for sid, rows in exits.items()}
    measures: dict[int, set[str]] = {sid: set() for sid in wanted}
    for sid, kind in s.execute(select(SiteMeasure.site_id, SiteMeasure.kind).where(SiteMeasure.site_id.in_(wanted))):
        measures[sid].add(kind)
    lons = [x.lon for x in all_sites.values()] or [0.0]
    lats = [x.lat for x in all_sites.values()] or [0.0]
    proj = LocalProjection.around(lons, lats)
    xs, ys = proj.to_xy([x.lon for x in all_sites.values()], [x.lat for x in all_sites.values()])
    xy_all = {sid: (float(a), float(b)) for sid, a, b in zip(all_sites, xs, ys, strict=True)}
    spaces = [OpenSpace(x.id, *xy_all[x.id], x.area_m2, x.name) for x in all_sites.values()
              if x.category == "public_space"]
    corridors: dict[int, list[dict[str, Any]]] = {sid: [] for sid in wanted}
    q = (select(VehicleAssessment).options(selectinload(VehicleAssessment.approaches))
         .where(VehicleAssessment.region_id == region_id, VehicleAssessment.wrong_way.is_(False)))
    for a in s.scalars(q):
        if a.site_id not in corridors:
            continue
        for ap in a.approaches:
            path = shapely.from_wkb(ap.path_wkb)
            cx, cy = proj.to_xy(*np.asarray(path.coords).T)
            corridors[a.site_id].append({"vehicle": a.vehicle, "impact_speed_kph": round(ap.speed_kph, 1),
                                         "entry": {"lon": ap.entry_lon, "lat": ap.entry_lat}, "status": ap.status,
                                         "xy": list(zip(cx.tolist(), cy.tolist(), strict=True))})
    data = RegionData(region_id, sites, ranking, tiers, people, exits, measures, spaces, xy_all, corridors, proj=proj,
                      site_spaces=sp_svc.spaces_by_site(s, wanted))
    site_list = list(sites.values())
    units = [cov.unit_point(u) for u in cov.region_units(s, region)]
    data.unit_rows = _travel(s, region, units, site_list, NEAREST_UNITS)
    hospitals = [cov.UnitPoint(x.id, x.name or f"hospital {x.id}", "hospital", x.lon, x.lat, "patrol_car", 600)
                 for x in all_sites.values() if x.kind == "hospital"]
    data.hospital_rows = _travel(s, region, hospitals, site_list, NEAREST_HOSPITALS)
    return data


def _k(key: str) -> str:
    return f"@eplan.{key}"


def draft_content(d: RegionData, site_id: int, threat: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(sections, data) of the draft for one site and threat (pure over the loaded region data)."""
    site = d.sites[site_id]
    people = d.people[site_id]
    corr = d.corridors[site_id]
    choice = choose_assembly_points(d.xy[site_id], people, [sp for sp in d.spaces if sp.id != site_id],
                                    [c["xy"] for c in corr], threat=threat)
    ms = d.measures[site_id]
    exits = d.exits[site_id]
    rooms = sp_svc.effective_spaces(d.site_spaces.get(site_id, []), site)
    protected, lockable = sp_svc.section_lines(rooms, lockable_doors="lockable_doors" in ms)
    assembly = [f"{c.space.name or 'open space ' + str(c.space.id)} ({c.distance_m:.0f} m, holds {c.space.holds})"
                for c in choice.chosen]
    sections: dict[str, Any] = {
        "evacuation": {"triggers": [_k(f"trigger.evacuation.{threat}")], "decision_role": "duty_manager",
                       "roles": [{"position": "duty_manager", "actions": [_k("action.decide_evacuate")]},
                                 {"position": "steward", "actions": [_k("action.guide_to_exits")]},
                                 {"position": "security_lead", "actions": [_k("action.check_routes")]}],
                       "steps": [_k(f"step.evacuation.{i}") for i in (1, 2, 3, 4)],
                       "exits": [f"{e.label} ({e.width_m:.2f} m)" for e in exits],
                       "assembly_points": assembly},
        "invacuation": {"triggers": [_k(f"trigger.invacuation.{threat}")], "decision_role": "duty_manager",
                        "roles": [{"position": "steward", "actions": [_k("action.bring_inside")]}],
                        "steps": [_k(f"step.invacuation.{i}") for i in (1, 2, 3)], "protected_spaces": protected},
        "lockdown": {"triggers": [_k(f"trigger.lockdown.{threat}")], "decision_role": "security_lead",
                     "roles": [{"position": "security_lead", "actions": [_k("action.lock_doors")]},
                               {"position": "control_room_operator", "actions": [_k("action.monitor")]}],
                     "steps": [_k(f"step.lockdown.{i}") for i in (1, 2, 3)],
                     "lockable_zones": lockable},
        "communication": {"triggers": [_k("trigger.communication")], "decision_role": "duty_manager",
                          "roles": [{"position": "control_room_operator", "actions": [_k("action.call_emergency")]},
                                    {"position": "communications_officer", "actions": [_k("action.inform_public")]}],
                          "steps": [_k(f"step.communication.{i}") for i in (1, 2, 3, 4)],
                          "means": [_k("means.emergency_call")] + (
                              [_k("means.public_address")] if "public_address" in ms else []),
                          "informs_emergency_services": "control_room_operator"},
    }
    data = {
        "people_peak": people, "capacity": site.capacity_override or site.capacity_estimated,
        "tiers": [list(t) for t in d.tiers[site_id]], "threat_rank": d.ranking.get(site_id, []).index(threat) + 1
        if threat in d.ranking.get(site_id, []) else None,
        "standoff_m": choice.standoff_m, "assembly_enough": choice.enough, "assembly_capacity": choice.capacity,
        "assembly_rejected": [{"name": c.space.name, "distance_m": round(c.distance_m), "reason": c.reason}
                              for c in choice.considered if not c.ok and c.reason != "too_far"][:10],
        "units": d.unit_rows.get(site_id, []), "hospitals": d.hospital_rows.get(site_id, []),
        "vehicle_approaches": [{k: v for k, v in c.items() if k != "xy"} for c in
                               sorted(corr, key=lambda c: -c["impact_speed_kph"])[:5]],
        "exits_source": exits[0].source if exits else "missing",
        "invacuation": sp_svc.invacuation_summary(people, rooms),
    }
    return sections, data


@dataclass(frozen=True)
class DraftReport:
    region_id: int
    sites: int
    plans_created: int
    unchanged: int
    seconds: float


def draft_region(sf: sessionmaker[Session], region_id: int, *, now: dt.datetime, site_ids: Sequence[int] | None = None,
                 threats_per_site: int = 3, progress: Progress | None = None) -> DraftReport:
    """Draft plans for the top ``threats_per_site`` threats of every site (or ``site_ids``) of a region: one
    transaction. Idempotent: a site/threat whose newest version holds the same draft gets no new version.
    ``progress(fraction, message)`` is called as the work advances (for a job runner)."""
    svc.check_now(now)
    if not 1 <= threats_per_site <= 6:
        raise InvalidInput(f"threats_per_site must be 1 to 6, got {threats_per_site}", field="threats_per_site")
    t0 = time.perf_counter()
    report = progress or (lambda _f, _m: None)
    report(0.0, "loading region data")
    with unit_of_work(sf) as s:
        d = load_region(s, region_id, site_ids)
        report(0.3, f"{len(d.sites)} sites loaded")
        newest: dict[tuple[int, str], EmergencyPlan] = {}
        ids = list(d.sites)
        for p in s.scalars(select(EmergencyPlan).where(EmergencyPlan.site_id.in_(ids))) if ids else []:
            k = (p.site_id, p.threat)
            if k not in newest or p.version > newest[k].version:
                newest[k] = p
        created = unchanged = 0
        review = svc._add_months(now.date(), svc.REVIEW_MONTHS)
        for n, sid in enumerate(ids):
            for threat in d.ranking.get(sid, [])[:threats_per_site]:
                sections, data = draft_content(d, sid, threat)
                old = newest.get((sid, threat))
                if old is not None and old.source == "generated" and old.sections == sections and old.data == data:
                    unchanged += 1
                    continue
                evac = svc.evacuation_estimate(d.people[sid], [e.width_m for e in d.exits[sid]])
                s.add(EmergencyPlan(site_id=sid, threat=threat, version=(old.version if old else 0) + 1,
                                    status="draft", source="generated", sections=sections, data=data,
                                    evacuation=evac, review_date=review, created_at=now))
                created += 1
            if n % 50 == 0:
                report(0.3 + 0.7 * n / max(1, len(ids)), f"{n} of {len(ids)} sites drafted")
        s.flush()
    rt = time.perf_counter() - t0
    report(1.0, f"{created} plans drafted, {unchanged} unchanged in {rt:.1f} s")
    log.info("region %d: %d sites, %d plans drafted, %d unchanged in %.2f s", region_id, len(ids), created,
             unchanged, rt)
    return DraftReport(region_id, len(ids), created, unchanged, rt)


def draft_site(sf: sessionmaker[Session], site_id: int, threat: str, *, now: dt.datetime,
               account_id: int | None = None) -> EmergencyPlan:
    """A new draft version of one site's plan for ``threat`` from data."""
    svc.check_now(now)
    svc.check_threat(threat)
    with sf() as s:
        site = s.get(Site, site_id)
        if site is None:
            raise NotFound(f"site {site_id} does not exist")
        d = load_region(s, site.region_id, [site_id])
        sections, data = draft_content(d, site_id, threat)
    return svc.save_plan(sf, site_id, threat, sections, now=now, account_id=account_id, data=data)
