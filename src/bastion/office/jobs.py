"""The lead office's long operations as jobs: generating a period's duties for a region (one transaction over
every site), launching a supervision campaign (one inspection per site in scope, each its own write) and storing
a region's per-site coverage for the scorecards (routes every response unit)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def _progress(ctx: JobContext) -> Any:
    def progress(fraction: float, message: str) -> None:
        ctx.check_cancelled()
        ctx.progress(fraction, message)

    return progress


def run_duties(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Create the duties of the periods containing ``on``. Idempotent by the natural key (site, code, period): a
    re-run finds them all and creates none."""
    from bastion.office import duties

    rid = params.get("region_id")
    r = duties.generate(ctx.session_factory, on=dt.date.fromisoformat(params["on"]),
                        region_id=None if rid is None else int(rid), now=dt.datetime.fromisoformat(params["now"]),
                        progress=_progress(ctx))
    return {"region_id": rid, "on": r.on.isoformat(), "sites": r.sites, "drafts": r.drafts, "created": r.created,
            "existing": r.existing, "unassigned": r.unassigned, "runtime_s": round(r.runtime_s, 3)}


def _same_instant(a: dt.datetime, b: dt.datetime) -> bool:
    def utc(x: dt.datetime) -> dt.datetime:
        return x.replace(tzinfo=dt.UTC) if x.tzinfo is None else x.astimezone(dt.UTC)

    return utc(a) == utc(b)


def run_campaign(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Launch the campaign, or — on a re-run, even one after a worker died past the campaign's commit — find the
    campaign this job already created (same region, name and launch time, drawn when the job was queued) and only
    fill what is missing (``campaigns.fill`` links each site once)."""
    from sqlalchemy import select

    from bastion.office import campaigns as camp
    from bastion.office.models import Campaign

    now = dt.datetime.fromisoformat(params["now"])
    spec = camp.CampaignSpec(params["name"], int(params["region_id"]), params["categories"], params["tiers"],
                             params["checklist"], int(params["deadline_days"]), params["clock"],
                             params.get("holiday_region"))
    with ctx.session_factory() as s:
        found = [c.id for c in s.scalars(select(Campaign).where(Campaign.region_id == spec.region_id,
                                                                Campaign.name == spec.name.strip()))
                 if _same_instant(c.created_at, now)]
    if found:
        cid = found[0]
        added = camp.fill(ctx.session_factory, cid, now=now, progress=_progress(ctx))
        reused = True
    else:
        cid = camp.launch(ctx.session_factory, spec, now=now, actor=str(params["actor"]), progress=_progress(ctx)).id
        added, reused = -1, False
    with ctx.session_factory() as s:
        c = camp.get(s, cid)
        board = camp.board(s, cid, now=now)
        sites = sum(b.sites for b in board)
        deadline = c.deadline
    return {"campaign_id": cid, "region_id": spec.region_id, "deadline": deadline.isoformat(), "sites": sites,
            "added": sites if added < 0 else added, "reused": reused}


DUTIES = JobKind("office.duties", ("office:write",), run_duties,
                 result_link=lambda params, _result: (f"/api/v1/regions/{params['region_id']}/office/duties"
                                                      if params.get("region_id") is not None else None))
CAMPAIGN = JobKind("office.campaign", ("office:write",), run_campaign,
                   result_link=lambda params, _result: f"/api/v1/regions/{params['region_id']}/office/campaigns")


def run_coverage(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    """Store the region's per-site coverage (the coverage domain's analysis) for the scorecards; a re-run
    replaces the stored rows."""
    from bastion.office import coverage

    ctx.progress(0.05, "routing every response unit")
    r = coverage.refresh(ctx.session_factory, int(params["region_id"]), now=dt.datetime.fromisoformat(params["now"]))
    return {"region_id": r.region_id, "sites": r.sites, "flagged": r.flagged, "units": r.units,
            "standards_s": list(coverage.STANDARDS_S), "within": list(r.within)}


COVERAGE = JobKind("office.coverage", ("office:write",), run_coverage,
                   result_link=lambda params, _result: f"/api/v1/regions/{params['region_id']}/office/scorecards")
KINDS = (DUTIES, CAMPAIGN, COVERAGE)
