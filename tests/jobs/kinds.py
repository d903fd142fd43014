"""Job kinds for the tests: steps with a known progress sequence, and a loop that waits to be cancelled."""

from __future__ import annotations

import time
from typing import Any

from bastion.jobs import registry
from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind


def _steps(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    n = int(params["n"])
    for i in range(1, n + 1):
        ctx.check_cancelled()
        time.sleep(float(params.get("sleep_s", 0.6)))  # longer than the progress throttle: every step is written
        ctx.progress(i / n, f"step {i}")
    return {"n": n, "previous": ctx.previous_result}


STEPS = JobKind("test.steps", ("analysis:run",), _steps,
                result_link=lambda p, _r: f"/api/v1/regions/{p['region_id']}" if p.get("region_id") else None)
registry.register(STEPS)
