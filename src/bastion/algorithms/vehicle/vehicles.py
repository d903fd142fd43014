"""Hostile-vehicle classes: test mass (from the barrier test standards) and acceleration (editable assumptions).

Masses are the test-vehicle masses of the crash-test standards, so that a computed need maps onto a rating:
- ISO 22343-1:2023 / IWA 14-1:2013 test vehicles M1 1,500 kg, N1G 2,500 kg, N1 3,500 kg, N2A 7,200 kg,
  N3C 7,200 kg, N3D/N3E/N3F 30,000 kg;
- PAS 68:2013 vehicles M1 1,500 kg, N1G 2,500 kg, N1 3,500 kg, N2 7,200 kg, N3 7,500 kg, N3 30,000 kg;
- ASTM F2656 vehicles SC 1,100 kg, FS 2,100 kg, PU 2,300 kg, M 6,800 kg, C7 7,200 kg, H 29,500 kg.

Accelerations are full-throttle averages over the first ~100 m from rest, derived from typical
0-100 km/h (or 0-60 km/h for trucks) times of production vehicles of each class; they are ASSUMPTIONS,
editable per assessment, and carried as low/central/high bands (see docs/models/vehicle.md).
Top speeds cap the profile (governed trucks: EU Directive 92/6/EEC speed limiters 90 km/h for N3).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import replace

from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class VehicleClass:
    key: str
    label: str
    mass_kg: float
    accel_mps2: float  # central full-throttle acceleration, m/s^2
    accel_low_mps2: float
    accel_high_mps2: float
    max_speed_kph: float
    iso_class: str | None  # ISO 22343-1 / IWA 14-1 test-vehicle classification
    pas68_class: str | None  # PAS 68 test-vehicle classification
    astm_class: str | None  # ASTM F2656 test-vehicle designation letter(s)
    source: str

    def __post_init__(self) -> None:
        if not self.mass_kg > 0:
            raise InvalidInput(f"mass_kg of vehicle {self.key!r} must be > 0 kg, got {self.mass_kg}")
        if not 0 < self.accel_low_mps2 <= self.accel_mps2 <= self.accel_high_mps2:
            raise InvalidInput(
                f"accelerations of vehicle {self.key!r} must satisfy 0 < low <= central <= high, got "
                f"{self.accel_low_mps2}, {self.accel_mps2}, {self.accel_high_mps2} m/s^2"
            )
        if not self.max_speed_kph > 0:
            raise InvalidInput(f"max_speed_kph of vehicle {self.key!r} must be > 0, got {self.max_speed_kph}")

    def with_(self, **changes: float | str | None) -> VehicleClass:
        """A copy with edited assumptions, validated again (e.g. ``CAR.with_(accel_mps2=2.5)``)."""
        return replace(self, **changes)  # type: ignore[arg-type]


_SRC_ISO = "ISO 22343-1:2023 / IWA 14-1:2013 test vehicle; PAS 68:2013; ASTM F2656-20"

CAR = VehicleClass(
    "car", "Car (M1)", 1500.0, 2.8, 2.0, 3.5, 180.0, "M1", "M1", "FS",
    f"{_SRC_ISO}; accel: 0-100 km/h in ~10 s (2.8 m/s^2)",
)
PICKUP = VehicleClass(
    "pickup", "Pick-up (N1G)", 2500.0, 2.5, 1.8, 3.0, 170.0, "N1G", "N1G", "PU",
    f"{_SRC_ISO}; accel: 0-100 km/h in ~11 s (2.5 m/s^2)",
)
VAN = VehicleClass(
    "van", "Van (N1)", 3500.0, 2.0, 1.5, 2.5, 150.0, "N1", "N1", None,
    f"{_SRC_ISO}; accel: 0-100 km/h in ~14 s (2.0 m/s^2)",
)
MEDIUM_TRUCK = VehicleClass(
    "medium_truck", "Medium truck (N2A, 7.2 t)", 7200.0, 1.5, 1.0, 2.0, 110.0, "N2A", "N2", "C7",
    f"{_SRC_ISO}; accel: 0-60 km/h in ~11 s (1.5 m/s^2)",
)
HGV = VehicleClass(
    "hgv", "Heavy goods vehicle (N3, 30 t)", 30000.0, 0.8, 0.5, 1.1, 90.0, "N3D", "N3", "H",
    f"{_SRC_ISO}; accel: 0-60 km/h in ~21 s laden (0.8 m/s^2); top speed: EU limiter 90 km/h",
)

VEHICLES: dict[str, VehicleClass] = {v.key: v for v in (CAR, PICKUP, VAN, MEDIUM_TRUCK, HGV)}


def vehicle(key: str) -> VehicleClass:
    try:
        return VEHICLES[key]
    except KeyError:
        raise InvalidInput(f"vehicle {key!r} is unknown: use one of {', '.join(VEHICLES)}", field="vehicle") from None
