"""Posture use cases: propose (with preview), approve (a different account; applies in one transaction),
reject, end, and the periodic expiry check. Applying diffs the rule pack's requirements before and after and
stores only the changes: new posture tasks for rules switched on, closed tasks for rules switched off.

No clock inside: callers pass ``now``. Measure titles and reasons are need-to-know (TLP:AMBER).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path

import numpy as np
import yaml
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.algorithms.posture import levels as lv
from bastion.algorithms.posture import resources
from bastion.algorithms.posture import rules as algo
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.errors import PermissionDenied
from bastion.office import levels as office_levels
from bastion.office import responsibility as office_resp
from bastion.office.config import settings as office_settings
from bastion.office.sites_index import load_sites
from bastion.posture.models import Declaration
from bastion.posture.models import PostureTask
from bastion.regions.models import Region
from bastion.risk import service as risk_svc
from bastion.risk.models import RegionThreatSetting
from bastion.sites.models import Site
from bastion.vehicle.models import VehicleApproach
from bastion.vehicle.models import VehicleAssessment

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None] | None
PACK = Path(__file__).parent / "packs" / "example.yaml"
DEFAULT_BASE_TEAMS = 2  # patrol teams a region fields routinely (ASSUMPTION, editable per call)
DEFAULT_BUDGET_H = 400.0  # overtime staff-hours an agency can spend on a raised posture (ASSUMPTION)
DEFAULT_ROUTINE_H = 0.0  # staff-hours/day of posture measures already in routine staffing (ASSUMPTION)
MAX_EXPIRY_DAYS = 366


def load_pack(path: Path) -> algo.RulePack:
    """Read and validate a rule pack (every rule must cite its source; messages name the rule and field)."""
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InvalidInput(f"rule pack {path}: {e}", field="pack") from None
    return algo.parse_pack(doc)


@cache
def _pack_at(path: str) -> algo.RulePack:
    return load_pack(Path(path))


def pack() -> algo.RulePack:
    """The rule pack in force: BASTION_OFFICE_POSTURE_PACK, or the bundled example."""
    return _pack_at(office_settings().posture_pack or str(PACK))


def active(s: Session, region_id: int) -> list[Declaration]:
    return list(s.scalars(select(Declaration).where(Declaration.region_id == region_id,
                                                    Declaration.status == "active").order_by(Declaration.scheme)))


def current_levels(s: Session, region_id: int) -> dict[str, str]:
    """scheme -> level in force: active declarations, else the region's risk setting (UK, CN), else none."""
    ts = risk_svc.threat_setting(s, region_id)
    out = {"uk": ts.uk_threat_level, "cn": ts.cn_heightened_level or "normal", "ntas": "none"}
    for d in active(s, region_id):
        out[d.scheme] = d.level
    return out


def gap_sites(s: Session, region_id: int) -> set[int]:
    """Sites of the region whose stored vehicle assessment has an approach where the installed barrier is rated
    below the computed impact speed (or no barrier can cover it): the vehicle domain's gap statuses."""
    q = (select(VehicleAssessment.site_id).join(VehicleApproach, VehicleApproach.assessment_id == VehicleAssessment.id)
         .join(Site, Site.id == VehicleAssessment.site_id)
         .where(Site.region_id == region_id, VehicleApproach.status.in_(risk_svc.VEHICLE_GAP_STATUSES)).distinct())
    return set(s.scalars(q))


@dataclass
class RegionTable:
    region_id: int
    table: algo.SiteTable
    app: np.ndarray  # sites x rules applicability
    operator: dict[int, int | None]  # site id -> operator agency
    payoff: np.ndarray  # attacker's value of each site (patrol game)


