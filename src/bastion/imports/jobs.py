"""An OSM import as a job (Porto: ~14 s and ~600 MB; a country: minutes): reading, then one write transaction.
Idempotent by OSM id: a re-run of the same file changes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def run_osm(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    import dataclasses

    from bastion.imports.service import import_osm

    reads = 0

    def say(message: str) -> None:  # the reader's stage messages (no total is known while reading)
        nonlocal reads
        ctx.check_cancelled()
        reads += 1
        ctx.progress(0.8 if message.startswith("read ") else min(0.7, 0.05 * reads), message)

    boundary = params.get("boundary")
    rep = import_osm(ctx.session_factory, Path(params["path"]), str(params["region"]),
                     boundary_file=Path(boundary) if boundary else None, progress=say)
    out = dataclasses.asdict(rep)
    out["rows_changed"] = rep.rows_changed
    return out


OSM = JobKind("imports.osm", ("import:run",), run_osm,
              result_link=lambda _p, r: f"/api/v1/regions/{r['region_id']}")
KINDS = (OSM,)
