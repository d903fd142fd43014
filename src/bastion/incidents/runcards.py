"""Run cards: for a site, the pre-planned first units (a pre-determined attendance) by road travel time from each
unit's base, and for every incident type the nearest unit holding each capability that type needs. Printable
(HTML/PDF, en and zh-CN). Pre-planned, so live positions, statuses and cordons are ignored: units are taken at
their bases on the normal road network (one bounded reverse search from the site, the dispatch core's)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import jinja2
import numpy as np
from sqlalchemy.orm import Session

from bastion.algorithms.dispatch.recommend import STANDARDS_S
from bastion.algorithms.dispatch.recommend import travel_times_to
from bastion.incidents import render
from bastion.incidents import service as svc
from bastion.incidents.dispatch import PROFILE
from bastion.incidents.dispatch import _snap
from bastion.incidents.enums import REQUIRED_CAPABILITIES
from bastion.incidents.enums import IncidentType
from bastion.incidents.enums import UnitStatus
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.regions.graphs import routing_for_region
from bastion.regions.repository import RegionRepo
from bastion.sites.models import Site

MAX_FIRST = 20
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(Path(__file__).with_name("templates"))),
                          autoescape=True, undefined=jinja2.StrictUndefined)


@dataclass(frozen=True)
class CardUnit:
    unit_id: int
    call_sign: str
    unit_type: str
    travel_s: float | None  # None: beyond the search limit or not on the road network
    meets_s: tuple[int, ...]  # the 1/3/5-minute standards this travel time meets
    capabilities: tuple[str, ...]

    @property
    def mmss(self) -> str:
        if self.travel_s is None:
            return ""
        whole = round(self.travel_s)
        return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class Attendance:
    incident_type: str
    capability: str
    unit: CardUnit | None  # None: no unit with that capability within the limit


@dataclass(frozen=True)
class RunCard:
    site_id: int
    site_name: str | None
    region_id: int
    lon: float
    lat: float
    limit_s: float
    first: tuple[CardUnit, ...]
    attendance: tuple[Attendance, ...]


def run_card(s: Session, site_id: int, *, first: int = 5, limit_s: float = 900.0) -> RunCard:
    if not 1 <= first <= MAX_FIRST:
        raise InvalidInput(f"first must be 1 to {MAX_FIRST} units, got {first}", field="first")
    if not 30 <= limit_s <= 7200:
        raise InvalidInput(f"limit_s must be 30 to 7200 seconds, got {limit_s}", field="limit_s")
    site = s.get(Site, site_id)
    if site is None:
        raise NotFound(f"site {site_id} does not exist")
    region = RegionRepo(s).get(site.region_id)
    routing = routing_for_region(s, region, PROFILE)
    views = [v for v in svc.unit_views(s, [region.id]) if v.state.status != UnitStatus.OUT_OF_SERVICE.value]
    target = _snap(routing, [site.lon], [site.lat])
    if target[0] < 0:
        target = np.asarray(routing.snapper.snap([site.lon], [site.lat]).nearest_node, dtype=np.int64)
    nodes = _snap(routing, [v.unit.lon for v in views], [v.unit.lat for v in views])  # bases, not live positions
    tt = travel_times_to(routing.graph.csr_reverse, target, nodes, limit_s=limit_s) if views else np.zeros(0)
    cards = []
    for v, t, n in zip(views, tt, nodes, strict=True):
        ok = bool(np.isfinite(t)) and n >= 0
        cards.append(CardUnit(v.unit.id, v.unit.name, v.unit.unit_type, float(t) if ok else None,
                              tuple(x for x in STANDARDS_S if ok and t <= x), tuple(sorted(v.capabilities))))
    cards.sort(key=lambda c: (c.travel_s is None, c.travel_s or 0.0, c.unit_id))
    reachable = [c for c in cards if c.travel_s is not None]
    attendance = []
    for itype in IncidentType:
        for cap in sorted(c.value for c in REQUIRED_CAPABILITIES[itype]):
            attendance.append(Attendance(itype.value, cap, next((c for c in reachable if cap in c.capabilities),
                                                                None)))
    return RunCard(site.id, site.name, region.id, site.lon, site.lat, limit_s, tuple(reachable[:first]),
                   tuple(attendance))


def run_card_html(card: RunCard, *, lang: str = "en", at: dt.datetime) -> str:
    return _env.get_template("runcard.html").render(card=card, tr=render.translator(lang), lang=lang,
                                                    generated=at.strftime("%Y-%m-%d %H:%M UTC"))
