"""The jobs protocol: what a domain needs to declare long work as a job kind (the jobs domain runs it).

A domain lists its kinds in its manifest (``DomainSpec.jobs = ("bastion.patrol.jobs:KINDS",)``); each kind names
the permissions the job needs over its region and a ``run(ctx, params) -> result`` function. The function reports
progress with ``ctx.progress(fraction, message)``, calls ``ctx.check_cancelled()`` between steps (it raises
``Cancelled``), and writes through ``ctx.session_factory`` (its own units of work). Same params, same result: a
re-run must not add rows (docs/jobs.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from typing import Any
from typing import Protocol

from bastion.kernel.errors import BastionError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session
    from sqlalchemy.orm import sessionmaker


class Cancelled(BastionError):
    """The job was asked to stop (``POST /jobs/{id}/cancel``); raised by ``ctx.check_cancelled()``."""

    code = "cancelled"


class JobContext(Protocol):
    """What a running job sees."""

    job_id: int | None
    principal: Any  # access.policy.Principal of the account that asked (the job runs with its permissions)
    session_factory: sessionmaker[Session]
    previous_result: dict[str, Any] | None  # a re-run of a job that succeeded: what that run returned

    def progress(self, fraction: float, message: str = "") -> None:
        """Report progress in [0, 1] with a short message (written to the database at most every ~0.5 s)."""

    def check_cancelled(self) -> None:
        """Raise Cancelled when a cancel was requested."""

    def save_file(self, filename: str, media_type: str, content: bytes) -> str:
        """Keep a file the job made (one per job; a re-run replaces it); returns its API path."""


JobRun = Callable[[JobContext, dict[str, Any]], dict[str, Any]]
ResultLink = Callable[[dict[str, Any], dict[str, Any]], str | None]  # (params, result) -> API path of the resource


@dataclass(frozen=True)
class JobKind:
    """A kind of long work. ``permissions`` (permission values such as "plan:write") are checked again over the
    job's region when a worker runs it, with the grants of the account that asked."""

    name: str  # "patrol.plan": <domain>.<verb>
    permissions: tuple[str, ...]
    run: JobRun
    result_link: ResultLink | None = None


def stage_progress(ctx: JobContext, stages: dict[str, tuple[float, float]]) -> Callable[[str, int, int], None]:
    """A (stage, done, total) callback mapping named stages onto [start, end] fractions of the job, checking for
    a cancel at every call (the services' loops call it between steps)."""

    def report(stage: str, done: int, total: int) -> None:
        ctx.check_cancelled()
        lo, hi = stages.get(stage, (0.0, 1.0))
        frac = lo + (hi - lo) * (done / total if total > 0 else 1.0)
        ctx.progress(frac, f"{stage} {done}/{total}")

    return report
