"""Early-warning work as jobs: detection over every series of a region (1,000 series decided for one week: 2.8 to
6.1 s; a replay of 52 weeks or more: minutes), and the import of a CSV file local to the machine (a 125 MiB GTD
file: 5.6 s). Both are idempotent: a re-run stores no new alert episode, the same file (by sha256) is a duplicate.

The API's CSV upload stays synchronous: its body is the data, and a job would copy up to 200 MiB into the job's
parameters (kept in the jobs table and in the audited `job.create` record)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def _reporter(ctx: JobContext) -> Any:
    def progress(fraction: float, message: str) -> None:
        ctx.check_cancelled()
        ctx.progress(fraction, message)

    return progress


def run_detect(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from bastion.warning import alerts

    through = dt.date.fromisoformat(params["through"]) if params.get("through") else None
    r = alerts.detect(ctx.session_factory, int(params["region_id"]), method=str(params["method"]),
                      weeks=int(params["weeks"]), through=through, progress=_reporter(ctx))
    return dataclasses.asdict(r)


def run_import(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from bastion.warning import service

    r = service.import_file(ctx.session_factory, int(params["region_id"]), Path(params["path"]), str(params["format"]),
                            country=params.get("country"), progress=_reporter(ctx))
    return dataclasses.asdict(r)


DETECT = JobKind("warning.detect", ("warning:read", "analysis:run"), run_detect,
                 result_link=lambda p, _r: f"/api/v1/regions/{p['region_id']}/warning/alerts")
IMPORT = JobKind("warning.import", ("warning:import",), run_import,
                 result_link=lambda p, _r: f"/api/v1/regions/{p['region_id']}/warning/series")
KINDS = (DETECT, IMPORT)
