"""Response units: teams (posts, patrol cars, special units, fire engines), never named people.

Seeded from OSM police and fire stations on import (keyed by the station's OSM id; user-added units are
never touched); users add, edit, move and remove units. Each unit's base is snapped to its speed
profile's routing graph; the snapped road node and the snap distance are stored.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.routing.gridsnap import DEFAULT_MAX_SNAP_M
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.db.versioning import claim
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.time import MINUTES_PER_DAY
from bastion.kernel.time import MINUTES_PER_WEEK
from bastion.kernel.time import minute_of_week
from bastion.kernel.time import parse_duration_s as parse_duration_s  # re-exported for the adapters
from bastion.kernel.unset import UNSET
from bastion.kernel.unset import Unset
from bastion.regions.cachefiles import check_profile
from bastion.regions.models import Region
from bastion.regions.repository import RegionRepo
from bastion.regions.snapping import RoutingSnapIndex
from bastion.regions.snapping import SnapIndex
from bastion.regions.snapping import stored_index
from bastion.units.enums import UNIT_DEFAULTS
from bastion.units.enums import ResponseStandard
from bastion.units.models import ResponseUnit

if TYPE_CHECKING:
    from bastion.algorithms.sites.model import SiteRecord
    from bastion.regions.graphs import Routing

log = logging.getLogger(__name__)

# type -> (default speed profile, default standard s), from the vocabularies in units/enums.py
UNIT_TYPES: dict[str, tuple[str, int]] = {t.value: (p.value, int(s)) for t, (p, s) in UNIT_DEFAULTS.items()}
STANDARDS_S = tuple(int(s) for s in ResponseStandard)  # the 1/3/5-minute rings
STATION_KINDS = {"police": "police_station", "fire_station": "fire_station"}  # OSM site kind -> unit type
NAME_MAX = 200


def check_unit_standard(v: int) -> int:
    """A unit's own response standard is one of the rings (STANDARDS_S), not any duration: coverage maps and
    reports group units by ring. Durations in general: kernel.time.check_duration_s."""
    if v not in STANDARDS_S:
        raise InvalidInput(f"standard_s must be one of {', '.join(map(str, STANDARDS_S))} seconds (1, 3 or 5 minutes),"
                           f" got {v}", field="standard_s")
    return v


def check_lonlat(lon: float, lat: float) -> tuple[float, float]:
    if not (isinstance(lon, (int, float)) and math.isfinite(lon) and -180 <= lon <= 180):
        raise InvalidInput(f"lon must be WGS84 degrees in [-180, 180], got {lon!r}", field="lon")
    if not (isinstance(lat, (int, float)) and math.isfinite(lat) and -90 <= lat <= 90):
        raise InvalidInput(f"lat must be WGS84 degrees in [-90, 90], got {lat!r}", field="lat")
    return float(lon), float(lat)


def check_availability(value: Any) -> list[list[int]] | None:
    """Weekly intervals [[start, end], ...] in minutes from Monday 00:00 (0..10080, start < end); None = 24/7."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidInput("availability must be a non-empty list of [start, end] minutes of the week "
                           "(Monday 00:00 = 0, end <= 10080), or null for 24/7", field="availability")
    out = []
    for i, iv in enumerate(value):
        ok = isinstance(iv, (list, tuple)) and len(iv) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                                      for x in iv)
        if not ok or not 0 <= iv[0] < iv[1] <= MINUTES_PER_WEEK:
            raise InvalidInput(f"availability[{i}] = {iv!r} must be [start, end] whole minutes with "
                               f"0 <= start < end <= {MINUTES_PER_WEEK}", field="availability")
        out.append([int(iv[0]), int(iv[1])])
    return sorted(out)


def parse_availability(text: str) -> list[list[int]] | None:
    """CLI form: '24/7' or 'Mo-Fr 08:00-20:00; Sa 10:00-14:00' (days Mo Tu We Th Fr Sa Su)."""
    days = ["mo", "tu", "we", "th", "fr", "sa", "su"]
    t = text.strip().lower()
    if t in ("24/7", "always", ""):
        return None
    out: list[list[int]] = []
    for part in t.split(";"):
        m = re.fullmatch(
            r"\s*(mo|tu|we|th|fr|sa|su)(?:-(mo|tu|we|th|fr|sa|su))?\s+(\d\d):(\d\d)-(\d\d):(\d\d)\s*", part
        )
        if not m:
            raise InvalidInput(f"availability {part.strip()!r}: write e.g. 'Mo-Fr 08:00-20:00; Sa 10:00-14:00' or "
                               "'24/7'", field="availability")
        d0 = days.index(m.group(1))
        d1 = days.index(m.group(2)) if m.group(2) else d0
        a, b = int(m.group(3)) * 60 + int(m.group(4)), int(m.group(5)) * 60 + int(m.group(6))
        if d1 < d0 or not 0 <= a < b <= MINUTES_PER_DAY:
            raise InvalidInput(f"availability {part.strip()!r}: days must run forward and times satisfy "
                               "00:00 <= start < end <= 24:00", field="availability")
        out += [[d * MINUTES_PER_DAY + a, d * MINUTES_PER_DAY + b] for d in range(d0, d1 + 1)]
    return check_availability(out)


