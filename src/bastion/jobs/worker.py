"""Job workers: threads that claim queued jobs from the database and run them.

`bastion serve` starts a small pool in process (BASTION_JOB_WORKERS threads); `bastion worker` runs a pool on its
own (deployments add as many as they like: on PostgreSQL the claim is FOR UPDATE SKIP LOCKED). A heartbeat thread
marks the pool's running jobs alive; a stale heartbeat (a worker that stopped) marks the job interrupted. The same
thread deletes finished jobs past the retention (Settings.job_retention_days) at start and every PURGE_EVERY_S.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.jobs import service as svc
from bastion.jobs.enums import PURGE_EVERY_S
from bastion.jobs.repository import JobRepo
from bastion.kernel.errors import InvalidInput
from bastion.kernel.jobs import JobContext
from bastion.kernel.jobs import JobKind
from bastion.kernel.jobs import JobRun

log = logging.getLogger(__name__)


class WorkerPool:
    def __init__(self, sf: sessionmaker[Session], kinds: Mapping[str, JobKind], *, concurrency: int = 2,
                 poll_s: float = 1.0, heartbeat_s: float = 5.0, stale_s: float = 60.0,
                 retention_days: float = 0.0, clock: Callable[[], dt.datetime] | None = None) -> None:
        self.sf, self.kinds = sf, dict(kinds)
        self.retention_days = retention_days  # 0: keep every job
        self.clock = clock  # None: the database clock helper (utcnow); tests pass a fixed one
        self.concurrency, self.poll_s, self.heartbeat_s, self.stale_s = concurrency, poll_s, heartbeat_s, stale_s
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._running: set[int] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        try:
            svc.recover_stale(self.sf, stale_after_s=self.stale_s)  # jobs a stopped process left running
        except Exception as exc:  # noqa: BLE001 - a database not migrated yet: serve anyway, say why
            log.warning("job workers cannot read the jobs table (%s): run `bastion db upgrade`", type(exc).__name__)
        self.purge_once()
        for i in range(self.concurrency):
            t = threading.Thread(target=self._loop, name=f"bastion-job-{i + 1}", daemon=True)
            t.start()
            self._threads.append(t)
        hb = threading.Thread(target=self._beat, name="bastion-job-heartbeat", daemon=True)
        hb.start()
        self._threads.append(hb)
        log.info("job worker pool: %d thread(s), kinds %s", self.concurrency, ", ".join(sorted(self.kinds)))

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        svc.wake()  # sleeping threads look at the stop flag now
        for t in self._threads:
            t.join(timeout_s / max(1, len(self._threads)))

    @property
    def running(self) -> set[int]:
        with self._lock:
            return set(self._running)

    def run_once(self) -> bool:
        """Claim and run one job; False when none was queued."""
        job_id = svc.claim(self.sf, svc.worker_name())
        if job_id is None:
            return False
        with self._lock:
            self._running.add(job_id)
        try:
            with self.sf() as s:
                name = JobRepo(s).get(job_id).kind
            kind = self.kinds.get(name)
            if kind is None:
                kind = JobKind(name, (), _unknown(name))
            svc.execute(self.sf, job_id, kind)
        finally:
            with self._lock:
                self._running.discard(job_id)
        return True

    def purge_once(self) -> list[int]:
        """Delete finished jobs past the retention (none when retention_days is 0); never raises (logged)."""
        if self.retention_days <= 0:
            return []
        try:
            rep = svc.purge_finished(self.sf, older_than_days=self.retention_days,
                                     now=self.clock() if self.clock is not None else None, actor="system:jobs")
        except Exception:  # noqa: BLE001 - a database hiccup: the next round purges
            log.exception("job retention purge")
            return []
        return rep.job_ids

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                if self.run_once():
                    failures = 0
                    continue
                failures = 0
            except Exception:  # noqa: BLE001 - a database hiccup: log (once), back off, go on
                if failures == 0:
                    log.exception("job worker loop")
                failures += 1
            svc.wait_for_work(self.poll_s * min(30, 1 + failures))

    def _beat(self) -> None:
        since_recover = since_purge = 0.0
        while not self._stop.wait(self.heartbeat_s):
            try:
                svc.heartbeat(self.sf, sorted(self.running))
                since_recover += self.heartbeat_s
                since_purge += self.heartbeat_s
                if since_recover >= self.stale_s / 2:
                    since_recover = 0.0
                    svc.recover_stale(self.sf, stale_after_s=self.stale_s)
                if since_purge >= PURGE_EVERY_S:
                    since_purge = 0.0
                    self.purge_once()
            except Exception:  # noqa: BLE001
                log.exception("job heartbeat")


def _unknown(name: str) -> JobRun:
    def run(_ctx: JobContext, _params: dict[str, Any]) -> dict[str, Any]:
        raise InvalidInput(f"job kind {name!r} is not known to this worker (is its domain registered?)")

    return run