def region_table(s: Session, region_id: int, rules: tuple[algo.PostureRule, ...], *,
                 cn_level: str | None = None) -> RegionTable:
    """The region's sites against the rules; ``cn_level``: tier the sites at this Chinese level (the 三级/二级/一级
    heightened tiers of the cn standard) instead of the region's current one."""
    sites = load_sites(s, region_id=region_id)
    heightened = None if cn_level is None else {
        region_id: {} if cn_level == "normal" else {risk_svc.CN_STANDARD: cn_level}}
    keys, res = office_resp.resolve_region(s, region_id, sites=sites, heightened=heightened)
    ids = [k.site_id for k in keys]
    gaps = gap_sites(s, region_id)
    table = algo.site_table(ids, [k.category for k in keys], [k.tiers for k in keys], [i in gaps for i in ids])
    op = {k.site_id: (res.assignments[k.site_id]["operator"].agency_id
                      if "operator" in res.assignments.get(k.site_id, {}) else None) for k in keys}
    payoff = np.array([1.0 + np.log1p(float(x.capacity or 0)) for x in sites])
    return RegionTable(region_id, table, algo.applicability(table, rules), op, payoff)


@dataclass(frozen=True)
class AgencyChange:
    agency_id: int | None
    agency: str
    tasks_added: int
    measures_added: int
    hvm_added: int
    closed: int
    extra_staff_h_per_day: float
    days_sustainable: int | None
    items: tuple[tuple[int, str, str, str], ...]  # (site id, rule id, kind, "add" | "close")


@dataclass(frozen=True)
class Preview:
    region_id: int
    levels_before: Mapping[str, str]
    levels_after: Mapping[str, str]
    added: frozenset[tuple[int, str]]
    removed: frozenset[tuple[int, str]]
    agencies: tuple[AgencyChange, ...]
    patrol: resources.PatrolChange | None
    response_before: Mapping[str, str]
    response_after: Mapping[str, str]
    runtime_s: float
    rules: Mapping[str, algo.PostureRule] = field(default_factory=dict)


def _stored_rule(r: algo.PostureRule) -> bool:
    return r.kind in ("measure", "task", "hvm")


@dataclass(frozen=True)
class PairDiff:
    added: list[tuple[int, algo.PostureRule]]  # (site id, rule) switched on (stored kinds only)
    removed: list[tuple[int, algo.PostureRule]]
    table: RegionTable  # the sites as tiered after the change


def pair_diff(s: Session, region_id: int, before: Mapping[str, str], after: Mapping[str, str]) -> PairDiff:
    """What a change of levels switches on and off. Same Chinese level: the vectorised column diff (only rules
    whose gate flips). A Chinese level change also re-tiers the sites (heightened tiers): both requirements are
    computed and differenced."""
    rules = pack().rules
    cn0, cn1 = before.get("cn", "normal"), after.get("cn", "normal")
    rt1 = region_table(s, region_id, rules, cn_level=cn1)
    ids = rt1.table.site_ids
    if cn0 == cn1:
        d = algo.diff(rt1.app, before, after, rules)
        on, off = d.added, d.removed
    else:
        rt0 = region_table(s, region_id, rules, cn_level=cn0)
        req0, req1 = algo.required(rt0.app, before, rules), algo.required(rt1.app, after, rules)
        on, off = np.argwhere(req1 & ~req0), np.argwhere(req0 & ~req1)

    def pairs(a: np.ndarray) -> list[tuple[int, algo.PostureRule]]:
        return [(int(ids[i]), rules[j]) for i, j in a if _stored_rule(rules[j])]

    return PairDiff(pairs(on), pairs(off), rt1)


