"""The barrier rating an approach needs, per standard, and whether a recorded barrier's own rating meets it.

Rules (docs/models/vehicle.md):
- The test vehicle is the threat vehicle's own class in that standard when the class names one (its
  designated equivalent, e.g. ASTM PU for an N1G pick-up), else the lightest test vehicle of the standard
  whose test mass is >= the threat's mass.
- The test speed is the smallest speed the standard tests that vehicle at which is >= the impact speed
  (round UP, never down). Above the highest tested speed no certified rating covers the approach.
- Penetration: the barrier must stop the vehicle within the standoff available behind it (standoff_m).
  ASTM F2656 P-classes: P1 <= 1 m, P2 <= 7 m, P3 <= 30 m, P4 > 30 m.
- A certified rating is never converted between standards (ISO 22343-1, IWA 14-1, PAS 68, ASTM F2656
  are distinct): `meets` compares a rating only with the need under its own standard, same test vehicle.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bastion.algorithms.vehicle.vehicles import VehicleClass
from bastion.kernel.errors import InvalidInput

ISO_22343 = "ISO 22343-1"
IWA_14 = "IWA 14-1"
PAS_68 = "PAS 68"
ASTM_F2656 = "ASTM F2656"
STANDARDS = (ISO_22343, IWA_14, PAS_68, ASTM_F2656)

_EU_SPEEDS = (16.0, 32.0, 48.0, 64.0, 80.0, 96.0, 112.0)  # km/h, ISO 22343-1 / IWA 14-1 / PAS 68
_EU_HEAVY_SPEEDS = (16.0, 32.0, 48.0, 64.0, 80.0)
_MPH = 1.609344


@dataclass(frozen=True)
class TestVehicle:
    cls: str  # the standard's own designation (M1, N2A, PU, M, ...)
    mass_kg: float
    speeds_kph: tuple[float, ...]  # tested nominal speeds, ascending
    speed_codes: tuple[str, ...] = ()  # ASTM: "30", "40", ... (mph)


_ISO_VEHICLES = (
    TestVehicle("M1", 1500, _EU_SPEEDS),
    TestVehicle("N1G", 2500, _EU_SPEEDS),
    TestVehicle("N1", 3500, _EU_SPEEDS),
    TestVehicle("N2A", 7200, _EU_SPEEDS),
    TestVehicle("N3C", 7200, _EU_SPEEDS),
    TestVehicle("N3D", 30000, _EU_HEAVY_SPEEDS),
    TestVehicle("N3E", 30000, _EU_HEAVY_SPEEDS),
    TestVehicle("N3F", 30000, _EU_HEAVY_SPEEDS),
)
_PAS_VEHICLES = (
    TestVehicle("M1", 1500, _EU_SPEEDS),
    TestVehicle("N1G", 2500, _EU_SPEEDS),
    TestVehicle("N1", 3500, _EU_SPEEDS),
    TestVehicle("N2", 7200, _EU_SPEEDS),
    TestVehicle("N3", 7500, _EU_SPEEDS),
    TestVehicle("N3", 30000, _EU_HEAVY_SPEEDS),
)


def _astm(cls: str, mass: float, mph: tuple[int, ...]) -> TestVehicle:
    return TestVehicle(cls, mass, tuple(m * _MPH for m in mph), tuple(str(m) for m in mph))


_ASTM_VEHICLES = (
    _astm("SC", 1100, (30, 40, 50, 60)),
    _astm("FS", 2100, (30, 40, 50, 60)),
    _astm("PU", 2300, (30, 40, 50, 60)),
    _astm("M", 6800, (30, 40, 50)),
    _astm("C7", 7200, (30, 40, 50)),
    _astm("H", 29500, (30, 40, 50)),
)
TEST_VEHICLES: dict[str, tuple[TestVehicle, ...]] = {
    ISO_22343: _ISO_VEHICLES, IWA_14: _ISO_VEHICLES, PAS_68: _PAS_VEHICLES, ASTM_F2656: _ASTM_VEHICLES,
}
ASTM_P_LIMITS_M = (("P1", 1.0), ("P2", 7.0), ("P3", 30.0), ("P4", math.inf))


@dataclass(frozen=True)
class RatingNeed:
    standard: str
    vehicle_class: str
    test_mass_kg: float
    impact_speed_kph: float
    test_speed_kph: float | None  # None: above every tested speed (no certified rating covers it)
    max_penetration_m: float  # the standoff available behind the barrier line
    label: str  # e.g. "V/1500[M1]/64 penetration <= 1.0 m" or "M50-P1"

    @property
    def coverable(self) -> bool:
        return self.test_speed_kph is not None


def _test_vehicle(standard: str, v: VehicleClass) -> TestVehicle:
    fleet = TEST_VEHICLES[standard]
    own = {ISO_22343: v.iso_class, IWA_14: v.iso_class, PAS_68: v.pas68_class, ASTM_F2656: v.astm_class}[standard]
    named = [t for t in fleet if t.cls == own]
    if named:  # the standard's designated equivalent (PAS 68 has two N3 masses: the lightest >= ours)
        heavy_enough = [t for t in named if t.mass_kg >= v.mass_kg]
        return min(heavy_enough, key=lambda t: t.mass_kg) if heavy_enough else max(named, key=lambda t: t.mass_kg)
    heavier = [t for t in fleet if t.mass_kg >= v.mass_kg]
    if heavier:
        return min(heavier, key=lambda t: t.mass_kg)
    return max(fleet, key=lambda t: t.mass_kg)


def astm_p_class(standoff_m: float) -> str:
    """Least stringent ASTM F2656 penetration class that stops the vehicle within standoff_m.

    Below 1 m nothing tested guarantees it: P1 (the most stringent) is returned.
    """
    ok = [name for name, limit in ASTM_P_LIMITS_M if limit <= standoff_m]
    return ok[-1] if ok else "P1"


def required_rating(
    standard: str, vehicle: VehicleClass, impact_speed_kph: float, *, standoff_m: float = 1.0
) -> RatingNeed:
    """The rating a barrier needs under `standard` against `vehicle` arriving at `impact_speed_kph`."""
    if standard not in STANDARDS:
        raise InvalidInput(f"standard {standard!r} is unknown: use one of {', '.join(STANDARDS)}", field="standard")
    if not (impact_speed_kph >= 0 and math.isfinite(impact_speed_kph)):
        raise InvalidInput(f"impact_speed_kph must be a finite number >= 0, got {impact_speed_kph}")
    if not standoff_m >= 0:
        raise InvalidInput(f"standoff_m must be >= 0 metres, got {standoff_m}")
    tv = _test_vehicle(standard, vehicle)
    k = next((i for i, s in enumerate(tv.speeds_kph) if s >= impact_speed_kph - 1e-9), None)
    speed = tv.speeds_kph[k] if k is not None else None
    if standard == ASTM_F2656:
        p = astm_p_class(standoff_m)
        label = f"{tv.cls}{tv.speed_codes[k]}-{p}" if k is not None else f"{tv.cls} > {tv.speed_codes[-1]} mph"
    else:
        br = "(" if standard == PAS_68 else "["
        kt = ")" if standard == PAS_68 else "]"
        sp = f"{speed:.0f}" if speed is not None else f">{tv.speeds_kph[-1]:.0f}"
        label = f"V/{tv.mass_kg:.0f}{br}{tv.cls}{kt}/{sp} penetration <= {standoff_m:.1f} m"
    return RatingNeed(standard, tv.cls, float(tv.mass_kg), float(impact_speed_kph), speed, float(standoff_m), label)


@dataclass(frozen=True)
class BarrierRating:
    """A barrier's certified rating, kept verbatim with its parsed parts."""

    standard: str
    text: str
    vehicle_class: str
    test_mass_kg: float | None
    test_speed_kph: float
    penetration_m: float | None  # measured (ISO/IWA/PAS) or the P-class limit (ASTM)


