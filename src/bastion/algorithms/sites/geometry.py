"""Geodesic measures of site geometries (WGS84, pyproj.Geod) and their representative points."""

from __future__ import annotations

from pyproj import Geod
from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

_GEOD = Geod(ellps="WGS84")


def area_m2(geom: BaseGeometry) -> float | None:
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    area, _ = _GEOD.geometry_area_perimeter(geom)
    return abs(float(area))


def length_m(geom: BaseGeometry) -> float | None:
    if geom.geom_type not in ("LineString", "MultiLineString"):
        return None
    return float(_GEOD.geometry_length(geom))


def representative_lonlat(geom: BaseGeometry) -> tuple[float, float]:
    if isinstance(geom, Point):
        return float(geom.x), float(geom.y)
    c = geom.centroid
    if geom.geom_type in ("Polygon", "MultiPolygon") and not geom.contains(c):
        c = geom.representative_point()
    elif geom.geom_type in ("LineString", "MultiLineString"):
        c = geom.interpolate(0.5, normalized=True)
    return float(c.x), float(c.y)
