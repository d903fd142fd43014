"""Job use cases: submit, run (a worker or the CLI in the foreground), read, cancel, re-run, recover.

A job runs with the permissions of the account that asked: the account's grants are kept with the job and checked
again (the kind's permissions over the job's region) when a worker picks it up. Creation and the outcome are
audited with the requester as actor.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access.models import User
from bastion.access.policy import Grant
from bastion.access.policy import Permission
from bastion.access.policy import Principal
from bastion.access.policy import Resource
from bastion.access.policy import Role
from bastion.access.policy import allows
from bastion.jobs.enums import MAX_MESSAGE
from bastion.jobs.enums import MAX_PURGE_IDS_AUDITED
from bastion.jobs.enums import MAX_RETENTION_DAYS
from bastion.jobs.enums import PROGRESS_WRITE_S
from bastion.jobs.enums import TERMINAL
from bastion.jobs.enums import JobState
from bastion.jobs.models import Job
from bastion.jobs.models import JobFile
from bastion.jobs.repository import JobRepo
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import BastionError
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.kernel.errors import PermissionDenied
from bastion.kernel.jobs import Cancelled
from bastion.kernel.jobs import JobKind

log = logging.getLogger(__name__)

SF = sessionmaker[Session]


# ---- the principal a job runs with ----

def principal_snapshot(p: Principal) -> dict[str, Any]:
    return {"actor": p.actor, "user_id": p.user_id, "agency_id": p.agency_id, "superuser": p.superuser,
            "grants": [{"role": g.role.value, "region_id": g.region_id} for g in p.grants]}


def principal_of(snapshot: dict[str, Any]) -> Principal:
    return Principal(actor=str(snapshot.get("actor", "unknown")), user_id=snapshot.get("user_id"),
                     agency_id=snapshot.get("agency_id"), superuser=bool(snapshot.get("superuser", False)),
                     grants=tuple(Grant(Role(g["role"]), g.get("region_id")) for g in snapshot.get("grants", ())))


def _region(region_id: int | None) -> Resource | None:
    return None if region_id is None else Resource(region_id=region_id, visibility=Permission.REGION_READ)


def can_see(principal: Principal, job: Job) -> bool:
    """Own jobs, and for a coordinator every job in its regions; never a job whose region left the caller's
    job:read scope (then the job answers 404 like any resource outside the jurisdiction)."""
    if principal.superuser:
        return True
    if job.region_id is not None and not allows(principal, Permission.JOB_READ, _region(job.region_id)):
        return False
    own = job.requested_by == principal.user_id if principal.user_id is not None else job.actor == principal.actor
    if own:
        return allows(principal, Permission.JOB_READ)
    return job.region_id is not None and any(
        g.role is Role.COORDINATOR and g.region_id in (None, job.region_id) for g in principal.grants)


def _coordinated(principal: Principal) -> frozenset[int] | None:
    """Regions where the principal sees every job (None: all of them)."""
    if principal.superuser:
        return None
    regions: set[int] = set()
    for g in principal.grants:
        if g.role is Role.COORDINATOR:
            if g.region_id is None:
                return None
            regions.add(g.region_id)
    return frozenset(regions)


def _jsonable(v: object) -> object:
    item = getattr(v, "item", None)  # numpy scalars
    if callable(item):
        return item()
    if isinstance(v, (set, frozenset, tuple)):
        return list(v)
    if isinstance(v, (dt.datetime, dt.date)):
        return v.isoformat()
    return str(v)


def _audit(s: Session, job: Job, action: str, *, actor: str | None = None, client: str | None = None,
           outcome: str = "ok", **details: Any) -> None:
    audit.record(s, actor=actor or job.actor, action=action, object_type="job", object_id=job.id, client=client,
                 outcome=outcome, details={"kind": job.kind, "region_id": job.region_id, **details})


# ---- submit ----

def submit(sf: SF, kind: JobKind, params: dict[str, Any], *, principal: Principal, region_id: int | None,
           idempotency_key: str | None = None, client: str | None = None) -> Job:
    """Queue a job; with an idempotency key already used by this actor, the job that key made (same params) is
    returned instead of a new one (a retried request does not queue the work twice)."""
    if idempotency_key is not None and not 1 <= len(idempotency_key) <= 100:
        raise InvalidInput("Idempotency-Key must be 1 to 100 characters", field="Idempotency-Key")
    with unit_of_work(sf) as s:
        if idempotency_key is not None:
            known = JobRepo(s).by_key(principal.actor, idempotency_key)
            if known is not None:
                if known.kind != kind.name or known.params != params:
                    raise Conflict(f"Idempotency-Key {idempotency_key!r} was used for job {known.id} with other "
                                   "parameters", )
                return known
        job = Job(kind=kind.name, params=params, state=JobState.QUEUED, progress=0.0, message="",
                  requested_by=principal.user_id, actor=principal.actor, principal=principal_snapshot(principal),
                  region_id=region_id, attempts=0, cancel_requested=False, idempotency_key=idempotency_key,
                  created_at=utcnow())
        s.add(job)
        s.flush()
        _audit(s, job, "job.create", client=client, params=params)
    log.info("queued job %d (%s, region %s) for %s", job.id, kind.name, region_id, principal.actor)
    _notify()
    return job


_wake = threading.Event()  # set when a job is queued in this process: local workers look at once


def _notify() -> None:
    _wake.set()


def wake() -> None:
    _wake.set()


def wait_for_work(timeout_s: float) -> None:
    _wake.wait(timeout_s)
    _wake.clear()


# ---- reading ----

def get(sf: SF, job_id: int, principal: Principal) -> Job:
    with sf() as s:
        job = JobRepo(s).get(job_id)
    if not can_see(principal, job):
        raise NotFound(f"job {job_id} does not exist")
    return job


def file_of(sf: SF, job_id: int, principal: Principal) -> JobFile:
    """The file a succeeded job made (404 when it made none, or is not visible)."""
    job = get(sf, job_id, principal)
    with sf() as s:
        f = s.scalar(select(JobFile).where(JobFile.job_id == job_id))
    if f is None or job.state != JobState.SUCCEEDED:
        raise NotFound(f"job {job_id} has no file")
    return f


def region_of(sf: SF, job_id: int) -> int | None:
    with sf() as s:
        return JobRepo(s).get(job_id).region_id


def listing(sf: SF, principal: Principal, *, states: Sequence[str] = (), kind: str | None = None,
            region_id: int | None = None, mine: bool = False) -> list[Job]:
    for st in states:
        if st not in {x.value for x in JobState}:
            raise InvalidInput(f"state must be one of {', '.join(x.value for x in JobState)}, got {st!r}",
                               field="state")
    with sf() as s:  # narrowed in SQL to the caller's own jobs and its coordinator regions, then checked one by one
        rows = JobRepo(s).listing(states=states, kind=kind, region_id=region_id, requested_by=principal.user_id,
                                  actor=principal.actor, visible_regions=_coordinated(principal))
    out = [j for j in rows if can_see(principal, j)]
    if mine:
        out = [j for j in out if (j.requested_by == principal.user_id if principal.user_id is not None
                                  else j.actor == principal.actor)]
    return out


# ---- cancel, re-run, recover ----

def cancel(sf: SF, job_id: int, principal: Principal, *, client: str | None = None) -> Job:
    """A queued job is cancelled at once; a running one is asked to stop (its next progress check raises)."""
    get(sf, job_id, principal)
    with unit_of_work(sf) as s:
        job = JobRepo(s).get(job_id)
        if job.state in TERMINAL:
            return job  # cancelling is idempotent: a finished job stays as it ended
        if job.state == JobState.QUEUED:
            job.state, job.finished_at = JobState.CANCELLED, utcnow()
            job.error = {"code": "cancelled", "message": "cancelled before it started"}
        job.cancel_requested = True
        s.flush()
        _audit(s, job, "job.cancel", actor=principal.actor, client=client, state=job.state)
    return job


def rerun(sf: SF, job_id: int, principal: Principal, *, client: str | None = None) -> Job:
    """Queue a finished job again, same row and same params (the kinds are idempotent: same params, same result,
    no duplicate rows). A queued or running job cannot be re-run."""
    get(sf, job_id, principal)
    with unit_of_work(sf) as s:
        job = JobRepo(s).get(job_id)
        if job.state not in TERMINAL:
            raise Conflict(f"job {job_id} is {job.state}: re-run it once it has finished")
        if job.state != JobState.SUCCEEDED:
            job.result = None  # a success's result stays until the re-run ends (RunContext.previous_result)
        job.state, job.progress, job.message = JobState.QUEUED, 0.0, ""
        job.result_url = job.error = job.started_at = job.finished_at = job.heartbeat_at = None
        job.cancel_requested = False
        s.flush()
        _audit(s, job, "job.rerun", actor=principal.actor, client=client, attempts=job.attempts)
    _notify()
    return job


def recover_stale(sf: SF, *, stale_after_s: float, now: dt.datetime | None = None) -> list[int]:
    """Mark running jobs whose worker stopped (heartbeat older than ``stale_after_s``) interrupted."""
    now = now or utcnow()
    err = {"code": "interrupted", "message": f"the worker running this job stopped (no heartbeat for "
                                             f"{stale_after_s:g} s): re-run it"}
    with unit_of_work(sf) as s:
        ids = JobRepo(s).mark_stale(now - dt.timedelta(seconds=stale_after_s), now, err)
        for job_id in ids:
            _audit(s, JobRepo(s).get(job_id), "job.interrupted", outcome="error")
    if ids:
        log.warning("marked %d stale job(s) interrupted: %s", len(ids), ids)
    return ids


@dataclass(frozen=True)
class PurgeReport:
    cutoff: dt.datetime  # jobs that finished before this were deleted
    job_ids: list[int]
    dry_run: bool


def check_retention_days(days: float) -> float:
    if not (isinstance(days, (int, float)) and 0 < days <= MAX_RETENTION_DAYS):
        raise InvalidInput(f"older_than_days must be > 0 and <= {MAX_RETENTION_DAYS} days, got {days}",
                           field="older_than_days")
    return float(days)


def purge_finished(sf: SF, *, older_than_days: float, now: dt.datetime | None = None, actor: str = "system",
                   client: str | None = None, dry_run: bool = False) -> PurgeReport:
    """Delete finished jobs (succeeded, failed, cancelled, interrupted) whose ``finished_at`` is older than
    ``older_than_days`` before ``now``, with their files, in one transaction; queued and running jobs are never
    deleted. One `job.purge` audit record names the cutoff, the count and the ids (the audit chain keeps each job's
    own create/finish records). ``dry_run``: report what would go, delete nothing, audit nothing."""
    days = check_retention_days(older_than_days)
    now = now or utcnow()
    cutoff = now - dt.timedelta(days=days)
    with unit_of_work(sf) as s:
        repo = JobRepo(s)
        ids = repo.finished_before(cutoff)
        if ids and not dry_run:
            deleted = repo.delete(ids)
            audit.record(s, actor=actor, action="job.purge", object_type="job", object_id=None, client=client,
                         details={"cutoff": cutoff.isoformat(), "older_than_days": days, "deleted": deleted,
                                  "job_ids": ids[:MAX_PURGE_IDS_AUDITED],
                                  "more_ids": max(0, len(ids) - MAX_PURGE_IDS_AUDITED)})
    if ids and not dry_run:
        log.info("purged %d finished job(s) older than %g days (finished before %s)", len(ids), days,
                 cutoff.isoformat())
    return PurgeReport(cutoff, ids, dry_run)


# ---- running ----

SQLITE_BUSY_MS = 10_000  # the engine's busy_timeout (kernel/db/engine.py), restored after a progress write
PROGRESS_BUSY_MS = 300  # a progress write waits this long for SQLite's writer, then is skipped (the next one lands)

@dataclass
class RunContext:
    """The JobContext a kind's run() gets (kernel.jobs.JobContext)."""

    job_id: int | None
    principal: Principal
    session_factory: SF
    on_progress: Callable[[float, str], None] | None = None  # the CLI's bar
    previous_result: dict[str, Any] | None = None
    _last_write: float = 0.0
    _last_check: float = 0.0
    _cancel: bool = False
    fraction: float = 0.0
    message: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def progress(self, fraction: float, message: str = "") -> None:
        self.fraction = min(1.0, max(0.0, float(fraction)))
        self.message = message[:MAX_MESSAGE]
        if self.on_progress is not None:
            self.on_progress(self.fraction, self.message)
        t = time.monotonic()
        if self.job_id is None or (t - self._last_write < PROGRESS_WRITE_S and self.fraction < 1.0):
            return
        self._last_write = t
        with self.session_factory() as s:
            sqlite = s.get_bind().dialect.name == "sqlite"
            if sqlite:  # called from inside the kind's own write transaction, SQLite's single writer would wait
                s.connection().exec_driver_sql(f"PRAGMA busy_timeout={PROGRESS_BUSY_MS}")  # for it: skip this write
            try:
                repo = JobRepo(s)
                still = repo.set_running(self.job_id, progress=self.fraction, message=self.message,
                                         heartbeat_at=utcnow())
                self._cancel = not still or repo.get(self.job_id).cancel_requested
                s.commit()
            except OperationalError as exc:
                s.rollback()
                if not (sqlite and "locked" in str(exc)):
                    raise
            finally:
                if sqlite:
                    s.connection().exec_driver_sql(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
        self._last_check = t

    def save_file(self, filename: str, media_type: str, content: bytes) -> str:
        if self.job_id is None:
            raise InvalidInput("only a queued job can keep a file")
        with unit_of_work(self.session_factory) as s:
            s.execute(delete(JobFile).where(JobFile.job_id == self.job_id))
            s.add(JobFile(job_id=self.job_id, filename=filename[:200], media_type=media_type[:100],
                          size_bytes=len(content), content=content, created_at=utcnow()))
        return f"/api/v1/jobs/{self.job_id}/file"

    def check_cancelled(self) -> None:
        t = time.monotonic()
        if self.job_id is not None and not self._cancel and t - self._last_check >= PROGRESS_WRITE_S / 2:
            self._last_check = t
            with self.session_factory() as s:
                job = JobRepo(s).get(self.job_id)
                self._cancel = job.cancel_requested or job.state != JobState.RUNNING
        if self._cancel:
            raise Cancelled("the job was cancelled")


def _error(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, BastionError):
        out: dict[str, Any] = {"code": exc.code, "message": str(exc)}
        if getattr(exc, "field", None):
            out["field"] = exc.field  # type: ignore[attr-defined]
        return out
    return {"code": "internal", "message": "the job failed unexpectedly (the server log has the details)"}


def _check_permissions(sf: SF, kind: JobKind, principal: Principal, region_id: int | None) -> None:
    if principal.user_id is not None:  # the account must still be active (grants are those kept with the job)
        with sf() as s:
            user = s.get(User, principal.user_id)
        if user is None or user.status != "active":
            raise PermissionDenied("the account that asked for this job is no longer active")
    for value in kind.permissions:
        if not allows(principal, Permission(value), _region(region_id)):
            raise PermissionDenied(f"the account that asked for this job no longer holds {value} over region "
                                   f"{region_id}")


def execute(sf: SF, job_id: int, kind: JobKind, *, on_progress: Callable[[float, str], None] | None = None) -> Job:
    """Run a claimed (running) job to its end and store the outcome; returns the finished job."""
    with sf() as s:
        job = JobRepo(s).get(job_id)
        params, region_id, principal = dict(job.params), job.region_id, principal_of(job.principal)
        previous = dict(job.result) if job.result is not None else None  # kept by a re-run of a success
    ctx = RunContext(job_id, principal, sf, on_progress, previous)
    t0 = time.perf_counter()
    state, result, link, err = JobState.FAILED, None, None, None
    try:
        _check_permissions(sf, kind, principal, region_id)
        ctx.check_cancelled()
        ctx.progress(0.0, "started")
        result = json.loads(json.dumps(kind.run(ctx, params), default=_jsonable))  # what the JSON column keeps
        link = kind.result_link(params, result) if kind.result_link is not None else None
        state = JobState.SUCCEEDED
    except Cancelled as exc:
        state, err = JobState.CANCELLED, _error(exc)
    except BastionError as exc:
        err = _error(exc)
    except Exception as exc:  # noqa: BLE001 - a job's crash is recorded on the job, the worker keeps going
        log.exception("job %d (%s) failed", job_id, kind.name)
        err = _error(exc)
    runtime_s = round(time.perf_counter() - t0, 3)
    with unit_of_work(sf) as s:
        repo = JobRepo(s)
        values: dict[str, Any] = {"state": state, "finished_at": utcnow(), "result": result, "result_url": link,
                                  "error": err}
        if state == JobState.SUCCEEDED:
            values.update(progress=1.0, message="done")
        if repo.set_running(job_id, **values):
            _audit(s, repo.get(job_id), f"job.{state}", outcome="ok" if state == JobState.SUCCEEDED else "error",
                   runtime_s=runtime_s, result_url=link, error=err)
        job = repo.get(job_id)
    log.info("job %d (%s) %s in %.1f s", job_id, kind.name, job.state, runtime_s)
    return job


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.current_thread().name}"


