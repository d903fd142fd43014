"""One region's batch steps: each calls the owning domain's use case (transactional, idempotent) and records a
summary of its figures in batch_results (one row per region and step, replaced on a re-run).

Summaries hold no database ids and no timings, only figures keyed by natural keys (OSM references), so that two
runs over the same files give equal summaries and equal hashes whatever the order in which regions ran.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.batch import enums
from bastion.batch.repository import get_result
from bastion.batch.repository import put_result
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo

log = logging.getLogger(__name__)

Summary = dict[str, Any]

# what the steps import when they run (bastion.batch.warm imports them when a Dask worker starts)
STEP_MODULES: tuple[str, ...] = (
    "bastion.imports.service", "bastion.vehicle.service", "bastion.risk.service", "bastion.coverage.service",
    "bastion.coverage.placement", "bastion.patrol.build", "bastion.patrol.models", "bastion.patrol.service",
    "bastion.sites.models",
)


def _num(x: float) -> float:
    """Floats to 9 significant digits (summation order may differ in the last bits between machines)."""
    return float(f"{float(x):.9g}")


def summary_hash(summary: Summary) -> str:
    return hashlib.sha256(json.dumps(summary, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def _region_id(sf: sessionmaker[Session], name: str) -> int:
    with sf() as s:
        return RegionRepo(s).get_by_ref(name).id


def _site_keys(s: Session, ids: list[int]) -> dict[int, str]:
    from bastion.sites.models import Site

    rows = s.execute(select(Site.id, Site.source_type, Site.source_id).where(Site.id.in_(ids))).all() if ids else []
    return {int(r.id): f"{r.source_type}/{r.source_id}" for r in rows}


def step_import(sf: sessionmaker[Session], name: str, path: Path, boundary: Path | None) -> tuple[int, Summary]:
    from bastion.imports.service import import_osm

    rep = import_osm(sf, path, name, boundary_file=boundary)
    with sf() as s:
        region = RegionRepo(s).get(rep.region_id)
        roads = region.roads_hash
    return rep.region_id, {
        "file": path.name, "roads_hash": roads, "road_nodes": rep.road_nodes, "road_edges": rep.road_edges,
        "sites": sum(rep.per_category.values()), "per_category": rep.per_category,
        "barriers": rep.barriers_inserted + rep.barriers_updated + rep.barriers_unchanged,
    }


def step_risk(sf: sessionmaker[Session], region_id: int) -> Summary:
    from bastion.risk.service import store_region_assessment

    rr = store_region_assessment(sf, region_id)
    with sf() as s:
        keys = _site_keys(s, [int(a.site_id) for a in rr.ranking])
    # ties in risk are ranked by database id in the risk domain; here by OSM reference (ids depend on the order
    # in which regions were imported, which a parallel run does not fix)
    rows = sorted(((keys[int(a.site_id)], _num(a.total_risk), a.worst_rating) for a in rr.ranking),
                  key=lambda r: (-r[1], r[0]))
    ranking = [list(r) for r in rows]
    return {"sites": len(rows), "total_risk": _num(sum(r[1] for r in rows)), "top": ranking[:5],
            "ranking_hash": summary_hash({"r": ranking})}


def step_coverage(sf: sessionmaker[Session], region_id: int) -> Summary:
    from bastion.coverage.placement import place
    from bastion.coverage.service import analyze

    std = enums.COVERAGE_STANDARD_S
    with sf() as s:
        rep = analyze(s, region_id, standards_s=(std,))
    b = rep.standard(std)
    out: Summary = {"standard_s": std, "units": rep.n_units, "demand_sites": len(rep.sites),
                    "covered_sites": b.covered_sites, "covered_weight": _num(b.covered_weight),
                    "total_weight": _num(rep.total_weight)}
    try:
        pl = place(sf, region_id, standard_s=std, add=enums.COVERAGE_ADD, model="mclp")
    except InvalidInput as exc:  # no crowded places, or nothing to place on
        out["mclp"] = {"skipped": str(exc)}
    else:
        out["mclp"] = {"add": enums.COVERAGE_ADD, "status": pl.status, "objective": _num(pl.objective),
                       "before_weight": _num(pl.before_weight), "after_weight": _num(pl.after_weight)}
    return out


def step_vehicle(sf: sessionmaker[Session], region_id: int) -> Summary:
    from bastion.vehicle.service import assess

    rep = assess(sf, region_id)
    return {"vehicles": list(rep.vehicles), "sites_assessed": rep.sites_assessed, "sites_reached": rep.sites_reached,
            "entry_points": rep.entry_points, "gaps": rep.gaps}


def step_patrol(sf: sessionmaker[Session], region_id: int, record: Callable[[Session, Summary], None]) -> Summary:
    """A patrol plan with the batch options; the previous batch plan of the region is deleted and the new one
    recorded in the transaction that stores it."""
    from bastion.patrol.build import check_options
    from bastion.patrol.models import PatrolPlan
    from bastion.patrol.service import create_plan

    out: Summary = {}

    def on_stored(s: Session, plan_id: int) -> None:
        old = get_result(s, region_id, enums.Step.PATROL)
        old_id = old.summary.get("plan_id") if old is not None else None
        if isinstance(old_id, int) and old_id != plan_id:
            s.execute(delete(PatrolPlan).where(PatrolPlan.id == old_id, PatrolPlan.region_id == region_id))
        plan = s.get(PatrolPlan, plan_id)
        assert plan is not None
        out.update({"plan_id": plan_id, "status": plan.solver_status, "objective": _num(plan.objective),
                    "attacker_utility": _num(plan.attacker_utility), "n_sites": plan.n_sites,
                    "n_targets": plan.n_targets, "options": dict(enums.PATROL_OPTIONS)})
        record(s, out)

    try:
        create_plan(sf, region_id, check_options(**enums.PATROL_OPTIONS), on_stored=on_stored)
    except InvalidInput as exc:  # e.g. no crowded places to patrol
        out = {"skipped": str(exc)}
        with unit_of_work(sf) as s:
            record(s, out)
    return out


def hashed(summary: Summary) -> str:
    """The hash two runs compare: the summary without the patrol plan's database id."""
    return summary_hash({k: v for k, v in summary.items() if k != "plan_id"})


def run_step(sf: sessionmaker[Session], step: str, name: str, path: Path, boundary: Path | None) -> tuple[str, float]:
    """Run one step for one region and record it; returns (result hash, seconds)."""
    t0 = time.perf_counter()
    if step == enums.Step.IMPORT:
        region_id, summary = step_import(sf, name, path, boundary)
    else:
        region_id = _region_id(sf, name)
        if step == enums.Step.PATROL:
            def record(s: Session, summary: Summary) -> None:
                put_result(s, region_id, step, summary, hashed(summary), time.perf_counter() - t0)

            summary = step_patrol(sf, region_id, record)
            log.info("batch %s/%s done in %.2f s", name, step, time.perf_counter() - t0)
            return hashed(summary), time.perf_counter() - t0
        fn = {enums.Step.RISK: step_risk, enums.Step.COVERAGE: step_coverage, enums.Step.VEHICLE: step_vehicle}[
            enums.Step(step)]
        summary = fn(sf, region_id)
    h = hashed(summary)
    with unit_of_work(sf) as s:
        put_result(s, region_id, step, summary, h, time.perf_counter() - t0)
    log.info("batch %s/%s done in %.2f s", name, step, time.perf_counter() - t0)
    return h, time.perf_counter() - t0
