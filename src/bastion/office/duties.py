"""Duty generation for a period (idempotent by (site, code, period)) and duty completion."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.office import duties as algo
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.office import levels
from bastion.office.models import Duty
from bastion.office.responsibility import resolve_region
from bastion.supervision.models import RectificationTask

log = logging.getLogger(__name__)
Progress = Callable[[float, str], None] | None
CATALOGUE = Path(__file__).parent / "packs" / "duties.yaml"
OPEN_TASK = ("open", "in_progress")


def parse_catalogue(doc: object) -> tuple[algo.DutyTemplate, ...]:
    if not isinstance(doc, dict) or not isinstance(doc.get("duties"), list):
        raise InvalidInput("duty catalogue must be a mapping with a list `duties`", field="duties")
    out, seen = [], set()
    for i, d in enumerate(doc["duties"]):
        if not isinstance(d, dict):
            raise InvalidInput(f"duties[{i}] must be a mapping", field=f"duties[{i}]")
        missing = [k for k in ("code", "role", "cadence", "title", "evidence", "source") if not d.get(k)]
        if missing:
            raise InvalidInput(f"duties[{i}]: {missing} required", field=f"duties[{i}].{missing[0]}")
        if d["code"] in seen:
            raise InvalidInput(f"duties[{i}]: duplicate code {d['code']!r}", field=f"duties[{i}].code")
        seen.add(d["code"])
        out.append(algo.DutyTemplate(str(d["code"]), str(d["title"]), str(d["evidence"]), str(d["role"]),
                                     str(d["cadence"]), int(d.get("due_day", 0)), str(d["source"]),
                                     frozenset(d.get("categories", ()) or ()), frozenset(d.get("tiers", ()) or ()),
                                     int(d.get("min_rank", 0)), bool(d.get("assumption", False))))
    return tuple(out)


@cache
def catalogue() -> tuple[algo.DutyTemplate, ...]:
    return parse_catalogue(yaml.safe_load(CATALOGUE.read_text(encoding="utf-8")))


def region_rank(s: Session, region_id: int, *, now: dt.datetime) -> int:
    """The response rank (0..3) a region is at ``now``: the most demanding of its UK level, Chinese heightened
    level and NTAS bulletin in force (expired declarations no longer count; office.levels)."""
    return levels.region_rank(s, region_id, now=now)


@dataclass(frozen=True)
class DutyReport:
    on: dt.date
    sites: int
    drafts: int
    created: int
    existing: int
    unassigned: int  # duties whose role no agency holds yet (created, shown as unassigned)
    runtime_s: float
    withdrawn: int = 0  # open posture-gated duties of these periods whose posture no longer holds
    reopened: int = 0  # withdrawn duties whose posture holds again


def generate(sf: sessionmaker[Session], *, on: dt.date, region_id: int | None = None,
             templates: tuple[algo.DutyTemplate, ...] | None = None, now: dt.datetime | None = None,
             progress: Progress = None) -> DutyReport:
    """Create the duties of the periods containing ``on`` (monthly, quarterly, half-year, year) and one-off
    duties for open findings, for every site (of ``region_id``). One transaction; running it again creates
    nothing (natural key (site, code, period)). The posture in force at ``now`` gates duties with a ``min_rank``:
    when it has dropped (a bulletin expired, a level stood down) their open duties of these periods are withdrawn,
    and reopened if it rises again."""
    t0 = time.perf_counter()
    tpl = catalogue() if templates is None else templates
    created = now or dt.datetime.now(dt.UTC)
    with unit_of_work(sf) as s:
        if progress:
            progress(0.0, "resolving responsibilities")
        keys, res = resolve_region(s, region_id)
        ranks = {rid: region_rank(s, rid, now=created) for rid in {k.region_id for k in keys}}
        ids = [k.site_id for k in keys]
        idset = set(ids)
        fq = select(RectificationTask).where(RectificationTask.status.in_(OPEN_TASK))
        findings = [algo.Finding(t.id, t.site_id, t.text, t.deadline.date()) for t in s.scalars(fq)
                    if t.site_id in idset]
        if progress:
            progress(0.2, f"generating duties for {len(keys)} sites")
        drafts = algo.generate(keys, res.assignments, tpl, on=on, rank_by_region=ranks, findings=findings)
        periods = sorted({d.period for d in drafts})
        existing: set[tuple[int, str, str]] = set()
        if periods:
            for row in s.execute(select(Duty.site_id, Duty.code, Duty.period).where(Duty.period.in_(periods))):
                if row[0] in idset:
                    existing.add((row[0], row[1], row[2]))
        new = algo.missing(drafts, existing)
        withdrawn, reopened = _follow_posture(s, tpl, drafts, periods, idset)
        rows = [{"site_id": d.site_id, "code": d.code, "period": d.period, "role": d.role, "agency_id": d.agency_id,
                 "due_on": d.due, "title": d.title, "evidence": d.evidence, "source": d.source, "status": "open",
                 "created_at": created} for d in new]
        chunk = 5000
        for i in range(0, len(rows), chunk):
            s.execute(insert(Duty), rows[i:i + chunk])
            if progress:
                progress(0.3 + 0.7 * min(1.0, (i + chunk) / len(rows)), f"{min(len(rows), i + chunk)} duties stored")
        rt = time.perf_counter() - t0
        log.info("duties for %s: %d sites, %d drafts, %d new in %.2fs", on, len(keys), len(drafts), len(new), rt)
        return DutyReport(on, len(keys), len(drafts), len(new), len(drafts) - len(new),
                          sum(1 for d in new if d.agency_id is None), rt, withdrawn, reopened)


def _follow_posture(s: Session, tpl: tuple[algo.DutyTemplate, ...], drafts: list[algo.DutyDraft],
                    periods: list[str], idset: set[int]) -> tuple[int, int]:
    """Withdraw the open duties of posture-gated templates (min_rank > 0) that the drafts no longer call for, and
    reopen withdrawn ones they call for again. Returns (withdrawn, reopened)."""
    gated = sorted(t.code for t in tpl if t.min_rank > 0)
    if not gated or not periods:
        return 0, 0
    wanted = {(d.site_id, d.code, d.period) for d in drafts if d.code in gated}
    q = select(Duty).where(Duty.code.in_(gated), Duty.period.in_(periods), Duty.status.in_(("open", "withdrawn")))
    withdrawn = reopened = 0
    for d in s.scalars(q):
        if d.site_id not in idset:
            continue
        want = (d.site_id, d.code, d.period) in wanted
        if d.status == "open" and not want:
            d.status, withdrawn = "withdrawn", withdrawn + 1
        elif d.status == "withdrawn" and want:
            d.status, reopened = "open", reopened + 1
    return withdrawn, reopened


def list_duties(s: Session, *, site_ids: list[int] | None = None, agency_id: int | None = None,
                period: str | None = None, status: str | None = None, limit: int = 200, offset: int = 0
                ) -> tuple[list[Duty], int]:
    from sqlalchemy import func

    q = select(Duty)
    if site_ids is not None:
        q = q.where(Duty.site_id.in_(site_ids))
    if agency_id is not None:
        q = q.where(Duty.agency_id == agency_id)
    if period is not None:
        q = q.where(Duty.period == period)
    if status is not None:
        q = q.where(Duty.status == status)
    total = int(s.scalar(select(func.count()).select_from(q.subquery())) or 0)
    return list(s.scalars(q.order_by(Duty.due_on, Duty.id).limit(limit).offset(offset))), total


MAX_EVIDENCE = 500


def complete_duty(sf: sessionmaker[Session], duty_id: int, *, now: dt.datetime, evidence: str) -> Duty:
    """Close an open duty with the evidence that it was done (a record reference, a date or counts: what the
    duty's ``evidence`` field asks for; never names)."""
    text = (evidence or "").strip()
    if not text or len(text) > MAX_EVIDENCE:
        raise InvalidInput(f"evidence is required (at most {MAX_EVIDENCE} characters): e.g. the record reference",
                           field="evidence")
    with unit_of_work(sf) as s:
        d = s.get(Duty, duty_id)
        if d is None:
            raise NotFound(f"duty {duty_id} does not exist")
        if d.status != "open":
            raise Conflict(f"duty {duty_id} is {d.status}; only an open duty can be completed")
        d.status, d.done_at, d.evidence_given = "done", now, text
        s.flush()
        return d
