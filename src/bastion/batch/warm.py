"""Dask worker preload: import the batch steps' code as soon as a worker process starts.

A worker's first task would otherwise begin with a few seconds of imports (the domain services with scipy, HiGHS,
shapely, pyosmium). `dask_setup` starts them on a background thread, so they overlap the cluster's start-up and the
client's submissions instead of delaying the first region. A region's task waits until the warm-up has finished
(`wait_until_warm`, called by `run_region`): Python's per-module import lock would keep a module from being imported
twice, but not SQLAlchemy from configuring the ORM's mappers from the task thread while the warm-up thread is half way
through a models module (one class defined, the class its relationship names not yet), which fails the task.
`run_batch` passes this module to the LocalCluster it starts; workers of an existing cluster take it with
`dask worker --preload bastion.batch.warm`.
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


_started = threading.Event()
_done = threading.Event()
WAIT_S = 300.0  # a warm-up that takes longer than this has hung: the task goes on (and imports what it needs)


def _run() -> None:
    try:
        log.info("batch worker warmed up in %.2f s", warm_up())
    except Exception:  # noqa: BLE001 - the task imports it again and reports the error where it matters
        log.exception("batch worker warm-up")
    finally:
        _done.set()


def wait_until_warm(timeout_s: float = WAIT_S) -> bool:
    """Wait for this process's warm-up, if one was started (True when none was or it has finished)."""
    return not _started.is_set() or _done.wait(timeout_s)


def dask_setup(worker: Any = None) -> None:
    _started.set()
    threading.Thread(target=_run, name="bastion-batch-warm-up", daemon=True).start()
