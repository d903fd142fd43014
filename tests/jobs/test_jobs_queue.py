"""The queue itself, on SQLite and PostgreSQL: every queued job is claimed exactly once by concurrent workers;
a restart runs queued jobs and marks a job whose worker stopped (stale heartbeat) interrupted, and that job can be
re-run; cancelling a queued job ends it at once."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.policy import Principal
from bastion.jobs import service as svc
from bastion.jobs.models import Job
from bastion.jobs.worker import WorkerPool
from bastion.kernel.db.base import utcnow
from bastion.kernel.errors import Conflict
from tests.jobs.kinds import STEPS

LOCAL = Principal(actor="cli:tester", superuser=True)


def _state(sf: sessionmaker[Session], job_id: int) -> Job:
    with sf() as s:
        job = s.get(Job, job_id)
        assert job is not None
        return job


def _until(sf: sessionmaker[Session], job_id: int, states: set[str], timeout_s: float = 30) -> Job:
    deadline = time.monotonic() + timeout_s
    while (job := _state(sf, job_id)).state not in states:
        assert time.monotonic() < deadline, job.state
        time.sleep(0.02)
    return job


def test_concurrent_claims_take_each_job_once(session_factory: sessionmaker[Session]) -> None:
    ids = {svc.submit(session_factory, STEPS, {"n": 1}, principal=LOCAL, region_id=None).id for _ in range(12)}
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(name: str) -> None:
        while (job_id := svc.claim(session_factory, name)) is not None:  # None: the queue is empty
            with lock:
                claimed.append(job_id)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == sorted(ids)  # every job once: none lost, none run twice
    assert {_state(session_factory, i).attempts for i in ids} == {1}


def test_restart_runs_queued_jobs_and_recovers_interrupted_ones(session_factory: sessionmaker[Session]) -> None:
    sf = session_factory
    dead = svc.submit(sf, STEPS, {"n": 1, "sleep_s": 0}, principal=LOCAL, region_id=None)
    assert svc.claim(sf, "old-host:1:bastion-job-1") == dead.id  # a worker took it, then its process died
    with sf.begin() as s:
        s.execute(update(Job).where(Job.id == dead.id).values(heartbeat_at=utcnow() - dt.timedelta(seconds=120)))
    waiting = svc.submit(sf, STEPS, {"n": 2, "sleep_s": 0}, principal=LOCAL, region_id=None)  # queued, no worker
    pool = WorkerPool(sf, {STEPS.name: STEPS}, concurrency=1, poll_s=0.05, stale_s=60)
    pool.start()  # the restart: stale jobs marked, queued ones run
    try:
        interrupted = _state(sf, dead.id)
        assert interrupted.state == "interrupted" and interrupted.error is not None
        assert interrupted.error["code"] == "interrupted" and "re-run" in interrupted.error["message"]
        assert _until(sf, waiting.id, {"succeeded"}).result == {"n": 2, "previous": None}
        svc.rerun(sf, dead.id, LOCAL)
        rerun = _until(sf, dead.id, {"succeeded"})
        assert rerun.attempts == 2 and rerun.result == {"n": 1, "previous": None} and rerun.error is None
        svc.rerun(sf, dead.id, LOCAL)  # a success re-run: the kind sees the previous result
        assert _until(sf, dead.id, {"succeeded"}).result == {"n": 1, "previous": {"n": 1, "previous": None}}
    finally:
        pool.stop()


def test_a_live_heartbeat_is_not_interrupted(session_factory: sessionmaker[Session]) -> None:
    job = svc.submit(session_factory, STEPS, {"n": 1}, principal=LOCAL, region_id=None)
    svc.claim(session_factory, "busy-host:1:t")
    svc.heartbeat(session_factory, [job.id])
    assert svc.recover_stale(session_factory, stale_after_s=60) == []
    assert svc.recover_stale(session_factory, stale_after_s=60,
                             now=utcnow() + dt.timedelta(seconds=61)) == [job.id]


def test_cancel_a_queued_job_ends_it_at_once(session_factory: sessionmaker[Session]) -> None:
    job = svc.submit(session_factory, STEPS, {"n": 1}, principal=LOCAL, region_id=None)
    done = svc.cancel(session_factory, job.id, LOCAL)
    assert done.state == "cancelled" and done.finished_at is not None
    assert svc.claim(session_factory, "w") is None  # nothing left to run


def test_an_idempotency_key_returns_the_same_job(session_factory: sessionmaker[Session]) -> None:
    a = svc.submit(session_factory, STEPS, {"n": 1}, principal=LOCAL, region_id=None, idempotency_key="k-1")
    b = svc.submit(session_factory, STEPS, {"n": 1}, principal=LOCAL, region_id=None, idempotency_key="k-1")
    assert a.id == b.id
    with pytest.raises(Conflict, match="other parameters"):
        svc.submit(session_factory, STEPS, {"n": 2}, principal=LOCAL, region_id=None, idempotency_key="k-1")