_EU_RE = re.compile(r"V\s*/\s*(\d+)\s*[\[(]\s*([A-Z0-9]+)\s*[\])]\s*/\s*(\d+)\s*/\s*(\d+)\s*(?::\s*([\d.]+))?")
_ASTM_RE = re.compile(r"^(SC|FS|PU|C7|M|H|C|P)\s*(30|40|50|60)\s*[-/ ]?\s*(P[1-4])$")


def parse_rating(standard: str, text: str) -> BarrierRating:
    """Parse a certified rating string of the given standard (kept verbatim in .text)."""
    if standard not in STANDARDS:
        raise InvalidInput(f"standard {standard!r} is unknown: use one of {', '.join(STANDARDS)}", field="standard")
    t = text.strip().upper()
    if standard == ASTM_F2656:
        m = _ASTM_RE.match(t)
        if not m:
            raise InvalidInput(f"ASTM F2656 rating {text!r} not understood: expected e.g. 'M50-P1' or 'PU40 P2'")
        cls = {"P": "PU", "C": "SC"}.get(m.group(1), m.group(1))
        tv = next((v for v in _ASTM_VEHICLES if v.cls == cls), None)
        limit = dict(ASTM_P_LIMITS_M)[m.group(3)]
        return BarrierRating(
            standard, text, cls, float(tv.mass_kg) if tv else None, int(m.group(2)) * _MPH, limit
        )
    m = _EU_RE.search(t)
    if not m:
        raise InvalidInput(f"{standard} rating {text!r} not understood: expected e.g. 'V/7200[N2A]/48/90:2.4'")
    pen = float(m.group(5)) if m.group(5) else None
    return BarrierRating(standard, text, m.group(2), float(m.group(1)), float(m.group(3)), pen)


def meets(rating: BarrierRating, need: RatingNeed) -> bool:
    """True when a certified rating satisfies a need of the SAME standard (never converted across)."""
    if rating.standard != need.standard:
        raise InvalidInput(
            f"a {rating.standard} rating cannot be compared with a {need.standard} need: ratings are never "
            f"converted between standards; compute the need under {rating.standard}"
        )
    if need.test_speed_kph is None:
        return False
    same_vehicle = rating.vehicle_class == need.vehicle_class and (
        rating.test_mass_kg is None or abs(rating.test_mass_kg - need.test_mass_kg) <= 0.05 * need.test_mass_kg
    )
    pen_ok = rating.penetration_m is not None and rating.penetration_m <= need.max_penetration_m + 1e-9
    if need.standard == ASTM_F2656 and rating.penetration_m is not None:
        pen_ok = rating.penetration_m <= dict(ASTM_P_LIMITS_M)[astm_p_class(need.max_penetration_m)]
    return same_vehicle and rating.test_speed_kph >= need.test_speed_kph - 1e-6 and pen_ok
