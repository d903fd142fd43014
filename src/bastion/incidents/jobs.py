"""The incidents domain's long work as jobs: a scheduled situation report (queued by the periodic check)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def run_sitrep(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Generate the report due at ``due_at`` (idempotent: a re-run returns the report already made)."""
    from bastion.incidents import service as svc
    from bastion.incidents import sitreps

    ctx.check_cancelled()
    rep = sitreps.generate(ctx.session_factory, int(params["incident_id"]),
                           due_at=dt.datetime.fromisoformat(params["due_at"]), lang=str(params["lang"]),
                           now=dt.datetime.fromisoformat(params["now"]),
                           actor=svc.Actor(str(params.get("actor") or ctx.principal.actor), None, "scheduler"),
                           job_id=ctx.job_id)
    if rep is None:
        return {"incident_id": params["incident_id"], "sitrep_id": None, "skipped": "the incident is closed"}
    return {"incident_id": rep.incident_id, "sitrep_id": rep.id, "report_no": rep.report_no, "lang": rep.lang,
            "mode": rep.mode, "counts": rep.counts}


SITREP = JobKind("incidents.sitrep", ("incident:command",), run_sitrep,
                 result_link=lambda p, r: (f"/api/v1/incidents/{p['incident_id']}/sitreps/{r['sitrep_id']}"
                                           if r.get("sitrep_id") else None))
KINDS = (SITREP,)
