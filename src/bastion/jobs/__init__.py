"""Long work as jobs: a queue in the database, workers, progress, cancel, re-run (docs/jobs.md).

The facade other domains use: ``submit`` (enqueue from an API route), ``run_foreground`` (the CLI runs the same
kind in the current process).
"""

from bastion.jobs.service import run_foreground
from bastion.jobs.service import submit

__all__ = ["run_foreground", "submit"]
