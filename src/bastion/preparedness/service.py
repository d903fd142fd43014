"""Emergency plans: versions, approval by a second account, exits, training counts, completeness per tier, and
missing plans for a site's top three threats as rectification tasks. No clock inside: callers pass ``now``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.algorithms.preparedness.evacuation import TARGET_MIN
from bastion.algorithms.preparedness.evacuation import evacuation_time
from bastion.algorithms.preparedness.evacuation import required_effective_width_m
from bastion.algorithms.preparedness.plans import POSITIONS
from bastion.algorithms.preparedness.plans import PROCEDURES
from bastion.algorithms.preparedness.plans import PlanFacts
from bastion.algorithms.preparedness.plans import check_sections
from bastion.algorithms.preparedness.plans import completeness
from bastion.algorithms.preparedness.plans import missing_scenarios
from bastion.algorithms.preparedness.plans import requirement_level
from bastion.algorithms.risk.consequence import expected_occupants
from bastion.algorithms.risk.threat import THREATS
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.preparedness import spaces as sp_svc
from bastion.preparedness.models import EmergencyPlan
from bastion.preparedness.models import Exercise
from bastion.preparedness.models import SiteExit
from bastion.preparedness.models import SiteSpace
from bastion.preparedness.models import TrainingCount
from bastion.risk import service as risk_svc
from bastion.sites.models import Site
from bastion.sites.repository import SiteRepo
from bastion.supervision.models import Inspection
from bastion.supervision.models import RectificationTask
from bastion.supervision.repository import add_task

log = logging.getLogger(__name__)

REVIEW_MONTHS = 12  # a plan's default review interval (ASSUMPTION: annual review)
PLAN_ITEM_PREFIX = "eplan:"
PLAN_REVIEW_AGENCY = "emergency plan review (desk review)"
MAX_EXITS = 200


def check_now(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise InvalidInput("now must be a timezone-aware datetime (UTC)", field="now")


def check_threat(threat: str) -> str:
    if threat not in THREATS:
        raise InvalidInput(f"threat must be one of {list(THREATS)}, got {threat!r}", field="threat")
    return threat


def agency_text(value: str | None, name: str = "owner_agency") -> str:
    if value is None or not value.strip():
        raise InvalidInput(f"{name} is required: give the agency's name (not a person's)", field=name)
    if len(value) > 200:
        raise InvalidInput(f"{name} must be at most 200 characters, got {len(value)}", field=name)
    return value.strip()


# ---------------------------------------------------------------- site facts used by plans


def tier_pairs(s: Session, site: Site) -> list[tuple[str, str]]:
    return [(t.standard_id, t.tier) for t in risk_svc.site_tiers(s, site) if t.status == "tiered" and t.tier]


def top_threats(s: Session, site: Site) -> list[str]:
    """The site's threat types by T x V x C, highest first."""
    r = risk_svc.assess(s, site)
    return [t.threat for t in sorted(r.by_threat, key=lambda t: (-t.risk, t.threat))]


def peak_people(s: Session, site: Site) -> int:
    """People present at the peak hour: capacity x the open-hours occupancy (the risk model's design basis)."""
    return round(expected_occupants(risk_svc.profile(s, site)))


def site_exits(s: Session, site_id: int) -> list[SiteExit]:
    return list(s.scalars(select(SiteExit).where(SiteExit.site_id == site_id).order_by(SiteExit.id)))


def effective_exits(rows: Sequence[SiteExit]) -> list[SiteExit]:
    """The exits an estimate uses: the user's when any are entered (they know the building), else OSM's."""
    user = [e for e in rows if e.source == "user"]
    return user or list(rows)


def set_exits(sf: sessionmaker[Session], site_id: int, exits: Sequence[Mapping[str, Any]]) -> list[SiteExit]:
    """Replace the site's user-entered exits: [{label, width_m, lon?, lat?}] (clear widths in metres)."""
    if len(exits) > MAX_EXITS:
        raise InvalidInput(f"exits must list at most {MAX_EXITS} exits, got {len(exits)}", field="exits")
    rows = []
    for i, e in enumerate(exits):
        label = e.get("label")
        if not isinstance(label, str) or not label.strip() or len(label) > 100:
            raise InvalidInput(f"exits[{i}].label must be text of 1 to 100 characters", field=f"exits[{i}].label")
        w = e.get("width_m")
        if isinstance(w, bool) or not isinstance(w, int | float) or not 0.3 < float(w) <= 100:
            raise InvalidInput(f"exits[{i}].width_m must be a clear width in metres in (0.3, 100], got {w!r}",
                               field=f"exits[{i}].width_m")
        lon, lat = e.get("lon"), e.get("lat")
        if (lon is None) != (lat is None) or (lon is not None and not (
                -180 <= float(lon) <= 180 and -90 <= float(lat) <= 90)):  # type: ignore[arg-type]
            raise InvalidInput(f"exits[{i}]: give both lon and lat in degrees, or neither", field=f"exits[{i}].lon")
        rows.append(SiteExit(site_id=site_id, label=label.strip(), width_m=float(w),
                             lon=None if lon is None else float(lon), lat=None if lat is None else float(lat),
                             source="user"))
    with unit_of_work(sf) as s:
        SiteRepo(s).get(site_id)
        s.execute(delete(SiteExit).where(SiteExit.site_id == site_id, SiteExit.source == "user"))
        s.add_all(rows)
        s.flush()
        return site_exits(s, site_id)


