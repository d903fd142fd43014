"""Speed profile of a hostile vehicle along a path: accelerate, cap at the skid limit on bends, never brake.

Along a path of length L with bends j at stations s_j (metres from the start) of radius R_j:
    v(s)^2 = min( v0^2 + 2 a s,  vmax^2,  min_{j: s_j <= s} ( f g R_j + 2 a (s - s_j) ) )
(constant acceleration a from the start speed v0; at a bend the speed drops to the skid limit sqrt(f g R)
if higher, and the vehicle accelerates again after it). The impact speed is v(L); the binding term names
what limits it (the run-up from the start, a bend, or the vehicle's top speed) and the run-up length is
the distance from that point to the perimeter. Kinetic energy E = m v^2 / 2.
Sources: v = sqrt(v0^2 + 2 a s) and v = sqrt(f g r) as used by UFC 4-022-02 / MIL-HDBK-1013/14 for
vehicle approach speed; see docs/models/vehicle.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.vehicle.geometry import DEFAULT_WINDOW_M
from bastion.algorithms.vehicle.geometry import bend_radii
from bastion.algorithms.vehicle.geometry import dedupe
from bastion.algorithms.vehicle.geometry import stations
from bastion.kernel.errors import InvalidInput
from bastion.kernel.units import G_MPS2
from bastion.kernel.units import KPH_PER_MPS

FRICTION_NORMAL = 0.6  # side-friction coefficient, dry asphalt, typical driver at the limit
FRICTION_CONSERVATIVE = 1.0  # upper bound: skilled driver, grippy tyres (gives higher speeds)


@dataclass(frozen=True)
class Dynamics:
    """The physics assumptions of one run: acceleration, friction, start speed, top speed."""

    accel_mps2: float
    friction: float = FRICTION_NORMAL
    v0_mps: float = 0.0
    max_speed_mps: float = math.inf
    g_mps2: float = G_MPS2

    def __post_init__(self) -> None:
        if not (self.accel_mps2 > 0 and math.isfinite(self.accel_mps2)):
            raise InvalidInput(f"accel_mps2 must be a finite number > 0 m/s^2, got {self.accel_mps2}")
        if not 0 < self.friction <= 2.0:
            raise InvalidInput(f"friction must be in (0, 2] (0.6 normal, 1.0 conservative), got {self.friction}")
        if not self.v0_mps >= 0:
            raise InvalidInput(f"v0_mps (start speed) must be >= 0 m/s, got {self.v0_mps}")
        if not self.max_speed_mps > 0:
            raise InvalidInput(f"max_speed_mps must be > 0 m/s, got {self.max_speed_mps}")

    def cap_sq(self, radius_m: FloatArray) -> FloatArray:
        """Squared skid-limit speed f g R at each radius, (m/s)^2."""
        return self.friction * self.g_mps2 * np.asarray(radius_m, dtype=float)


@dataclass(frozen=True)
class ImpactSpeedProfile:
    length_m: float
    impact_speed_mps: float
    run_up_m: float  # distance from the limiting point (start, bend or top speed reached) to the perimeter
    limited_by: str  # "run_up" | "bend" | "top_speed"
    limiting_station_m: float | None  # station of the limiting bend, metres from the start
    limiting_radius_m: float | None
    bend_stations_m: FloatArray
    bend_radii_m: FloatArray
    mass_kg: float | None = None

    @property
    def impact_speed_kph(self) -> float:
        return self.impact_speed_mps * KPH_PER_MPS

    @property
    def kinetic_energy_kj(self) -> float | None:
        if self.mass_kg is None:
            return None
        return 0.5 * self.mass_kg * self.impact_speed_mps**2 / 1000.0


def _check_bends(length_m: float, st: FloatArray, r: FloatArray) -> None:
    if not (length_m >= 0 and math.isfinite(length_m)):
        raise InvalidInput(f"length_m must be a finite number >= 0 metres, got {length_m}")
    if st.shape != r.shape:
        raise InvalidInput(f"bend_stations_m and bend_radii_m must have the same length, got {len(st)} and {len(r)}")
    if len(st) and (st.min() < 0 or st.max() > length_m + 1e-9):
        raise InvalidInput(f"bend stations must lie in [0, length_m={length_m}], got [{st.min()}, {st.max()}]")
    if len(r) and r.min() < 0:
        raise InvalidInput(f"bend radii must be >= 0 metres, got {r.min()}")


def impact_profile(
    length_m: float,
    bend_stations_m: FloatArray,
    bend_radii_m: FloatArray,
    dynamics: Dynamics,
    *,
    mass_kg: float | None = None,
) -> ImpactSpeedProfile:
    """Impact speed at the end of a path of length_m with the given bends (closed form above)."""
    st = np.asarray(bend_stations_m, dtype=float)
    r = np.asarray(bend_radii_m, dtype=float)
    _check_bends(length_m, st, r)
    a2 = 2.0 * dynamics.accel_mps2
    start_term = dynamics.v0_mps**2 + a2 * length_m
    top_term = dynamics.max_speed_mps**2
    best, limited_by, idx = start_term, "run_up", -1
    if len(st):
        terms = dynamics.cap_sq(r) + a2 * (length_m - st)
        j = int(np.argmin(terms))
        if terms[j] < best:
            best, limited_by, idx = float(terms[j]), "bend", j
    if top_term < best:
        best, limited_by = top_term, "top_speed"
    v = math.sqrt(best)
    if limited_by == "bend":
        run_up = length_m - float(st[idx])
    elif limited_by == "top_speed":
        run_up = 0.0  # cruising at top speed: no further acceleration
    else:
        run_up = length_m
    return ImpactSpeedProfile(
        length_m=float(length_m),
        impact_speed_mps=v,
        run_up_m=run_up,
        limited_by=limited_by,
        limiting_station_m=float(st[idx]) if limited_by == "bend" else None,
        limiting_radius_m=float(r[idx]) if limited_by == "bend" else None,
        bend_stations_m=st,
        bend_radii_m=r,
        mass_kg=mass_kg,
    )


def speed_along(profile: ImpactSpeedProfile, dynamics: Dynamics, s_m: FloatArray) -> FloatArray:
    """Speed (m/s) at stations s_m along the profile's path (for plots and timing)."""
    s = np.asarray(s_m, dtype=float)
    a2 = 2.0 * dynamics.accel_mps2
    v2 = np.minimum(dynamics.v0_mps**2 + a2 * s, dynamics.max_speed_mps**2)
    st = np.asarray(profile.bend_stations_m, dtype=float)
    if len(st) and s.size:
        caps = dynamics.cap_sq(profile.bend_radii_m)
        flat = s.reshape(-1)
        terms = caps[None, :] + a2 * (flat[:, None] - st[None, :])  # every bend at or before each station
        terms = np.where(flat[:, None] >= st[None, :], terms, np.inf)
        v2 = np.minimum(v2, terms.min(axis=1).reshape(s.shape))
    return np.sqrt(v2)


