"""A site as read from a source (OSM or a user's list), before storage."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

from shapely.geometry.base import BaseGeometry

from bastion.algorithms.sites.capacity import CapacityEstimate
from bastion.algorithms.sites.hours import WeeklyHours


@dataclass(frozen=True)
class SiteRecord:
    source: str  # "osm" or "user"
    source_type: str  # osm: node|way|relation; user: the list's name
    source_id: str  # osm id as text, or the user's own id
    name: str | None
    category: str
    kind: str
    geometry: BaseGeometry  # WGS84 lon/lat: Point, LineString, Polygon or MultiPolygon
    lon: float  # representative point
    lat: float
    area_m2: float | None
    length_m: float | None
    capacity: CapacityEstimate
    hours: WeeklyHours | None
    tags: dict[str, str] = field(default_factory=dict)
    osm_version: int | None = None
    # every source object this site stands for, e.g. ("node/1", "way/7"): a place mapped as a building and its
    # grounds, or a street mapped as several ways, is one site (algorithms/sites/places.py)
    members: tuple[str, ...] = ()

    @property
    def ref(self) -> str:
        return f"{self.source_type}/{self.source_id}"