def evacuation_estimate(people: int, widths: Sequence[float], *, target_min: float = TARGET_MIN) -> dict[str, Any]:
    """The estimate as stored on a plan (minutes; band; the width needed when no exits are on record)."""
    if not widths:
        return {"people": people, "exits": 0, "target_min": target_min, "over_target": None,
                "required_effective_width_m": round(required_effective_width_m(people, target_min=target_min), 2),
                "note": "no exits on record: enter exits with clear widths"}
    e = evacuation_time(people, list(widths), target_min=target_min)
    return {"people": people, "exits": e.exits_used, "effective_width_m": round(e.effective_width_m, 2),
            "time_min": round(e.time_min, 2), "time_low_min": round(e.time_low_min, 2),
            "time_high_min": round(e.time_high_min, 2), "target_min": target_min, "over_target": e.over_target,
            "required_effective_width_m": round(required_effective_width_m(people, target_min=target_min), 2),
            "method": e.method}


# ---------------------------------------------------------------- training counts


def training(s: Session, site_id: int) -> list[TrainingCount]:
    return list(s.scalars(select(TrainingCount).where(TrainingCount.site_id == site_id)
                          .order_by(TrainingCount.position)))


def set_training(sf: sessionmaker[Session], site_id: int, position: str, *, trained: int, expected: int,
                 now: dt.datetime) -> TrainingCount:
    """Record '``trained`` of ``expected`` staff in ``position`` trained' (counts only, never who)."""
    check_now(now)
    if position not in POSITIONS:
        raise InvalidInput(f"position must be one of {list(POSITIONS)}, got {position!r}", field="position")
    for name, v in (("trained", trained), ("expected", expected)):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 100_000:
            raise InvalidInput(f"{name} must be a whole number from 0 to 100000, got {v!r}", field=name)
    if trained > expected:
        raise InvalidInput(f"trained ({trained}) cannot exceed expected ({expected})", field="trained")
    with unit_of_work(sf) as s:
        SiteRepo(s).get(site_id)
        row = s.scalar(select(TrainingCount).where(TrainingCount.site_id == site_id,
                                                   TrainingCount.position == position))
        if row is None:
            row = TrainingCount(site_id=site_id, position=position)
            s.add(row)
        row.trained, row.expected, row.updated_at = trained, expected, now
        s.flush()
        tc = training(s, site_id)
        tot_e = sum(r.expected for r in tc)
        if tot_e:  # the risk model's training measure follows the counts (staff_fraction)
            risk_svc.upsert_measure(s, site_id, "training",
                                    {"staff_fraction": round(sum(r.trained for r in tc) / tot_e, 4)},
                                    source="training_counts", now=now)
        return row


# ---------------------------------------------------------------- plans


def get_plan(s: Session, plan_id: int) -> EmergencyPlan:
    p = s.get(EmergencyPlan, plan_id)
    if p is None:
        raise NotFound(f"emergency plan {plan_id} does not exist")
    return p


def site_plans(s: Session, site_id: int, *, threat: str | None = None) -> list[EmergencyPlan]:
    SiteRepo(s).get(site_id)
    q = select(EmergencyPlan).where(EmergencyPlan.site_id == site_id)
    if threat is not None:
        q = q.where(EmergencyPlan.threat == check_threat(threat))
    return list(s.scalars(q.order_by(EmergencyPlan.threat, EmergencyPlan.version.desc())))


def current_plans(s: Session, site_ids: Sequence[int]) -> dict[int, dict[str, EmergencyPlan]]:
    """Per site and threat, the approved version if any, else the newest draft."""
    out: dict[int, dict[str, EmergencyPlan]] = {sid: {} for sid in site_ids}
    if not site_ids:
        return out
    rows = s.scalars(select(EmergencyPlan).where(EmergencyPlan.site_id.in_(site_ids),
                                                 EmergencyPlan.status != "superseded").order_by(EmergencyPlan.version))
    for p in rows:
        cur = out[p.site_id].get(p.threat)
        if cur is None or (p.status == "approved") or (cur.status != "approved"):
            out[p.site_id][p.threat] = p
    return out


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    return dt.date(d.year + y, m + 1, min(d.day, 28))