def compute_preview(s: Session, region_id: int, before: Mapping[str, str], after: Mapping[str, str], *,
                    base_teams: int = DEFAULT_BASE_TEAMS, budget_h: float = DEFAULT_BUDGET_H) -> Preview:
    t0 = time.perf_counter()
    rules = pack().rules
    pd = pair_diff(s, region_id, before, after)
    rt = pd.table
    added = {(sid, r.rule_id) for sid, r in pd.added}
    removed = {(sid, r.rule_id) for sid, r in pd.removed}
    by_id = {r.rule_id: r for r in rules}
    names = {a.id: a.name for a in s.scalars(select(Agency))}
    groups: dict[int | None, list[tuple[int, str, str, str]]] = {}
    for sid, rid in sorted(added):
        groups.setdefault(rt.operator.get(sid), []).append((sid, rid, by_id[rid].kind, "add"))
    for sid, rid in sorted(removed):
        groups.setdefault(rt.operator.get(sid), []).append((sid, rid, by_id[rid].kind, "close"))
    agencies = []
    for aid in sorted(groups, key=lambda a: (a is None, a or 0)):
        items = groups[aid]
        kinds = Counter((k, op) for _s, _r, k, op in items)
        extra = sum(by_id[r].staff_hours_per_day for _s, r, k, op in items if op == "add") - \
            sum(by_id[r].staff_hours_per_day for _s, r, k, op in items if op == "close")
        st = resources.staffing(max(0.0, extra), DEFAULT_ROUTINE_H, budget_h)
        agencies.append(AgencyChange(aid, names.get(aid, "unassigned") if aid is not None else "unassigned",
                                     kinds["task", "add"], kinds["measure", "add"], kinds["hvm", "add"],
                                     sum(v for (k, op), v in kinds.items() if op == "close"), round(extra, 2),
                                     st.days_sustainable, tuple(items)))
    g0, g1 = algo.gates(rules, before), algo.gates(rules, after)
    teams0 = sum(r.extra_teams for r, g in zip(rules, g0, strict=True) if g and r.kind == "patrol")
    teams1 = sum(r.extra_teams for r, g in zip(rules, g1, strict=True) if g and r.kind == "patrol")
    patrol = None
    n = len(rt.payoff)
    if n >= 1 and teams0 != teams1:
        # payoffs: the attacker gains the site's value when it is uncovered, the defender loses it (zero-sum at
        # uncovered targets, 0 when covered); teams patrol 8-hour shifts. A de-escalation reports the same pair
        # of values the other way round (fewer teams after).
        au = rt.payoff
        pay = resources.Payoffs(np.zeros(n), -au, np.zeros(n), au)
        low, high = min(teams0, teams1), max(teams0, teams1)
        ch = resources.patrol_change(pay, base_teams=base_teams + low, extra_teams=high - low, hours_per_day=8.0)
        patrol = ch if teams1 > teams0 else resources.PatrolChange(
            ch.resources_after, ch.resources_before, ch.coverage_after, ch.coverage_before, ch.defender_eu_after,
            ch.defender_eu_before)
    resp0 = {k: lv.SCHEMES[k].response(v) for k, v in before.items()}
    resp1 = {k: lv.SCHEMES[k].response(v) for k, v in after.items()}
    return Preview(region_id, dict(before), dict(after), frozenset(added), frozenset(removed), tuple(agencies),
                   patrol, resp0, resp1, time.perf_counter() - t0, by_id)


def _check_now(now: dt.datetime) -> None:
    if now.tzinfo is None:
        raise InvalidInput("now must be timezone-aware (UTC)", field="now")


@dataclass(frozen=True)
class Signer:
    """Who proposes or approves: the audit actor and the account (None: the local operator)."""

    actor: str
    account_id: int | None = None


def propose(sf: sessionmaker[Session], region_id: int, *, scheme: str, level: str, reason: str, now: dt.datetime,
            by: Signer, expires_at: dt.datetime | None = None) -> Declaration:
    _check_now(now)
    sch = lv.scheme(scheme)
    idx = sch.index(level)
    if not reason or not reason.strip() or len(reason) > 2000:
        raise InvalidInput("reason is required (at most 2000 characters)", field="reason")
    if expires_at is not None:
        if expires_at.tzinfo is None:
            raise InvalidInput("expires_at must carry a time zone", field="expires_at")
        if expires_at <= now or expires_at > now + dt.timedelta(days=MAX_EXPIRY_DAYS):
            raise InvalidInput(f"expires_at must be after now and within {MAX_EXPIRY_DAYS} days", field="expires_at")
    elif sch.expiry_required[idx]:
        raise InvalidInput(f"a {scheme} {level} declaration must carry an expiry (sunset)", field="expires_at")
    with unit_of_work(sf) as s:
        if s.get(Region, region_id) is None:
            raise NotFound(f"region {region_id} does not exist")
        before = current_levels(s, region_id)
        after = {**before, scheme: level}
        pv = compute_preview(s, region_id, before, after)
        d = Declaration(region_id=region_id, scheme=scheme, level=level, reason=reason.strip(), status="proposed",
                        proposed_by=by.account_id, proposed_actor=by.actor, proposed_at=now, expires_at=expires_at,
                        summary=summary(pv))
        s.add(d)
        s.flush()
        return d


