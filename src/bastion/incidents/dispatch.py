"""Dispatch use cases on the routing core: the travel-time recommendation (one bounded reverse search from the
incident), committing units, cordons (stand-off rings, what is inside, road closure) and move-ups.

Long operations take ``progress: Callable[[float, str], None] | None`` (fraction done, message) so the jobs
domain can run them."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_array
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.dispatch import cordon as cordon_core
from bastion.algorithms.dispatch.moveup import MoveUpProblem
from bastion.algorithms.dispatch.moveup import plan_moveups
from bastion.algorithms.dispatch.recommend import DEFAULT_LIMIT_S
from bastion.algorithms.dispatch.recommend import Candidate
from bastion.algorithms.dispatch.recommend import Ranked
from bastion.algorithms.dispatch.recommend import rank
from bastion.algorithms.dispatch.recommend import travel_times_to
from bastion.algorithms.dispatch.states import COMMITTED
from bastion.algorithms.dispatch.states import DISPATCHABLE
from bastion.algorithms.risk.consequence import expected_occupants
from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.routing import travel_time_matrix
from bastion.algorithms.routing.snap import DEFAULT_MAX_SNAP_M
from bastion.incidents import intake
from bastion.incidents import service as svc
from bastion.incidents.enums import EXPLOSIVE
from bastion.incidents.enums import REQUIRED_CAPABILITIES
from bastion.incidents.enums import EntryKind
from bastion.incidents.enums import IncidentStatus
from bastion.incidents.enums import IncidentType
from bastion.incidents.enums import UnitStatus
from bastion.incidents.models import Cordon
from bastion.incidents.models import Incident
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.time import minute_of_week
from bastion.regions.graphs import Routing
from bastion.regions.graphs import routing_for_region
from bastion.regions.repository import RegionRepo
from bastion.sites.models import Site

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]
PROFILE = "patrol_car"  # ASSUMPTION: recommendations and move-ups route every unit on the patrol-car graph
MOVEUP_STANDARD_S = 180.0
SCHOOL_KINDS = frozenset({"school", "kindergarten", "college", "university"})
HOSPITAL_KINDS = frozenset({"hospital", "clinic"})


# ---------------------------------------------------------------- closures by cordons

_closed_lock = threading.Lock()
# (id of the graph, rings) -> (graph, reversed closed graph, closed mask); the graph itself is kept and compared on a
# hit, so a graph rebuilt at a recycled id never reads another graph's entry
_closed_cache: OrderedDict[tuple[int, tuple[tuple[float, float, float], ...]],
                           tuple[object, csr_array, np.ndarray]] = OrderedDict()


def _active_cordons(s: Session, region_id: int) -> list[Cordon]:
    return list(s.scalars(select(Cordon).join(Incident, Incident.id == Cordon.incident_id).where(
        Incident.region_id == region_id, Incident.status == IncidentStatus.OPEN.value, Cordon.active.is_(True))
        .order_by(Cordon.incident_id)))


def _closed_mask(routing: Routing, rings: Sequence[tuple[float, float, float]]) -> np.ndarray:
    g = routing.graph
    closed = np.zeros(g.n_nodes, dtype=bool)
    for lon, lat, inner in rings:
        closed |= cordon_core.distances_m(lon, lat, g.node_lon, g.node_lat) <= inner
    return closed


def reverse_graph(routing: Routing, rings: Sequence[tuple[float, float, float]]) -> tuple[csr_array, np.ndarray]:
    """The reversed travel-time graph with the roads inside every inner cordon closed, and the closed mask."""
    key = (id(routing.graph), tuple(sorted(rings)))
    with _closed_lock:
        hit = _closed_cache.get(key)
    if hit is not None and hit[0] is routing.graph:
        return hit[1], hit[2]
    if not rings:
        out = (routing.graph.csr_reverse, np.zeros(routing.graph.n_nodes, dtype=bool))
    else:
        closed = _closed_mask(routing, rings)
        out = (csr_array(cordon_core.close_nodes(routing.graph.csr, closed).T.tocsr()), closed)
    with _closed_lock:
        _closed_cache[key] = (routing.graph, *out)
        while len(_closed_cache) > 16:
            _closed_cache.popitem(last=False)
    return out


# ---------------------------------------------------------------- recommendation


@dataclass(frozen=True)
class Recommendation:
    incident_id: int
    required: tuple[str, ...]
    ranked: tuple[Ranked, ...]
    call_signs: dict[int, str]
    statuses: dict[int, str]
    target_nodes: int  # 1: the incident's road node; more: the inner cordon's access points
    cordon_closed_nodes: int
    limit_s: float


def _snap(routing: Routing, lon: Sequence[float], lat: Sequence[float]) -> np.ndarray:
    if not len(lon):
        return np.zeros(0, dtype=np.int64)
    return np.asarray(routing.snapper.snap(list(lon), list(lat), max_snap_m=DEFAULT_MAX_SNAP_M).node, dtype=np.int64)


def recommend(s: Session, incident_id: int, *, limit_s: float = DEFAULT_LIMIT_S) -> Recommendation:
    """Rank the incident region's dispatchable units by ETA (turnout 0 s: units are crewed and mobile) from one
    bounded reverse search; units with every required capability first. Roads inside active inner cordons are
    closed; with a cordon around this incident, units are routed to its access points."""
    if not 30 <= limit_s <= 7200:
        raise InvalidInput(f"limit_s must be 30 to 7200 seconds, got {limit_s}", field="limit_s")
    inc = svc.get_incident(s, incident_id)
    region = RegionRepo(s).get(inc.region_id)
    routing = routing_for_region(s, region, PROFILE)
    cordons = _active_cordons(s, region.id)
    rev, closed = reverse_graph(routing, [(c.lon, c.lat, c.inner_m) for c in cordons])
    own = next((c for c in cordons if c.incident_id == incident_id), None)
    targets: np.ndarray
    if own is not None:
        targets = cordon_core.access_points(routing.graph.csr, _closed_mask(routing, [(own.lon, own.lat, own.inner_m)]))
    else:
        targets = _snap(routing, [inc.lon], [inc.lat])
        if targets[0] < 0:
            targets = np.asarray(routing.snapper.snap([inc.lon], [inc.lat]).nearest_node, dtype=np.int64)
    views = [v for v in svc.unit_views(s, [region.id]) if v.state.status in {x.value for x in DISPATCHABLE}]
    lon = [v.position[0] for v in views]
    lat = [v.position[1] for v in views]
    nodes = _snap(routing, lon, lat)
    if len(targets) == 0:
        raise Conflict(f"incident {incident_id}'s inner cordon leaves no road access: redraw it")
    tt = travel_times_to(rev, targets, nodes, limit_s=limit_s) if len(views) else np.zeros(0)
    required = frozenset(c.value for c in REQUIRED_CAPABILITIES[IncidentType(inc.incident_type)])
    cands = [Candidate(v.unit.id, int(n), v.capabilities) for v, n in zip(views, nodes, strict=True)]
    ranked = rank(tt, cands, required)
    log.info("recommendation for incident %d: %d units, %d targets, %d closed nodes", incident_id, len(cands),
             len(targets), int(closed.sum()))
    return Recommendation(incident_id, tuple(sorted(required)), tuple(ranked), {v.unit.id: v.unit.name for v in views},
                          {v.unit.id: v.state.status for v in views}, len(targets), int(closed.sum()), limit_s)


def dispatch_units(sf: sessionmaker[Session], incident_id: int, unit_ids: Sequence[int], *, actor: svc.Actor,
                   now: dt.datetime) -> list[svc.UnitView]:
    """Commit units to the incident (status dispatched, each on the timeline); all or nothing."""
    if not unit_ids or len(set(unit_ids)) != len(unit_ids):
        raise InvalidInput("unit_ids must list distinct units", field="unit_ids")
    out = []
    with sf() as s:
        versions = {v.unit.id: v.state.version for v in svc.unit_views(s, unit_ids=unit_ids)}
    missing = set(unit_ids) - set(versions)
    if missing:
        raise InvalidInput(f"units {sorted(missing)} do not exist", field="unit_ids")
    for uid in unit_ids:
        out.append(svc.change_unit(sf, uid, svc.UnitChange(status=UnitStatus.DISPATCHED.value, incident_id=incident_id),
                                   expected_version=versions[uid], actor=actor, now=now))
    return out


# ---------------------------------------------------------------- cordons


def draw_cordon(sf: sessionmaker[Session], incident_id: int, *, actor: svc.Actor, now: dt.datetime,  # noqa: PLR0913
                inner_m: float | None = None, outer_m: float | None = None, device: str | None = None,
                lon: float | None = None, lat: float | None = None, active: bool = True) -> Cordon:
    """Draw (or redraw) the incident's cordon: rings from the NCTC chart for a device, the type's default, or
    given radii; centred on the incident unless lon/lat are given. Saved; each redraw is a timeline entry."""
    dev = intake.device(device)
    with unit_of_work(sf) as s:
        inc = svc.get_incident(s, incident_id)
        if inc.status != IncidentStatus.OPEN.value:
            raise Conflict(f"incident {incident_id} is closed")
        if inner_m is None or outer_m is None:
            if (inner_m is None) != (outer_m is None):
                raise InvalidInput("give both inner_m and outer_m, or neither (defaults)", field="inner_m")
            use_dev = dev or (inc.device if IncidentType(inc.incident_type) in EXPLOSIVE else None)
            (inner, outer), source = cordon_core.rings_for(inc.incident_type, use_dev)
            i_m, o_m = inner.radius_m, outer.radius_m
            dev = use_dev
        else:
            cordon_core.check_rings(inner_m, outer_m)
            i_m, o_m, source = float(inner_m), float(outer_m), "drawn by the incident commander"
        c_lon, c_lat = (inc.lon, inc.lat) if lon is None and lat is None else intake.lonlat(
            lon if lon is not None else float("nan"), lat if lat is not None else float("nan"))
        c = s.get(Cordon, incident_id)
        if c is None:
            c = Cordon(incident_id=incident_id, version=1)
            s.add(c)
        else:
            c.version += 1
        c.lon, c.lat, c.inner_m, c.outer_m, c.device, c.source, c.active, c.updated_at = (
            c_lon, c_lat, i_m, o_m, dev, source[:300], active, now)
        s.flush()
        svc.append(s, incident_id, EntryKind.CORDON,
                   f"cordon {'drawn' if c.version == 1 else 'redrawn'}: inner {i_m:.0f} m, outer {o_m:.0f} m"
                   + ("" if active else " (lifted)"), actor=actor, now=now,
                   details={"inner_m": i_m, "outer_m": o_m, "device": dev, "source": source, "active": active})
        s.refresh(c)
        s.expunge(c)
        return c


@dataclass(frozen=True)
class SiteInRing:
    site_id: int
    name: str | None
    category: str
    kind: str
    ring: str  # inner | outer
    distance_m: float
    people_expected: float
    school: bool
    hospital: bool


@dataclass(frozen=True)
class CordonView:
    cordon: Cordon
    sites: tuple[SiteInRing, ...]
    people_inner: float
    people_outer: float
    closed_road_nodes: int
    minute_of_week: int


def site_people(site: Site, minute: int) -> float:
    """People expected at a site at a minute of the week: capacity x occupancy (the risk model's occupancy)."""
    weekly = site.opening_hours_weekly if site.opening_hours_valid else None
    prof = SiteProfile(str(site.id), site.category, site.kind, capacity=site.capacity,
                       open_intervals=None if weekly is None else tuple((int(a), int(b)) for a, b in weekly))
    return float(expected_occupants(prof, minute_of_week=minute))


def cordon_view(s: Session, incident_id: int, *, at: dt.datetime) -> CordonView:
    """Sites, schools and hospitals inside each ring and the people expected there at ``at`` (local time)."""
    c = s.get(Cordon, incident_id)
    if c is None:
        raise Conflict(f"incident {incident_id} has no cordon; draw one first")
    inc = svc.get_incident(s, incident_id)
    minute = minute_of_week(at)
    sites = list(s.scalars(select(Site).where(Site.region_id == inc.region_id)))
    d = cordon_core.distances_m(c.lon, c.lat, [x.lon for x in sites], [x.lat for x in sites]) if sites else np.zeros(0)
    ring = cordon_core.ring_of(d, c.inner_m, c.outer_m)
    out = []
    for site, dist, r in zip(sites, d, ring, strict=True):
        if r < 0:
            continue
        out.append(SiteInRing(site.id, site.name, site.category, site.kind, "inner" if r == 0 else "outer",
                              float(dist), site_people(site, minute), site.kind in SCHOOL_KINDS,
                              site.kind in HOSPITAL_KINDS))
    out.sort(key=lambda x: (x.ring != "inner", x.distance_m))
    region = RegionRepo(s).get(inc.region_id)
    closed = 0
    if region.roads_hash is not None and c.active:
        closed = int(_closed_mask(routing_for_region(s, region, PROFILE), [(c.lon, c.lat, c.inner_m)]).sum())
    return CordonView(c, tuple(out), sum(x.people_expected for x in out if x.ring == "inner"),
                      sum(x.people_expected for x in out if x.ring == "outer"), closed, minute)


# ---------------------------------------------------------------- move-ups


@dataclass(frozen=True)
class MoveUpProposal:
    moves: tuple[tuple[int, str, int | None, float, float], ...]  # (unit id, call sign, to site id, lon, lat)
    before_people: float
    committed_people: float
    after_people: float
    lost_sites: tuple[int, ...]
    restored_sites: tuple[int, ...]
    idle_units: int
    committed_units: int
    status: str
    runtime_s: float


def propose_moveups(s: Session, region_ref: str | int, *, max_moves: int = 3, at: dt.datetime,
                    progress: Progress | None = None) -> MoveUpProposal:
    """Which crowded places lose 3-minute coverage because units are committed, and the at most ``max_moves``
    moves of idle units (to other units' bases or the sites themselves) that restore the most people covered."""
    report = progress or (lambda f, m: None)
    region = RegionRepo(s).get_by_ref(region_ref)
    routing = routing_for_region(s, region, PROFILE)
    views = svc.unit_views(s, [region.id])
    idle = [v for v in views if v.state.status == UnitStatus.AVAILABLE.value]
    committed = [v for v in views if v.state.status in {x.value for x in COMMITTED}]
    sites = [x for x in s.scalars(select(Site).where(Site.region_id == region.id).order_by(Site.id))]
    minute = minute_of_week(at)
    report(0.1, "snapping units and sites")
    # posts: idle units' positions, then committed units' bases (where they would have stood), then every base
    post_lonlat = [v.position for v in idle] + [(v.unit.lon, v.unit.lat) for v in committed] + \
        [(v.unit.lon, v.unit.lat) for v in views]
    post_nodes = _snap(routing, [p[0] for p in post_lonlat], [p[1] for p in post_lonlat])
    site_nodes = _snap(routing, [x.lon for x in sites], [x.lat for x in sites])
    ok_sites = np.flatnonzero(site_nodes >= 0)
    weight = np.array([site_people(sites[i], minute) for i in ok_sites], dtype=np.float64)
    report(0.3, "travel times")
    pn = np.where(post_nodes >= 0, post_nodes, 0)
    tt = travel_time_matrix(routing.graph, pn, site_nodes[ok_sites], limit_s=MOVEUP_STANDARD_S)
    tt[post_nodes < 0] = np.inf
    cover = (tt <= MOVEUP_STANDARD_S).T
    pr = MoveUpProblem.from_arrays(cover, weight, np.arange(len(idle)),
                                   np.arange(len(idle), len(idle) + len(committed)))
    travel = travel_time_matrix(routing.graph, pn[: len(idle)], pn) if idle else None
    report(0.6, "solving the move-up model")
    plan = plan_moveups(pr, max_moves, travel_s=travel)
    report(1.0, "done")
    moves = tuple((idle[m.unit].unit.id, idle[m.unit].unit.name, None, post_lonlat[m.to_post][0],
                   post_lonlat[m.to_post][1]) for m in plan.moves)
    sid = [sites[i].id for i in ok_sites]
    return MoveUpProposal(moves, plan.before_weight, plan.committed_weight, plan.after_weight,
                          tuple(sid[i] for i in plan.lost_sites), tuple(sid[i] for i in plan.restored_sites),
                          len(idle), len(committed), plan.status, plan.runtime_s)