def save_plan(sf: sessionmaker[Session], site_id: int, threat: str, sections: Mapping[str, Any], *,
              now: dt.datetime, review_date: dt.date | None = None, account_id: int | None = None,
              data: Mapping[str, Any] | None = None) -> EmergencyPlan:
    """Store a new draft version of the site's plan for ``threat`` (earlier versions are kept). ``data``: the
    modelled inputs of a draft generated from data (its source is then ``generated``)."""
    check_now(now)
    check_threat(threat)
    secs = check_sections(sections)
    if review_date is not None and review_date <= now.date():
        raise InvalidInput(f"review_date must be in the future, got {review_date.isoformat()}", field="review_date")
    with unit_of_work(sf) as s:
        site = SiteRepo(s).get(site_id)
        v = s.scalar(select(func.max(EmergencyPlan.version)).where(EmergencyPlan.site_id == site_id,
                                                                   EmergencyPlan.threat == threat)) or 0
        people = peak_people(s, site)
        evac = evacuation_estimate(people, [e.width_m for e in effective_exits(site_exits(s, site_id))])
        p = EmergencyPlan(site_id=site_id, threat=threat, version=v + 1, status="draft",
                          source="user" if data is None else "generated",
                          sections=secs, data=dict(data or {}), evacuation=evac,
                          review_date=review_date or _add_months(now.date(), REVIEW_MONTHS),
                          created_by_account_id=account_id, created_at=now)
        s.add(p)
        s.flush()
        return p


def approve_plan(sf: sessionmaker[Session], plan_id: int, *, account_id: int | None, now: dt.datetime) -> EmergencyPlan:
    """Approve a draft: by a signed-in account other than the one that wrote it (four eyes). Earlier approved
    versions become superseded; each procedure present is recorded as a measure of the site (risk model)."""
    check_now(now)
    if account_id is None:
        raise InvalidInput("approval needs a signed-in account (the approver)", field="account_id")
    with unit_of_work(sf) as s:
        p = get_plan(s, plan_id)
        if p.status != "draft":
            raise Conflict(f"plan {plan_id} is {p.status}; only a draft can be approved")
        newest = s.scalar(select(func.max(EmergencyPlan.version)).where(EmergencyPlan.site_id == p.site_id,
                                                                        EmergencyPlan.threat == p.threat))
        if p.version != newest:
            raise Conflict(f"plan {plan_id} is version {p.version}, not the newest ({newest}); approve the newest")
        if p.created_by_account_id is not None and p.created_by_account_id == account_id:
            raise Conflict(f"plan {plan_id} was written by this account; a second account must approve it")
        for old in s.scalars(select(EmergencyPlan).where(EmergencyPlan.site_id == p.site_id,
                                                         EmergencyPlan.threat == p.threat,
                                                         EmergencyPlan.status == "approved")):
            old.status = "superseded"
        p.status, p.approved_by_account_id, p.approved_at = "approved", account_id, now
        for proc in PROCEDURES:
            if p.sections.get(proc):
                risk_svc.upsert_measure(s, p.site_id, f"{proc}_procedure", {}, source="emergency_plan", now=now)
        s.flush()
        return p


# ---------------------------------------------------------------- completeness


@dataclass(frozen=True)
class SiteReadiness:
    site_id: int
    site_name: str | None
    level: str | None  # enhanced | standard | None (in no tier)
    tiers: tuple[tuple[str, str], ...]
    top_threats: tuple[str, ...]
    missing_scenarios: tuple[str, ...]
    plans: dict[str, tuple[str, ...]]  # threat -> completeness flags of its current plan
    training: tuple[int, int]  # trained, expected
    invacuation: dict[str, Any] | None = None  # protected-space capacity vs peak-hour people (spaces.py)


def last_exercised(s: Session, site_id: int) -> dt.date | None:
    """The end of the site's latest exercise that was held (evaluated or finalised)."""
    region_id = SiteRepo(s).get(site_id).region_id
    ends = [e.end for e in s.scalars(select(Exercise).where(Exercise.region_id == region_id,
                                                             Exercise.status != "planned"))
            if site_id in (e.site_ids or [])]
    return max(ends).date() if ends else None


def plan_facts(p: EmergencyPlan, last_ex: dt.date | None, invacuation_enough: bool | None = None) -> PlanFacts:
    over = (p.evacuation or {}).get("over_target")
    return PlanFacts(p.sections, p.status == "approved", p.review_date, over, last_ex, invacuation_enough)


