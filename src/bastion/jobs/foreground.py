"""The CLI side of jobs: run a kind now, in this process, with a progress bar (the same kind a worker runs)."""

from __future__ import annotations

from typing import Any

from bastion.access.cli import cli_actor
from bastion.access.policy import Principal
from bastion.jobs import service as svc
from bastion.jobs.models import Job
from bastion.kernel.cli import JobBar
from bastion.kernel.cli import session_factory
from bastion.kernel.jobs import JobKind


def cli_principal() -> Principal:
    """The local operator: direct database access means every permission (as for every other command)."""
    return Principal(actor=cli_actor().name, superuser=True)


def run_with_bar(kind: JobKind, params: dict[str, Any], *, region_id: int | None, title: str) -> Job:
    """Queue ``kind`` as a job and run it here with a rich progress bar; returns the finished job (a failure is
    raised as its error, which the command's handle_errors prints)."""
    sf = session_factory()
    with JobBar(title) as bar:
        return svc.run_foreground(sf, kind, params, principal=cli_principal(), region_id=region_id,
                                  on_progress=bar.update)
