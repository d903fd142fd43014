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
