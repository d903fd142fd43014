"""A batch run as a job (`batch.run`): import, vehicle, risk, coverage and patrol over many regions on Dask.

The region files are local to the machine that runs the job (as for `imports.osm`), so the kind is started by
`bastion batch run` only; there is no HTTP route (an account naming server paths could make the server read any
file). The job has no region (it makes them): its permissions must come from grants with global reach. Every
step replaces or upserts by natural key, so a re-run of the same job gives the same result hashes and no
duplicate rows."""

from __future__ import annotations

import dataclasses
from typing import Any

from bastion.access.policy import Permission
from bastion.access.policy import Principal
from bastion.access.policy import allows
from bastion.kernel.errors import PermissionDenied
from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def check_global_reach(principal: Principal) -> None:
    """A batch creates and rewrites regions it names by file: only grants over every region (or the local
    operator) may run one; a region's coordinator holds import:run there, not here."""
    everywhere = dataclasses.replace(principal, grants=tuple(g for g in principal.grants if g.region_id is None))
    for value in RUN_PERMISSIONS:
        if not allows(everywhere, Permission(value)):
            raise PermissionDenied(f"a batch run needs {value} over every region (a grant with global reach)")


def run_batch_job(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from bastion.batch.service import ClusterOptions
    from bastion.batch.service import parse_region_files
    from bastion.batch.service import parse_steps
    from bastion.batch.service import run_batch

    check_global_reach(ctx.principal)
    files = parse_region_files(list(params["regions"]))  # checked again: a re-run finds the files gone or moved
    steps = parse_steps(list(params["steps"]))
    options = ClusterOptions(scheduler=params.get("scheduler"), workers=params.get("workers"),
                             sequential=bool(params.get("sequential")))
    bind = ctx.session_factory.kw["bind"]  # the job's database (the workers write to the same one)
    url = bind.url.render_as_string(hide_password=False)

    def progress(fraction: float, message: str) -> None:
        ctx.check_cancelled()
        ctx.progress(fraction, message)

    rep = run_batch(files, steps, database_url=url, cluster=options, progress=progress)
    return {"scheduler": rep.scheduler, "dashboard": rep.dashboard, "workers": rep.workers, "steps": list(rep.steps),
            "wall_s": round(rep.wall_s, 3), "region_s": round(rep.region_seconds, 3),
            "cpu_s": round(rep.cpu_seconds, 3),
            "regions": [{"region": r.region, "hashes": r.hashes, "runtime_s": r.runtime_s, "cpu_s": r.cpu_s,
                         "lock_retries": r.lock_retries, "worker": r.worker}
                        for r in sorted(rep.results, key=lambda r: r.region)]}


RUN_PERMISSIONS = ("import:run", "analysis:run", "plan:write")
RUN = JobKind("batch.run", RUN_PERMISSIONS, run_batch_job)
KINDS = (RUN,)
