"""Turning domain SiteRecords into Site row values (shared by the OSM and user-list imports)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import shapely

from bastion.algorithms.sites.model import SiteRecord
from bastion.regions.osm import BarrierRecord


def site_values(rec: SiteRecord) -> dict[str, Any]:
    """Column values a source controls (never user edits such as capacity_override or notes)."""
    minx, miny, maxx, maxy = rec.geometry.bounds
    hours = rec.hours
    values: dict[str, Any] = {
        "name": rec.name,
        "category": rec.category,
        "kind": rec.kind,
        "geom_type": rec.geometry.geom_type,
        "geometry_wkb": shapely.to_wkb(rec.geometry, output_dimension=2),
        "lon": rec.lon,
        "lat": rec.lat,
        "min_lon": minx,
        "min_lat": miny,
        "max_lon": maxx,
        "max_lat": maxy,
        "area_m2": rec.area_m2,
        "length_m": rec.length_m,
        "capacity_estimated": rec.capacity.capacity,
        "capacity_method": rec.capacity.method,
        "capacity_inputs": dict(rec.capacity.inputs),
        "capacity_low": rec.capacity.band[0],
        "capacity_high": rec.capacity.band[1],
        "osm_members": list(rec.members) if rec.source == "osm" else None,
        "opening_hours_raw": hours.raw if hours else None,
        "opening_hours_valid": hours.valid if hours else None,
        "opening_hours_weekly": [list(iv) for iv in hours.intervals] if hours and hours.intervals is not None else None,
        "opening_hours_error": hours.error if hours else None,
        "tags": dict(rec.tags),
        "osm_version": rec.osm_version,
    }
    values["content_hash"] = content_hash(values)
    return values


def barrier_values(b: BarrierRecord) -> dict[str, Any]:
    """Column values of an OSM street barrier (all controlled by OSM)."""
    p = b.geometry.representative_point()
    values: dict[str, Any] = {
        "kind": b.kind, "geom_type": b.geometry.geom_type,
        "geometry_wkb": shapely.to_wkb(b.geometry, output_dimension=2), "lon": float(p.x), "lat": float(p.y),
        "tags": dict(b.tags), "osm_version": b.osm_version,
    }
    values["content_hash"] = content_hash(values)
    return values


def content_hash(values: dict[str, Any]) -> str:
    h = hashlib.sha256()
    for key in sorted(values):
        if key == "content_hash":
            continue
        v = values[key]
        h.update(key.encode())
        h.update(v if isinstance(v, bytes) else json.dumps(v, sort_keys=True, default=str).encode())
    return h.hexdigest()