def is_available(unit: ResponseUnit, at: dt.datetime | None) -> bool:
    if at is None or not unit.availability:
        return True
    m = minute_of_week(at)
    return any(a <= m < b for a, b in unit.availability)


def snap_index_for_region(s: Session, region: Region, profile: str) -> SnapIndex:
    """How to snap a unit's base: without loading the graph when it can (regions.snapping), else with the graph
    (loading or building it also stores the small snap file for the next call)."""
    index = stored_index(region, profile)
    if index is None:
        from bastion.regions.graphs import routing_for_region

        index = RoutingSnapIndex(routing_for_region(s, region, profile))
    return index


def snap_base(index: SnapIndex, lon: float, lat: float) -> tuple[int | None, float]:
    """Snapped road node (OSM id) of a base, None if farther than the snap threshold; and the distance (m)."""
    return index.snap(lon, lat, max_snap_m=DEFAULT_MAX_SNAP_M)


def _check_name(name: str) -> str:
    name = (name or "").strip()
    if not 1 <= len(name) <= NAME_MAX:
        raise InvalidInput(f"name must be 1 to {NAME_MAX} characters, e.g. 'Patrol car 3'", field="name")
    return name


def _check_type(t: str) -> str:
    if t not in UNIT_TYPES:
        raise InvalidInput(f"unit_type {t!r} is unknown; use one of {', '.join(UNIT_TYPES)}", field="unit_type")
    return t


def get_unit(s: Session, unit_id: int) -> ResponseUnit:
    u = s.get(ResponseUnit, unit_id)
    if u is None:
        raise NotFound(f"unit {unit_id} does not exist", hint="list units with `bastion units list --region R`")
    return u


def list_units(s: Session, region_id: int) -> Sequence[ResponseUnit]:
    RegionRepo(s).get(region_id)
    return s.scalars(select(ResponseUnit).where(ResponseUnit.region_id == region_id)
                     .order_by(ResponseUnit.id)).all()


@dataclass(frozen=True)
class UnitSpec:
    """A new unit. Defaults for speed_profile and standard_s come from the unit type."""

    unit_type: str
    name: str
    lon: float
    lat: float
    standard_s: int | None = None
    speed_profile: str | None = None
    availability: list[list[int]] | None = None


def add_unit(sf: sessionmaker[Session], region_ref: str | int, spec: UnitSpec) -> ResponseUnit:
    return add_units(sf, region_ref, [spec])[0]


def add_units(sf: sessionmaker[Session], region_ref: str | int, specs: Sequence[UnitSpec]) -> list[ResponseUnit]:
    """Add units in one transaction (all or nothing)."""
    checked = []
    for spec in specs:
        t = _check_type(spec.unit_type)
        prof = check_profile(spec.speed_profile or UNIT_TYPES[t][0])
        checked.append((t, _check_name(spec.name), *check_lonlat(spec.lon, spec.lat), prof,
                        check_unit_standard(spec.standard_s if spec.standard_s is not None else UNIT_TYPES[t][1]),
                        check_availability(spec.availability)))
    now = utcnow()
    out = []
    with unit_of_work(sf) as s:
        region = RegionRepo(s).get_by_ref(region_ref)
        for t, name, lon, lat, prof, std, avail in checked:
            node, dist = snap_base(snap_index_for_region(s, region, prof), lon, lat)
            u = ResponseUnit(region_id=region.id, unit_type=t, name=name, lon=lon, lat=lat, snap_osm_node=node,
                             snap_distance_m=dist, availability=avail, standard_s=std, speed_profile=prof,
                             source="user", source_ref=None, created_at=now, updated_at=now)
            s.add(u)
            out.append(u)
        s.flush()
        for u in out:
            s.refresh(u)
            s.expunge(u)
    for u in out:
        log.info("unit %d %r added to region %d (%s, snapped %.0f m)", u.id, u.name, u.region_id, u.speed_profile,
                 u.snap_distance_m or 0.0)
    return out