def polyline_profile(
    xy: FloatArray,
    dynamics: Dynamics,
    *,
    window_m: float = DEFAULT_WINDOW_M,
    mass_kg: float | None = None,
) -> ImpactSpeedProfile:
    """Speed profile along one projected polyline (metres), start at its first vertex, perimeter at its last."""
    xy = dedupe(np.asarray(xy, dtype=float))
    if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) < 2:
        raise InvalidInput(f"xy must be an (n >= 2, 2) array of projected metres, got shape {np.shape(xy)}")
    st, r = bend_radii(xy, window_m=window_m)
    return impact_profile(float(stations(xy)[-1]), st, r, dynamics, mass_kg=mass_kg)


def travel_time_s(profile: ImpactSpeedProfile, dynamics: Dynamics, last_m: float) -> float:
    """Time the vehicle takes to cover the last `last_m` metres before the perimeter, seconds (exact).

    v^2 is piecewise linear in s with slope 2a between bends (or flat at top speed), so on each piece
    t = (v_end - v_start) / a, plus d / vmax on the flat part.
    """
    if not 0 <= last_m <= profile.length_m + 1e-9:
        raise InvalidInput(f"last_m must be in [0, {profile.length_m:.1f}] (the path length), got {last_m}")
    a = dynamics.accel_mps2
    vmax = dynamics.max_speed_mps
    s0 = max(0.0, profile.length_m - last_m)
    cuts = sorted({s0, profile.length_m, *(float(x) for x in profile.bend_stations_m if s0 < x < profile.length_m)})
    total = 0.0
    v_cut = speed_along(profile, dynamics, np.asarray(cuts[:-1], dtype=float))  # one vectorised evaluation
    for lo, hi, v_at in zip(cuts[:-1], cuts[1:], v_cut, strict=False):
        if hi <= lo:
            continue
        # speed just after lo (bends at lo included) and just before hi (a bend at hi not yet applied)
        v_lo = float(v_at)
        v2_hi_free = v_lo**2 + 2 * a * (hi - lo)
        if v_lo >= vmax - 1e-12:
            total += (hi - lo) / vmax
        elif v2_hi_free > vmax**2:
            d_acc = (vmax**2 - v_lo**2) / (2 * a)
            total += (vmax - v_lo) / a + (hi - lo - d_acc) / vmax
        else:
            total += (math.sqrt(v2_hi_free) - v_lo) / a
    return total