def claim(sf: SF, worker: str) -> int | None:
    with unit_of_work(sf) as s:
        return JobRepo(s).claim(worker, utcnow())


def heartbeat(sf: SF, job_ids: Sequence[int]) -> None:
    with unit_of_work(sf) as s:
        JobRepo(s).heartbeat(job_ids, utcnow())


def run_foreground(sf: SF, kind: JobKind, params: dict[str, Any], *, principal: Principal, region_id: int | None,
                   on_progress: Callable[[float, str], None] | None = None) -> Job:
    """The CLI: queue the job and run it here, now (no worker needed); the job shows in `bastion jobs list`.
    A failure is raised as its error (the CLI prints it); a success returns the finished job."""
    job = submit(sf, kind, params, principal=principal, region_id=region_id)
    with unit_of_work(sf) as s:
        claimed = JobRepo(s).set_queued_to_running(job.id, worker_name(), utcnow())
    if not claimed:  # a worker took it first: wait for it like the API would
        return wait(sf, job.id)
    done = execute(sf, job.id, kind, on_progress=on_progress)
    raise_failure(done)
    return done


def raise_failure(job: Job) -> None:
    if job.state == JobState.SUCCEEDED:
        return
    err = job.error or {}
    exc = Cancelled if job.state == JobState.CANCELLED else BastionError
    e = exc(str(err.get("message") or f"job {job.id} {job.state}"))
    e.code = str(err.get("code", e.code))
    raise e


def wait(sf: SF, job_id: int, *, poll_s: float = 0.2, timeout_s: float | None = None) -> Job:
    t0 = time.monotonic()
    while True:
        with sf() as s:
            job = JobRepo(s).get(job_id)
        if job.state in TERMINAL:
            raise_failure(job)
            return job
        if timeout_s is not None and time.monotonic() - t0 > timeout_s:
            raise Conflict(f"job {job_id} is still {job.state} after {timeout_s:g} s")
        time.sleep(poll_s)
