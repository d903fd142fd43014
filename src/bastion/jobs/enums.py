"""The jobs domain's vocabularies."""

from __future__ import annotations

import enum


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"  # its worker stopped mid-run (stale heartbeat): re-run it


TERMINAL = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED, JobState.INTERRUPTED})
PROGRESS_WRITE_S = 0.5  # at most one progress write per job per this many seconds
MAX_MESSAGE = 300
MAX_RETENTION_DAYS = 3650  # job retention (Settings.job_retention_days, `bastion jobs purge --older-than`), days
PURGE_EVERY_S = 3600.0  # how often a worker pool purges finished jobs past the retention
MAX_PURGE_IDS_AUDITED = 500  # ids listed in one job.purge audit record (the rest are counted)
