"""Job workers for the app and the CLI: the kinds every registered domain declares, and the pool that runs them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.jobs import registry as job_registry
from bastion.jobs.worker import WorkerPool
from bastion.kernel.jobs import JobKind
from bastion.kernel.settings import Settings
from bastion.platform.registry import specs


def kinds() -> dict[str, JobKind]:
    return job_registry.load(specs())


def pool(sf: sessionmaker[Session], settings: Settings, *, concurrency: int | None = None) -> WorkerPool:
    return WorkerPool(sf, kinds(), concurrency=settings.job_workers if concurrency is None else concurrency,
                      heartbeat_s=settings.job_heartbeat_s, stale_s=settings.job_stale_s,
                      retention_days=settings.job_retention_days)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """The in-process worker pool of `bastion serve` (BASTION_JOB_WORKERS threads; 0: none)."""
    settings: Settings = app.state.settings
    workers = None
    if settings.job_workers > 0:
        workers = pool(app.state.session_factory, settings)
        workers.start()
    app.state.job_workers = workers
    try:
        yield
    finally:
        if workers is not None:
            workers.stop()
