"""Vehicle-approach assessments as jobs (one routing search per site and vehicle: minutes on a city)."""

from __future__ import annotations

from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def run_assess(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Assess and store; a re-run with the same inputs changes nothing (rows keyed by site and vehicle, hashed)."""
    import dataclasses

    from bastion.vehicle import service as svc

    def tick(done: int, total: int, what: str) -> None:
        ctx.check_cancelled()
        ctx.progress(0.9 * done / total if total else 0.9, f"{what} {done}/{total}")

    p = dict(params["params"])
    rep = svc.assess(ctx.session_factory, int(params["region_id"]), svc.AssessParams(**{
        **p, "vehicles": tuple(p["vehicles"])}), site_ids=params.get("site_ids"), progress=tick)
    out = dataclasses.asdict(rep)
    out["vehicles"] = list(rep.vehicles)
    out["compute_s"], out["write_s"] = round(rep.compute_s, 3), round(rep.write_s, 3)
    out["rows_changed"] = rep.rows_changed
    return out


ASSESS = JobKind("vehicle.assess", ("analysis:run", "plan:write"), run_assess,
                 result_link=lambda p, _r: f"/api/v1/regions/{p['region_id']}/vehicle.geojson")
KINDS = (ASSESS,)