def summary(pv: Preview) -> dict[str, object]:
    return {"levels_before": dict(pv.levels_before), "levels_after": dict(pv.levels_after),
            "added": len(pv.added), "closed": len(pv.removed),
            "agencies": [{"agency_id": a.agency_id, "agency": a.agency, "tasks_added": a.tasks_added,
                          "measures_added": a.measures_added, "hvm_added": a.hvm_added, "closed": a.closed,
                          "extra_staff_h_per_day": a.extra_staff_h_per_day,
                          "days_sustainable": a.days_sustainable} for a in pv.agencies],
            "patrol": None if pv.patrol is None else {
                "resources_before": pv.patrol.resources_before, "resources_after": pv.patrol.resources_after,
                "defender_eu_before": round(pv.patrol.defender_eu_before, 6),
                "defender_eu_after": round(pv.patrol.defender_eu_after, 6)}}


def get(s: Session, declaration_id: int) -> Declaration:
    d = s.get(Declaration, declaration_id)
    if d is None:
        raise NotFound(f"posture declaration {declaration_id} does not exist")
    return d


def preview_declaration(s: Session, declaration_id: int) -> Preview:
    """What approving the declaration would change now (nothing written)."""
    d = get(s, declaration_id)
    before = current_levels(s, d.region_id)
    return compute_preview(s, d.region_id, before, {**before, d.scheme: d.level})


@dataclass(frozen=True)
class ApplyReport:
    declaration_id: int
    created: int
    closed: int
    runtime_s: float


def apply_change(s: Session, region_id: int, before: Mapping[str, str], after: Mapping[str, str], *,
                 now: dt.datetime, declaration_id: int | None, reason: str) -> tuple[int, int]:
    """Store the diff between ``before`` and ``after``: insert tasks switched on, close tasks switched off.
    Returns (created, closed). Runs in the caller's transaction."""
    pd = pair_diff(s, region_id, before, after)
    rt = pd.table
    rows = []
    for sid, r in pd.added:
        rows.append({"declaration_id": declaration_id, "region_id": region_id, "site_id": sid, "rule_id": r.rule_id,
                     "kind": r.kind, "agency_id": rt.operator.get(sid), "status": "open", "created_at": now,
                     "due_at": now + dt.timedelta(hours=r.deadline_h) if r.deadline_h else None})
    by_rule: dict[str, list[int]] = {}
    for sid, r in pd.removed:
        by_rule.setdefault(r.rule_id, []).append(sid)
    closed = 0
    for rule_id, sids in sorted(by_rule.items()):
        for k in range(0, len(sids), 5000):
            res = s.execute(update(PostureTask).where(
                PostureTask.region_id == region_id, PostureTask.status == "open", PostureTask.rule_id == rule_id,
                PostureTask.site_id.in_(sids[k:k + 5000])).values(status="closed", closed_at=now,
                                                                   closed_reason=reason))
            closed += int(getattr(res, "rowcount", 0) or 0)
    if rows:  # Core executemany: one prepared statement for every row
        s.connection().execute(PostureTask.__table__.insert(), rows)  # type: ignore[attr-defined]
    _mirror_to_risk(s, region_id, after)
    return len(rows), closed


def _mirror_to_risk(s: Session, region_id: int, levels: Mapping[str, str]) -> None:
    """Risk scoring and tiering follow the posture: the region's UK level and Chinese heightened level."""
    row = s.get(RegionThreatSetting, region_id)
    if row is None:
        row = RegionThreatSetting(region_id=region_id, uk_threat_level="SUBSTANTIAL", scoring_scale="uk")
        s.add(row)
    row.uk_threat_level = levels.get("uk", row.uk_threat_level)
    cn = levels.get("cn", "normal")
    row.cn_heightened_level = None if cn == "normal" else cn


