"""Hostile-vehicle vocabularies: the one source for schemas, CLI options, services and GET /api/v1/meta."""

from __future__ import annotations

from enum import StrEnum

from bastion.algorithms.vehicle import VEHICLES

# the vehicle classes the physics knows (bastion.algorithms.vehicle.VEHICLES: car, pickup, van, medium_truck, hgv)
VehicleClassKey = StrEnum("VehicleClassKey", {k.upper(): k for k in VEHICLES})  # type: ignore[misc]
VehicleClassKey.__doc__ = "A vehicle class of bastion.algorithms.vehicle.VEHICLES."
VehicleClassKey.__module__ = __name__

DEFAULT_VEHICLE = VehicleClassKey("car")

# the tested impact speeds of ISO 22343-1 / IWA 14-1 / PAS 68, km/h: the map colours approach paths by these bins
SPEED_BINS_KPH = (16, 32, 48, 64, 80, 96, 112)
