"""Patrol plans as jobs: solving and sampling can take minutes (Andorra: ~100 s), so the API queues them."""

from __future__ import annotations

from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind
from bastion.kernel.jobs import stage_progress

STAGES = {"travel times": (0.0, 0.1), "solving": (0.1, 0.85), "sampling": (0.85, 1.0)}


def run_plan(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Build and store a plan; a re-run with the same params (the seed is fixed when the job is queued) returns the
    plan the first run stored."""
    from bastion.patrol import service as svc
    from bastion.patrol.build import check_options

    region_id = int(params["region_id"])
    options = check_options(**params["options"])
    with ctx.session_factory() as s:
        known = svc.find_plan(s, region_id, options)
    if known is not None:
        ctx.progress(1.0, "already stored")
        return {"plan_id": known, "reused": True}
    plan_id = svc.create_plan(ctx.session_factory, region_id, options, progress=stage_progress(ctx, STAGES))
    return {"plan_id": plan_id, "reused": False}


PLAN = JobKind("patrol.plan", ("plan:write",), run_plan,
               result_link=lambda _p, r: f"/api/v1/patrol-plans/{r['plan_id']}")
KINDS = (PLAN,)