def approve(sf: sessionmaker[Session], declaration_id: int, *, now: dt.datetime, by: Signer,
            progress: Progress = None) -> ApplyReport:
    """Two different people: the approving account (or actor) must not be the proposing one."""
    actor, account_id = by.actor, by.account_id
    _check_now(now)
    t0 = time.perf_counter()
    with unit_of_work(sf) as s:
        d = get(s, declaration_id)
        if d.status != "proposed":
            raise Conflict(f"declaration {declaration_id} is {d.status}; only a proposed one can be approved")
        if _same_person(d, by):
            raise PermissionDenied("two-person rule: the proposer may not approve their own posture change")
        if d.expires_at is not None and d.expires_at <= now:
            raise Conflict(f"declaration {declaration_id} expired at {d.expires_at.isoformat()} before approval")
        if progress:
            progress(0.1, "computing the change")
        before = current_levels(s, d.region_id)
        prev = s.scalar(select(Declaration).where(Declaration.region_id == d.region_id,
                                                  Declaration.scheme == d.scheme, Declaration.status == "active"))
        if prev is not None:
            prev.status, prev.ended_at = "ended", now
            s.flush()
        after = {**before, d.scheme: d.level}
        d.status, d.approved_by, d.approved_actor, d.approved_at = "active", account_id, actor, now
        d.summary = {**d.summary, "previous_level": before[d.scheme]}
        try:
            s.flush()
        except IntegrityError:
            raise Conflict("another posture change for this region and scheme was approved at the same time") from None
        created, closed = apply_change(s, d.region_id, before, after, now=now, declaration_id=d.id,
                                       reason="de-escalation")
        office_levels.publish(s, region_id=d.region_id, scheme=d.scheme, level=d.level,
                              previous_level=before[d.scheme], expires_at=d.expires_at, declaration_id=d.id, now=now)
        if progress:
            progress(1.0, f"{created} tasks created, {closed} closed")
        log.info("posture %d approved: region %d %s %s, %d created, %d closed", d.id, d.region_id, d.scheme,
                 d.level, created, closed)
        return ApplyReport(d.id, created, closed, time.perf_counter() - t0)


def _same_person(d: Declaration, by: Signer) -> bool:
    return (by.account_id is not None and by.account_id == d.proposed_by) or \
        (by.account_id is None and d.proposed_by is None and by.actor == d.proposed_actor)


def reject(sf: sessionmaker[Session], declaration_id: int, *, now: dt.datetime, by: Signer) -> Declaration:
    """An approver other than the proposer turns a proposal down (a proposer withdraws nothing by rejecting: the
    decision is a second person's, as for approval). Nothing is applied."""
    with unit_of_work(sf) as s:
        d = get(s, declaration_id)
        if d.status != "proposed":
            raise Conflict(f"declaration {declaration_id} is {d.status}; only a proposed one can be rejected")
        if _same_person(d, by):
            raise PermissionDenied("two-person rule: the proposer may not reject their own posture change")
        d.status, d.ended_at = "rejected", now
        d.approved_by, d.approved_actor = by.account_id, by.actor
        return d


def _end(s: Session, d: Declaration, *, now: dt.datetime, status: str) -> tuple[int, int]:
    before = current_levels(s, d.region_id)
    prev_level = str(d.summary.get("previous_level") or lv.BASELINE[d.scheme])
    d.status, d.ended_at = status, now
    s.flush()
    office_levels.withdraw(s, region_id=d.region_id, scheme=d.scheme)
    after = {**before, d.scheme: prev_level}
    return apply_change(s, d.region_id, before, after, now=now, declaration_id=None,
                        reason="expired" if status == "expired" else "de-escalation")


