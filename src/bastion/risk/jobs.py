"""A region's risk assessment as a job (every site scored under every threat and stored)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def run_assess(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Score and store; a re-run replaces the stored rows with the same values (no duplicates)."""
    from bastion.risk.service import store_region_assessment

    at = dt.datetime.fromisoformat(params["at"]) if params.get("at") else None
    ctx.progress(0.05, "scoring sites")
    ctx.check_cancelled()
    rr = store_region_assessment(ctx.session_factory, int(params["region_id"]), at=at)
    counts: dict[str, int] = {}
    for a in rr.ranking:
        counts[a.worst_rating] = counts.get(a.worst_rating, 0) + 1
    return {"region_id": rr.region.id, "region": rr.region.name, "n_sites": len(rr.ranking),
            "threat_level": rr.setting.scoring_level, "worst_rating_counts": counts,
            "runtime_s": round(rr.runtime_s, 3)}


ASSESS = JobKind("risk.assess", ("analysis:run", "plan:write", "site:sensitive_read"), run_assess,
                 result_link=lambda p, _r: f"/api/v1/regions/{p['region_id']}/risk")
KINDS = (ASSESS,)