def site_invacuation(s: Session, site: Site) -> dict[str, Any]:
    """The site's protected-space capacity against its peak-hour people (user, OSM or building spaces)."""
    rows = sp_svc.site_spaces(s, site.id)
    return sp_svc.invacuation_summary(peak_people(s, site), sp_svc.effective_spaces(rows, site))


@dataclass(frozen=True)
class SpacesView:
    rows: list[SiteSpace]
    protected_spaces: list[str]  # the plan lines these spaces give (a placeholder when none)
    lockable_zones: list[str]
    invacuation: dict[str, Any]


def site_spaces_view(s: Session, site_id: int) -> SpacesView:
    site = SiteRepo(s).get(site_id)
    rows = sp_svc.site_spaces(s, site_id)
    eff = sp_svc.effective_spaces(rows, site)
    ms = {m.kind for m in risk_svc.site_measures(s, site_id)}
    prot, lock = sp_svc.section_lines(eff, lockable_doors="lockable_doors" in ms)
    return SpacesView(rows, prot, lock, sp_svc.invacuation_summary(peak_people(s, site), eff))


def readiness(s: Session, site_id: int, *, now: dt.datetime) -> SiteReadiness:
    check_now(now)
    site = SiteRepo(s).get(site_id)
    tiers = tier_pairs(s, site)
    level = requirement_level(tiers)
    top = top_threats(s, site)
    cur = current_plans(s, [site_id])[site_id]
    last_ex = last_exercised(s, site_id)
    inv = site_invacuation(s, site)
    flags = {t: completeness(plan_facts(p, last_ex, inv["enough"]), level, as_of=now.date())
             for t, p in sorted(cur.items())}
    tc = training(s, site_id)
    return SiteReadiness(site_id, site.name, level, tuple(tiers), tuple(top[:3]),
                         missing_scenarios(top, cur) if level else (), flags,
                         (sum(r.trained for r in tc), sum(r.expected for r in tc)), inv)


def create_plan_tasks(sf: sessionmaker[Session], site_id: int, *, now: dt.datetime, owner_agency: str | None = None,
                      deadline_days: int = 60, actor_account_id: int | None = None) -> tuple[list[int], list[int]]:
    """A rectification task for each of the site's top-three threats without a plan (tiered sites only).
    Idempotent: a threat that already has a task not yet verified gets none. Returns (created, existing)."""
    check_now(now)
    if isinstance(deadline_days, bool) or not isinstance(deadline_days, int) or not 1 <= deadline_days <= 3650:
        raise InvalidInput(f"deadline_days must be 1 to 3650, got {deadline_days!r}", field="deadline_days")
    with unit_of_work(sf) as s:
        site = SiteRepo(s).get(site_id)
        agency: str | None = None if owner_agency is None else agency_text(owner_agency)
        agency_id: int | None = None
        if agency is None:
            op = None if site.operator_agency_id is None else s.get(Agency, site.operator_agency_id)
            if op is None:
                raise InvalidInput(f"owner_agency is required: site {site_id} has no operator agency to default to",
                                   field="owner_agency")
            agency, agency_id = op.name, op.id
        r = readiness(s, site_id, now=now)
        open_tasks = {t.item_id: t.id for t in s.scalars(select(RectificationTask).where(
            RectificationTask.site_id == site_id, RectificationTask.item_id.like(f"{PLAN_ITEM_PREFIX}%"),
            RectificationTask.status != "verified"))}
        todo = [t for t in r.missing_scenarios if f"{PLAN_ITEM_PREFIX}{t}" not in open_tasks]
        existing = [open_tasks[f"{PLAN_ITEM_PREFIX}{t}"] for t in r.missing_scenarios
                    if f"{PLAN_ITEM_PREFIX}{t}" in open_tasks]
        if not todo:
            return [], existing
        insp = Inspection(site_id=site_id, status="completed", inspector_account_id=actor_account_id,
                          inspector_agency=PLAN_REVIEW_AGENCY, standard_versions=risk_svc.standard_versions(),
                          started_at=now, completed_at=now)
        s.add(insp)
        s.flush()
        created = []
        for threat in todo:
            t = add_task(s, site_id=site_id, inspection_id=insp.id, item_id=f"{PLAN_ITEM_PREFIX}{threat}",
                         measure="security_plan", standard_id="emergency_plan",
                         text=(f"{site.name or 'site ' + str(site_id)}: write and approve an emergency plan "
                               f"for {threat} (one of the site's three highest risks; {r.level} tier)"),
                         owner_agency=agency, owner_agency_id=agency_id,
                         deadline=now + dt.timedelta(days=deadline_days), now=now,
                         actor_account_id=actor_account_id, detail=f"no emergency plan for top-three threat {threat}")
            created.append(t.id)
        s.flush()
        log.info("site %d: %d plan tasks created, %d already open", site_id, len(created), len(existing))
        return created, existing
