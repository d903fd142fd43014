"""Job retention on SQLite and PostgreSQL, with a controlled clock: finished jobs older than the retention go (with
their files), newer finished jobs and queued or running jobs of any age stay; the purge is audited; the worker pool
purges at start; the setting and the command validate their input."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.access.models import AuditLog
from bastion.access.policy import Principal
from bastion.jobs import service as svc
from bastion.jobs.models import Job
from bastion.jobs.models import JobFile
from bastion.jobs.worker import WorkerPool
from bastion.kernel.errors import InvalidInput
from bastion.kernel.settings import Settings
from tests.jobs.kinds import STEPS

LOCAL = Principal(actor="cli:tester", superuser=True)
NOW = dt.datetime(2026, 11, 30, 12, 0, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _job(sf: sessionmaker[Session], state: str, finished_days_ago: float | None, *, created_days_ago: float = 100,
         with_file: bool = False) -> int:
    job_id = svc.submit(sf, STEPS, {"n": 1}, principal=LOCAL, region_id=None).id
    with sf.begin() as s:
        s.execute(update(Job).where(Job.id == job_id).values(
            state=state, created_at=NOW - created_days_ago * DAY,
            finished_at=None if finished_days_ago is None else NOW - finished_days_ago * DAY))
        if with_file:
            s.add(JobFile(job_id=job_id, filename="r.pdf", media_type="application/pdf", size_bytes=3, content=b"pdf",
                          created_at=NOW))
    return job_id


def _ids(sf: sessionmaker[Session]) -> set[int]:
    with sf() as s:
        return set(s.scalars(select(Job.id)))


@pytest.fixture
def jobs(session_factory: sessionmaker[Session]) -> dict[str, int]:
    sf = session_factory
    return {
        "old_succeeded": _job(sf, "succeeded", 31, with_file=True),
        "old_failed": _job(sf, "failed", 45),
        "old_cancelled": _job(sf, "cancelled", 400),
        "old_interrupted": _job(sf, "interrupted", 30.01),
        "recent_succeeded": _job(sf, "succeeded", 29.99, with_file=True),
        "recent_failed": _job(sf, "failed", 1),
        "old_queued": _job(sf, "queued", None, created_days_ago=365),
        "old_running": _job(sf, "running", None, created_days_ago=365),
    }


def test_purge_deletes_only_finished_jobs_past_the_retention(session_factory: sessionmaker[Session],
                                                            jobs: dict[str, int]) -> None:
    sf = session_factory
    dry = svc.purge_finished(sf, older_than_days=30, now=NOW, dry_run=True)
    old = {jobs[k] for k in ("old_succeeded", "old_failed", "old_cancelled", "old_interrupted")}
    assert set(dry.job_ids) == old and _ids(sf) >= set(jobs.values())  # a dry run deletes nothing
    rep = svc.purge_finished(sf, older_than_days=30, now=NOW, actor="cli:tester")
    assert rep.cutoff == NOW - 30 * DAY and set(rep.job_ids) == old
    left = _ids(sf)
    assert not left & old
    assert {jobs[k] for k in ("recent_succeeded", "recent_failed", "old_queued", "old_running")} <= left
    with sf() as s:  # the deleted job's file went with it; the kept job's file stays
        assert set(s.scalars(select(JobFile.job_id))) == {jobs["recent_succeeded"]}
        rec = s.scalars(select(AuditLog).where(AuditLog.action == "job.purge")).one()
    assert rec.actor == "cli:tester" and rec.details["deleted"] == 4
    assert sorted(rec.details["job_ids"]) == sorted(old) and rec.details["cutoff"].startswith("2026-10-31T12:00")
    # a second purge at the same time finds nothing and records nothing
    assert svc.purge_finished(sf, older_than_days=30, now=NOW).job_ids == []
    with sf() as s:
        assert len(s.scalars(select(AuditLog).where(AuditLog.action == "job.purge")).all()) == 1
    # later, the recent ones age out too; queued and running never do
    later = svc.purge_finished(sf, older_than_days=30, now=NOW + 0.5 * DAY)
    assert set(later.job_ids) == {jobs["recent_succeeded"]}
    assert svc.purge_finished(sf, older_than_days=0.001, now=NOW + 3650 * DAY).job_ids == [jobs["recent_failed"]]
    assert _ids(sf) >= {jobs["old_queued"], jobs["old_running"]}


def test_worker_pool_purges_at_start_with_its_clock(session_factory: sessionmaker[Session],
                                                   jobs: dict[str, int]) -> None:
    off = WorkerPool(session_factory, {}, concurrency=0, retention_days=0, clock=lambda: NOW)
    assert off.purge_once() == []  # retention 0: keep every job
    pool = WorkerPool(session_factory, {}, concurrency=0, retention_days=40, clock=lambda: NOW)
    pool.start()
    pool.stop()
    left = _ids(session_factory)
    assert jobs["old_failed"] not in left and jobs["old_cancelled"] not in left  # finished 45 and 400 days ago
    assert {jobs["old_succeeded"], jobs["old_interrupted"], jobs["old_queued"], jobs["old_running"]} <= left
    with session_factory() as s:
        assert s.scalars(select(AuditLog.actor).where(AuditLog.action == "job.purge")).one() == "system:jobs"


@pytest.mark.parametrize("days", [0, -1, 3651, float("nan")])
def test_bad_retention_is_refused_naming_the_field(days: float) -> None:
    with pytest.raises(InvalidInput) as e:
        svc.check_retention_days(days)
    assert e.value.field == "older_than_days"
    if days != 0:
        with pytest.raises(ValidationError, match="job_retention_days"):
            Settings(job_retention_days=days)


def test_cli_purge(cli_monaco: object, monkeypatch: pytest.MonkeyPatch) -> None:
    from bastion.kernel.cli import session_factory
    from bastion.platform.cli import app

    runner = CliRunner()
    sf = session_factory()
    recent = _job(sf, "succeeded", 0, created_days_ago=0)
    with sf.begin() as s:  # relative to the real clock: one finished 90 days ago
        s.execute(update(Job).where(Job.id == recent).values(finished_at=svc.utcnow() - 90 * DAY))
    r = runner.invoke(app, ["jobs", "purge", "--dry-run"])
    assert r.exit_code == 0 and "would delete 1 finished job(s)" in r.output and str(recent) in r.output
    r = runner.invoke(app, ["jobs", "purge", "--older-than", "100"])
    assert r.exit_code == 0 and "deleted 0" in r.output
    r = runner.invoke(app, ["jobs", "purge", "--json"])
    assert r.exit_code == 0 and f'"job_ids": [\n    {recent}\n  ]' in r.output
    r = runner.invoke(app, ["jobs", "purge", "--older-than", "0"])
    assert r.exit_code == 2 and "older_than_days" in r.output and "Traceback" not in r.output
    monkeypatch.setenv("BASTION_JOB_RETENTION_DAYS", "0")
    r = runner.invoke(app, ["jobs", "purge"])
    assert r.exit_code == 2 and "retention is off" in r.output
