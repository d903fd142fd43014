"""Patrol plan use cases: build from stored sites and roads, store, read back, evaluate."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.patrol.build import BuiltPlan
from bastion.patrol.build import PlanOptions
from bastion.patrol.build import Progress
from bastion.patrol.build import SiteInput
from bastion.patrol.build import build_plan
from bastion.patrol.build import check_targets
from bastion.patrol.build import clock
from bastion.patrol.models import PatrolCoverage
from bastion.patrol.models import PatrolPlan
from bastion.patrol.models import PatrolSchedule
from bastion.patrol.models import PatrolStop
from bastion.regions.models import Region
from bastion.regions.repository import RegionRepo
from bastion.regions.service import load_road_network
from bastion.risk.weights import stored_site_risk
from bastion.sites.models import Site

log = logging.getLogger(__name__)


def _inputs(session: Session, region: Region) -> list[SiteInput]:
    rows = session.scalars(
        select(Site).where(Site.region_id == region.id, Site.missing_from_source.is_(False)).order_by(Site.id)
    ).all()
    risk = stored_site_risk(session, region)  # empty until `bastion risk assess --region R`
    return [SiteInput(s.id, s.name, s.category, s.lon, s.lat, s.capacity, s.opening_hours_weekly, risk.get(s.id))
            for s in rows]


def compute_plan(
    sf: sessionmaker[Session], region_ref: str | int, options: PlanOptions, *, progress: Progress | None = None
) -> tuple[int, BuiltPlan]:
    """Build a plan without storing it: (region id, plan). Payoffs come from the sites' stored risk when the
    region is assessed (options.payoff None or "risk"), else from capacity; plan.options.payoff records which."""
    with sf() as s:
        region = RegionRepo(s).get_by_ref(region_ref)
        sites = _inputs(s, region)
        roads = load_road_network(s, region.id)
        rid = region.id
    return rid, build_plan(sites, roads, options, progress=progress)


def check_plan(session: Session, region_ref: str | int, options: PlanOptions) -> int:
    """The checks a plan's build makes on the region's sites (teams vs targets, the payoff basis), without routing
    or solving: a request that cannot succeed is refused before it is queued. Returns the region id."""
    region = RegionRepo(session).get_by_ref(region_ref)
    check_targets(_inputs(session, region), options)
    return region.id


def new_seed() -> int:
    """A seed for a plan's daily draws from a cryptographic source: 63 bits, so that an observer who knows every
    other option cannot rebuild the schedules by trying seeds."""
    return secrets.randbits(63)


def create_plan(
    sf: sessionmaker[Session], region_ref: str | int, options: PlanOptions, *, progress: Progress | None = None,
    on_stored: Callable[[Session, int], None] | None = None,
) -> int:
    """Build and store a plan in one transaction; returns the plan id. ``on_stored(session, plan_id)`` runs in that
    transaction (a batch run replaces its previous plan and records the new one atomically)."""
    rid, built = compute_plan(sf, region_ref, options, progress=progress)
    o = built.options
    start, end = o.shift.split("-")
    with unit_of_work(sf) as s:
        plan = PatrolPlan(
            region_id=rid, teams=o.teams, shift_start=start.strip(), shift_end=end.strip(), days=o.days, seed=o.seed,
            parameters=o.as_dict(), depot_lon=built.depot[0], depot_lat=built.depot[1], n_sites=len(built.sites),
            n_targets=sum(c.size for c in built.coverage.values()), solver_status=built.status,
            objective=built.objective, attacker_utility=built.attacker_utility, gap=built.gap,
            runtime_s=built.runtime_s,
        )
        s.add(plan)
        s.flush()
        for td in built.schedules:
            sched = PatrolSchedule(plan_id=plan.id, day=td.day, team=td.team,
                                   path=[[list(p) for p in line] for line in td.path])
            sched.stops = [
                PatrolStop(seq=k + 1, site_id=built.sites[i].id, slot=j, arrival_s=a, departure_s=d, extra=x)
                for k, (i, j, a, d, x) in enumerate(td.stops)
            ]
            s.add(sched)
        s.add_all([
            PatrolCoverage(plan_id=plan.id, weekday=wd, slot=j, site_id=built.sites[i].id,
                           coverage=float(cov[i, j]), consequence=float(built.consequence[wd][i, j]))
            for wd, cov in built.coverage.items() for i in range(cov.shape[0]) for j in range(cov.shape[1])
        ])
        s.flush()
        plan_id = plan.id
        if on_stored is not None:
            on_stored(s, plan_id)
    log.info("stored patrol plan %d (%d schedules)", plan_id, len(built.schedules))
    return plan_id


def find_plan(session: Session, region_id: int, options: PlanOptions) -> int | None:
    """The stored plan these options (seed included) already made in the region, if any: a re-run job returns it
    instead of storing the same plan twice. The payoff basis left open (None) matches whichever was resolved."""
    want = options.as_dict()
    if want.get("payoff") is None:
        want.pop("payoff", None)
    for plan in session.scalars(select(PatrolPlan).where(PatrolPlan.region_id == region_id,
                                                         PatrolPlan.seed == options.seed).order_by(PatrolPlan.id)):
        if all(plan.parameters.get(k) == v for k, v in want.items()):
            return plan.id
    return None


def get_plan(session: Session, plan_id: int) -> PatrolPlan:
    plan = session.get(PatrolPlan, plan_id)
    if plan is None:
        raise NotFound(f"patrol plan {plan_id} does not exist", hint="list plans with `bastion patrol list`")
    return plan


def list_plans(session: Session, region_id: int | None = None) -> Sequence[PatrolPlan]:
    q = select(PatrolPlan).order_by(PatrolPlan.id.desc())
    if region_id is not None:
        RegionRepo(session).get(region_id)
        q = q.where(PatrolPlan.region_id == region_id)
    return session.scalars(q).all()


@dataclass(frozen=True)
class StopRow:
    day: int
    team: int
    seq: int
    site_id: int
    site_name: str  # the site's name, or its kind humanised ("Pedestrian zone") when unnamed
    name: str | None  # the site's own name, None when unnamed
    kind: str
    category: str
    lon: float
    lat: float
    slot: int
    arrival: str  # HH:MM
    departure: str
    arrival_s: float
    departure_s: float
    extra: bool  # visit by a team the sampled plan left idle (not part of the equilibrium coverage)


@dataclass(frozen=True)
class TeamSchedule:
    day: int
    team: int
    label: str  # "Team 1"
    stops: tuple[StopRow, ...]
    path: list[Any]


def _label(site: Site) -> str:
    return site.name or site.kind.replace("_", " ").capitalize()


def schedules(session: Session, plan_id: int, *, day: int | None = None) -> list[TeamSchedule]:
    plan = get_plan(session, plan_id)
    if day is not None and not 1 <= day <= plan.days:
        raise InvalidInput(f"day must be between 1 and {plan.days} for plan {plan_id}, got {day}", field="day")
    start_min = int(plan.shift_start[:2]) * 60 + int(plan.shift_start[3:])
    q = (select(PatrolSchedule).where(PatrolSchedule.plan_id == plan_id)
         .order_by(PatrolSchedule.day, PatrolSchedule.team))
    if day is not None:
        q = q.where(PatrolSchedule.day == day)
    rows = session.scalars(q).all()
    site_ids = {st.site_id for r in rows for st in r.stops}
    sites = {s.id: s for s in session.scalars(select(Site).where(Site.id.in_(site_ids)))} if site_ids else {}
    out = []
    for r in rows:
        stops = tuple(
            StopRow(r.day, r.team, st.seq, st.site_id, _label(sites[st.site_id]), sites[st.site_id].name,
                    sites[st.site_id].kind, sites[st.site_id].category, sites[st.site_id].lon, sites[st.site_id].lat,
                    st.slot,
                    clock(start_min, st.arrival_s), clock(start_min, st.departure_s), st.arrival_s, st.departure_s,
                    st.extra)
            for st in r.stops
        )
        out.append(TeamSchedule(r.day, r.team, f"Team {r.team}", stops, r.path))
    return out


def coverage_rows(session: Session, plan_id: int) -> Sequence[PatrolCoverage]:
    get_plan(session, plan_id)
    return session.scalars(
        select(PatrolCoverage).where(PatrolCoverage.plan_id == plan_id)
        .order_by(PatrolCoverage.weekday, PatrolCoverage.slot, PatrolCoverage.site_id)
    ).all()