@dataclass(frozen=True)
class UnitEdit:
    """Fields left UNSET are not changed. Moving = giving lon and lat."""

    unit_type: str | Unset = UNSET
    name: str | Unset = UNSET
    lon: float | Unset = UNSET
    lat: float | Unset = UNSET
    standard_s: int | Unset = UNSET
    speed_profile: str | Unset = UNSET
    availability: list[list[int]] | None | Unset = UNSET


def edit_unit(sf: sessionmaker[Session], unit_id: int, edit: UnitEdit, *,
              expected_version: int | None = None) -> ResponseUnit:
    """Change a unit; `expected_version`: the version the caller read (409 when another write moved it on)."""
    if isinstance(edit.lon, Unset) != isinstance(edit.lat, Unset):
        raise InvalidInput("to move a unit give both lon and lat", field="lon" if edit.lon is UNSET else "lat")
    with unit_of_work(sf) as s:
        u = get_unit(s, unit_id)
        claim(s, ResponseUnit, unit_id, expected_version, what="unit", obj=u)
        if not isinstance(edit.unit_type, Unset):
            u.unit_type = _check_type(edit.unit_type)
        if not isinstance(edit.name, Unset):
            u.name = _check_name(edit.name)
        if not isinstance(edit.standard_s, Unset):
            u.standard_s = check_unit_standard(edit.standard_s)
        if not isinstance(edit.availability, Unset):
            u.availability = check_availability(edit.availability)
        resnap = False
        if not isinstance(edit.speed_profile, Unset):
            u.speed_profile = check_profile(edit.speed_profile)
            resnap = True
        if not isinstance(edit.lon, Unset) and not isinstance(edit.lat, Unset):
            u.lon, u.lat = check_lonlat(edit.lon, edit.lat)
            resnap = True
        if resnap:
            region = RegionRepo(s).get(u.region_id)
            nodes = snap_index_for_region(s, region, u.speed_profile)
            u.snap_osm_node, u.snap_distance_m = snap_base(nodes, u.lon, u.lat)
        u.updated_at = utcnow()
        s.flush()
        s.refresh(u)
        s.expunge(u)
    log.info("unit %d edited", unit_id)
    return u


def remove_unit(sf: sessionmaker[Session], unit_id: int, *, expected_version: int | None = None) -> None:
    with unit_of_work(sf) as s:
        u = get_unit(s, unit_id)
        claim(s, ResponseUnit, unit_id, expected_version, what="unit", obj=u)
        s.delete(u)
    log.info("unit %d removed", unit_id)


def seed_station_units(
    s: Session, region: Region, sites: Sequence[SiteRecord], routing: Routing | None
) -> tuple[int, int]:
    """Upsert one unit per OSM police / fire station (keyed by 'node/123'); user units are untouched.

    A seeded unit is updated only when the station's name or location changed in OSM; the user's edits of
    its type, standard, profile and availability are kept. Returns (inserted, updated)."""
    existing = {u.source_ref: u for u in s.scalars(select(ResponseUnit).where(
        ResponseUnit.region_id == region.id, ResponseUnit.source == "osm_station"))}
    now = utcnow()
    ins = upd = 0
    for rec in sites:
        if rec.kind not in STATION_KINDS:
            continue
        ref = f"{rec.source_type}/{rec.source_id}"
        utype = STATION_KINDS[rec.kind]
        name = (rec.name or f"{utype.replace('_', ' ').capitalize()} {ref}")[:NAME_MAX]
        u = existing.get(ref)
        if u is not None and u.name == name and u.lon == rec.lon and u.lat == rec.lat:
            continue
        node, dist = snap_base(RoutingSnapIndex(routing), rec.lon, rec.lat) if routing is not None else (None, None)
        if u is None:
            prof, std = UNIT_TYPES[utype]
            s.add(ResponseUnit(region_id=region.id, unit_type=utype, name=name, lon=rec.lon, lat=rec.lat,
                               snap_osm_node=node, snap_distance_m=dist, availability=None, standard_s=std,
                               speed_profile=prof, source="osm_station", source_ref=ref, created_at=now,
                               updated_at=now))
            ins += 1
        else:
            u.name, u.lon, u.lat, u.updated_at = name, rec.lon, rec.lat, now
            if u.speed_profile == "patrol_car":
                u.snap_osm_node, u.snap_distance_m = node, dist
            upd += 1
    s.flush()
    return ins, upd
