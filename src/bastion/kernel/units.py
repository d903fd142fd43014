"""Unit helpers. Units live in names: travel_time_s, length_m, speed_kph, speed_mps."""

from __future__ import annotations

KPH_PER_MPS = 3.6
G_MPS2 = 9.80665  # standard gravity, m/s^2


def kph_to_mps(speed_kph: float) -> float:
    return speed_kph / KPH_PER_MPS


def mps_to_kph(speed_mps: float) -> float:
    return speed_mps * KPH_PER_MPS


def mph_to_kph(speed_mph: float) -> float:
    return speed_mph * 1.609344


def minutes_to_s(minutes: float) -> float:
    return minutes * 60.0


def sqft_to_m2(area_sqft: float) -> float:
    return area_sqft * 0.09290304
