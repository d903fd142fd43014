"""Assess one protected perimeter: every entry point's worst approach, its speed band and the ratings it needs."""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from dataclasses import field

import numpy as np
from shapely.geometry.base import BaseGeometry

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.vehicle.approach import DEFAULT_MAX_DISTANCE_M
from bastion.algorithms.vehicle.approach import ApproachPath
from bastion.algorithms.vehicle.approach import extend_run_up
from bastion.algorithms.vehicle.approach import worst_path
from bastion.algorithms.vehicle.geometry import points_at
from bastion.algorithms.vehicle.geometry import stations
from bastion.algorithms.vehicle.network import DEFAULT_BUFFER_M
from bastion.algorithms.vehicle.network import DEFAULT_POINT_RADIUS_M
from bastion.algorithms.vehicle.network import Entry
from bastion.algorithms.vehicle.network import VehicleNetwork
from bastion.algorithms.vehicle.physics import FRICTION_CONSERVATIVE
from bastion.algorithms.vehicle.physics import FRICTION_NORMAL
from bastion.algorithms.vehicle.physics import Dynamics
from bastion.algorithms.vehicle.physics import ImpactSpeedProfile
from bastion.algorithms.vehicle.ratings import STANDARDS
from bastion.algorithms.vehicle.ratings import RatingNeed
from bastion.algorithms.vehicle.ratings import required_rating
from bastion.algorithms.vehicle.vehicles import VehicleClass
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import SolverError
from bastion.kernel.units import KPH_PER_MPS
from bastion.kernel.units import kph_to_mps

log = logging.getLogger(__name__)

FRICTION_LOW = 0.5  # wet asphalt / cautious driver, lower band


@dataclass(frozen=True)
class Approach:
    entry_lon: float
    entry_lat: float
    entry_edge: int  # RoadNetwork edge index the vehicle arrives on
    way_id: int
    wrong_way: bool  # the path drives against a one-way restriction somewhere
    impact_speed_kph: float
    band_kph: tuple[float, float, float]  # (low, central, high) scenario speeds, each its own worst path
    kinetic_energy_kj: float
    run_up_m: float
    path_length_m: float
    limited_by: str  # run_up | bend | top_speed
    limiting_radius_m: float | None
    limiting_lonlat: tuple[float, float] | None
    needs: tuple[RatingNeed, ...]
    path_lonlat: FloatArray = field(repr=False)
    profile: ImpactSpeedProfile = field(repr=False)  # central scenario; for timing.check_approach
    dynamics: Dynamics = field(repr=False)


@dataclass(frozen=True)
class SiteAssessment:
    vehicle: str
    status: str  # "ok" | "no_road_access" (no drivable road reaches the zone)
    approaches: tuple[Approach, ...]  # one per entry point, fastest first
    runtime_s: float
    labels: int
    fallbacks: int

    @property
    def worst(self) -> Approach | None:
        return self.approaches[0] if self.approaches else None


def scenarios(vehicle: VehicleClass, *, friction: float, friction_low: float, friction_high: float,
              v0_mps: float) -> tuple[Dynamics, Dynamics, Dynamics]:
    vmax = kph_to_mps(vehicle.max_speed_kph)
    return (
        Dynamics(vehicle.accel_low_mps2, friction_low, v0_mps, vmax),
        Dynamics(vehicle.accel_mps2, friction, v0_mps, vmax),
        Dynamics(vehicle.accel_high_mps2, friction_high, v0_mps, vmax),
    )


