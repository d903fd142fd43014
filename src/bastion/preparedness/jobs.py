"""Drafting a region's emergency plans as a job (Andorra, 600 sites x 3 threats: 3.6 s; a re-run 2.1 s)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def run_draft_region(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Draft the top threats' plans of the region's sites (or ``site_ids``). Idempotent: a re-run finds the same
    drafts already stored (a site/threat whose newest version holds the same draft gets no new version)."""
    from bastion.preparedness import drafting

    def progress(fraction: float, message: str) -> None:
        ctx.check_cancelled()
        ctx.progress(fraction, message)

    now = dt.datetime.fromisoformat(params["now"])
    r = drafting.draft_region(ctx.session_factory, int(params["region_id"]), now=now, site_ids=params.get("site_ids"),
                              threats_per_site=int(params["threats_per_site"]), progress=progress)
    return {"region_id": r.region_id, "sites": r.sites, "plans_created": r.plans_created, "unchanged": r.unchanged,
            "seconds": round(r.seconds, 3)}


DRAFT_REGION = JobKind("preparedness.draft_region", ("emergency_plan:write",), run_draft_region)
KINDS = (DRAFT_REGION,)
