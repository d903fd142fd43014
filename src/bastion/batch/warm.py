"""Dask worker preload: import the batch steps' code as soon as a worker process starts.

A worker's first task would otherwise begin with a few seconds of imports (the domain services with scipy, HiGHS,
shapely, pyosmium). `dask_setup` starts them on a background thread, so they overlap the cluster's start-up and the
client's submissions instead of delaying the first region; a task that needs a module still being imported waits
for that import (Python's per-module import lock), never imports it twice. `run_batch` passes this module to the
LocalCluster it starts; workers of an existing cluster take it with `dask worker --preload bastion.batch.warm`.
"""

from __future__ import annotations

import importlib
import logging
import threading
import time
from typing import Any

from bastion.batch.steps import STEP_MODULES

log = logging.getLogger(__name__)


def warm_up() -> float:
    """Import every step module (seconds it took)."""
    t0 = time.perf_counter()
    for name in STEP_MODULES:
        importlib.import_module(name)
    return time.perf_counter() - t0


def _run() -> None:
    try:
        log.info("batch worker warmed up in %.2f s", warm_up())
    except Exception:  # noqa: BLE001 - the task imports it again and reports the error where it matters
        log.exception("batch worker warm-up")


def dask_setup(worker: Any = None) -> None:
    threading.Thread(target=_run, name="bastion-batch-warm-up", daemon=True).start()