def assess_perimeter(
    net: VehicleNetwork,
    perimeter_lonlat: BaseGeometry,
    vehicle: VehicleClass,
    *,
    max_distance_m: float = DEFAULT_MAX_DISTANCE_M,
    ignore_oneway: bool = False,
    friction: float = FRICTION_NORMAL,
    friction_low: float = FRICTION_LOW,
    friction_high: float = FRICTION_CONSERVATIVE,
    v0_mps: float = 0.0,
    buffer_m: float = DEFAULT_BUFFER_M,
    point_radius_m: float = DEFAULT_POINT_RADIUS_M,
    standoff_m: float = 1.0,
    standards: tuple[str, ...] = STANDARDS,
    bands: bool = True,
) -> SiteAssessment:
    """Worst approach per entry point of one perimeter (lon/lat polygon, line or point) for one vehicle."""
    if not friction_low <= friction <= friction_high:
        raise InvalidInput(
            f"frictions must satisfy low <= central <= high, got {friction_low}, {friction}, {friction_high}"
        )
    t0 = time.perf_counter()
    low, central, high = scenarios(vehicle, friction=friction, friction_low=friction_low,
                                   friction_high=friction_high, v0_mps=v0_mps)
    zone = net.zone(perimeter_lonlat, buffer_m=buffer_m, point_radius_m=point_radius_m)
    touching = net.touching(zone)
    blocked = set(int(e) for e in touching)
    entries = [e for e in net.entries(zone, touching) if ignore_oneway or not net.wrong_way[e.edge]]
    out: list[Approach] = []
    labels = fallbacks = 0

    def search(entry: Entry, dyn: Dynamics) -> ApproachPath:
        return worst_path(net, entry, dyn, blocked=blocked, max_distance_m=max_distance_m,
                          ignore_oneway=ignore_oneway)

    for entry in entries:
        path = search(entry, central)
        if v0_mps == 0:  # show the whole run-up on the map (same speed, see extend_run_up)
            path = extend_run_up(net, path, blocked=blocked, max_distance_m=max_distance_m,
                                 ignore_oneway=ignore_oneway)
        labels += path.labels_created
        fallbacks += int(path.fallback)
        v = path.impact_speed_mps * KPH_PER_MPS
        if bands:
            lo = search(entry, low).impact_speed_mps * KPH_PER_MPS
            hi = search(entry, high).impact_speed_mps * KPH_PER_MPS
        else:
            lo = hi = v
        out.append(_approach(net, path, central, vehicle, (lo, v, hi), standoff_m, standards))
    out.sort(key=lambda a: -a.impact_speed_kph)
    dt = time.perf_counter() - t0
    log.debug("perimeter: %d entries, %d labels, %d fallbacks, %.3f s", len(entries), labels, fallbacks, dt)
    return SiteAssessment(vehicle.key, "ok" if out else "no_road_access", tuple(out), dt, labels, fallbacks)


def _approach(net: VehicleNetwork, path: ApproachPath, dyn: Dynamics, vehicle: VehicleClass,
              band: tuple[float, float, float], standoff_m: float, standards: tuple[str, ...]) -> Approach:
    prof = net.path_profile(path.entry, path.edges, path.start_offset_m, dyn, mass_kg=vehicle.mass_kg)
    if not math.isclose(prof.impact_speed_mps, path.impact_speed_mps, rel_tol=1e-6, abs_tol=1e-6):
        raise SolverError(  # the search and the direct evaluation of its path must agree
            f"approach search gave {path.impact_speed_mps:.6f} m/s but its path evaluates to "
            f"{prof.impact_speed_mps:.6f} m/s (entry edge {path.entry.edge}); please report this defect"
        )
    xy = net.path_xy(path.entry, path.edges, path.start_offset_m)
    lonlat = net.to_lonlat(xy)
    lim = None
    if prof.limiting_station_m is not None:
        p = points_at(xy, stations(xy), np.array([prof.limiting_station_m]))
        ll = net.to_lonlat(p)[0]
        lim = (float(ll[0]), float(ll[1]))
    v = prof.impact_speed_kph
    needs = tuple(required_rating(s, vehicle, v, standoff_m=standoff_m) for s in standards)
    e = path.entry.edge
    used = (*path.edges, e)
    return Approach(
        entry_lon=path.entry.lon, entry_lat=path.entry.lat, entry_edge=int(net.base_edge[e]),
        way_id=int(net.roads.edge_way_id[net.base_edge[e]]), wrong_way=bool(any(net.wrong_way[i] for i in used)),
        impact_speed_kph=v, band_kph=(min(band[0], v), v, max(band[2], v)),
        kinetic_energy_kj=float(prof.kinetic_energy_kj or 0.0),
        run_up_m=prof.run_up_m, path_length_m=prof.length_m, limited_by=prof.limited_by,
        limiting_radius_m=prof.limiting_radius_m, limiting_lonlat=lim, needs=needs, path_lonlat=lonlat,
        profile=prof, dynamics=dyn,
    )