def end(sf: sessionmaker[Session], declaration_id: int, *, now: dt.datetime) -> ApplyReport:
    """Stand down an active declaration: back to the level before it; its temporary tasks close."""
    t0 = time.perf_counter()
    with unit_of_work(sf) as s:
        d = get(s, declaration_id)
        if d.status != "active":
            raise Conflict(f"declaration {declaration_id} is {d.status}; only an active one can be ended")
        created, closed = _end(s, d, now=now, status="ended")
        return ApplyReport(d.id, created, closed, time.perf_counter() - t0)


def expire_due(sf: sessionmaker[Session], *, now: dt.datetime) -> list[int]:
    """End every active declaration whose expiry has passed (the periodic check); returns their ids."""
    _check_now(now)
    with unit_of_work(sf) as s:
        due = list(s.scalars(select(Declaration).where(Declaration.status == "active",
                                                       Declaration.expires_at.is_not(None),
                                                       Declaration.expires_at <= now).order_by(Declaration.id)))
        for d in due:
            _end(s, d, now=now, status="expired")
            log.info("posture %d expired at %s", d.id, now.isoformat())
        # proposals whose sunset passed before anyone approved them
        for d in s.scalars(select(Declaration).where(Declaration.status == "proposed",
                                                     Declaration.expires_at.is_not(None),
                                                     Declaration.expires_at <= now)):
            d.status, d.ended_at = "expired", now
        return [d.id for d in due]


def list_declarations(s: Session, *, region_id: int | None = None, limit: int = 100, offset: int = 0
                      ) -> list[Declaration]:
    q = select(Declaration).order_by(Declaration.id.desc())
    if region_id is not None:
        q = q.where(Declaration.region_id == region_id)
    return list(s.scalars(q.limit(limit).offset(offset)))


def tasks(s: Session, *, region_id: int, status: str | None = "open", agency_id: int | None = None,
          limit: int = 500, offset: int = 0) -> list[PostureTask]:
    q = select(PostureTask).where(PostureTask.region_id == region_id)
    if status:
        q = q.where(PostureTask.status == status)
    if agency_id is not None:
        q = q.where(PostureTask.agency_id == agency_id)
    return list(s.scalars(q.order_by(PostureTask.id).limit(limit).offset(offset)))


def required_pairs(s: Session, region_id: int, levels: Mapping[str, str]) -> set[tuple[int, str]]:
    """From scratch: every (site, rule) a posture at ``levels`` requires (stored kinds only)."""
    rules = pack().rules
    rt = region_table(s, region_id, rules, cn_level=levels.get("cn", "normal"))
    req = algo.required(rt.app, levels, rules)
    i, j = np.nonzero(req)
    return {(int(rt.table.site_ids[a]), rules[b].rule_id) for a, b in zip(i, j, strict=True)
            if _stored_rule(rules[b])}


def sync(sf: sessionmaker[Session], region_id: int, *, now: dt.datetime) -> tuple[int, int]:
    """Make the stored open tasks equal the from-scratch requirement at the current levels (first use of a pack,
    or repair): insert what is missing, close what is no longer required. Returns (created, closed)."""
    _check_now(now)
    rules = {r.rule_id: r for r in pack().rules}
    with unit_of_work(sf) as s:
        levels = current_levels(s, region_id)
        want = required_pairs(s, region_id, levels)
        open_rows = tasks(s, region_id=region_id, limit=10**9)
        have = {(t.site_id, t.rule_id): t for t in open_rows}
        closed = 0
        for key, t in have.items():
            if key not in want:
                t.status, t.closed_at, t.closed_reason = "closed", now, "not required"
                closed += 1
        rt = region_table(s, region_id, pack().rules)
        add = sorted(want - set(have))
        for sid, rid in add:
            r = rules[rid]
            s.add(PostureTask(declaration_id=None, region_id=region_id, site_id=sid, rule_id=rid, kind=r.kind,
                              agency_id=rt.operator.get(sid), status="open", created_at=now,
                              due_at=now + dt.timedelta(hours=r.deadline_h) if r.deadline_h else None))
        return len(add), closed
