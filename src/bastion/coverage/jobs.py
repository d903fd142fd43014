"""Placement of response units (MCLP, backup MCLP, LSCP, p-median) as a job: the solve can take minutes."""

from __future__ import annotations

import dataclasses
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def run_placement(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Solve (and with apply, store the proposed units). A re-run of a run that applied its units returns that
    run's result instead of adding the units a second time."""
    from bastion.coverage import placement

    p = dict(params)
    if p.get("apply") and ctx.previous_result is not None:
        ctx.progress(1.0, "already applied")
        return ctx.previous_result
    region_id = int(p.pop("region_id"))
    candidates = p.pop("candidates", None)
    weight = p.pop("weight", "capacity")
    ctx.progress(0.05, "travel times and solve")
    ctx.check_cancelled()
    r = placement.place(ctx.session_factory, region_id, **p, weight_basis=weight,
                        candidates=[(float(c[0]), float(c[1])) for c in candidates] if candidates else None)
    return dataclasses.asdict(r)


PLACEMENT = JobKind("coverage.placement", ("analysis:run",), run_placement,
                    result_link=lambda p, _r: f"/api/v1/regions/{p['region_id']}/coverage")
# storing the proposed units is a write: the worker checks plan:write too
PLACEMENT_APPLY = JobKind("coverage.placement_apply", ("analysis:run", "plan:write"), run_placement,
                          result_link=lambda p, _r: f"/api/v1/regions/{p['region_id']}/units")
KINDS = (PLACEMENT, PLACEMENT_APPLY)
