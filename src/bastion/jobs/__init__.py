"""Long work as jobs: a queue in the database, workers, progress, cancel, re-run (docs/jobs.md).

The facade other domains use: ``submit`` (enqueue from an API route), ``run_foreground`` (the CLI runs the same
kind in the current process). Loaded on first use (PEP 562): the platform reads ``bastion.jobs.manifest`` for every
command, and that must not import the queue's service, the audit trail and the access policy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from bastion.jobs.service import run_foreground
    from bastion.jobs.service import submit

__all__ = ["run_foreground", "submit"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        return getattr(importlib.import_module("bastion.jobs.service"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
