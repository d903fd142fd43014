"""Batch runs: every region's steps (import, risk, coverage, vehicle, patrol) as one task per region on Dask
distributed -- a LocalCluster of worker processes by default, an existing cluster by its scheduler address.

- Partitioned by region: a region's steps run in order in one task; regions run in parallel, largest file first.
- Idempotent and transactional: each step is one domain use case (one transaction) plus one batch_results row
  per (region, step), replaced on a re-run; a task re-run after a worker died replaces, never duplicates.
- Faults: a worker that dies mid-task (killed, out of memory) loses its task; the scheduler runs it again on
  another worker (up to distributed's allowed-failures, 3 by default) and the Nanny restarts the process.
- SQLite: many processes write one file. WAL lets readers go on; writers queue on the busy timeout (10 s) and a
  step that still meets 'database is locked' is rolled back and run again (it is idempotent), up to
  enums.LOCK_RETRIES times with growing waits. PostgreSQL needs neither.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.batch import enums
from bastion.batch import steps as batch_steps
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

Progress = Callable[[float, str], None]  # (fraction done in [0, 1], message)


@dataclass(frozen=True)
class RegionFile:
    """A region of the run: its name and OSM extract (and optional GeoJSON boundary)."""

    name: str
    path: Path
    boundary: Path | None = None


@dataclass(frozen=True)
class RegionResult:
    region: str
    hashes: dict[str, str]  # step -> result hash (equal runs give equal hashes)
    runtime_s: dict[str, float]  # step -> seconds, wall clock
    cpu_s: dict[str, float]  # step -> CPU seconds of the worker process (what sizing needs on a shared machine)
    lock_retries: int  # steps re-run after SQLite's 'database is locked'
    worker: str  # host:pid that ran it


@dataclass
class BatchReport:
    steps: tuple[str, ...]
    scheduler: str  # "sequential", "LocalCluster" or the scheduler address
    dashboard: str | None
    workers: int
    results: list[RegionResult] = field(default_factory=list)
    wall_s: float = 0.0

    def hashes(self) -> dict[str, dict[str, str]]:
        return {r.region: r.hashes for r in sorted(self.results, key=lambda r: r.region)}

    @property
    def region_seconds(self) -> float:
        return sum(sum(r.runtime_s.values()) for r in self.results)

    @property
    def cpu_seconds(self) -> float:
        return sum(sum(r.cpu_s.values()) for r in self.results)


def parse_region_files(items: Sequence[str]) -> list[RegionFile]:
    """`FILE` or `NAME=FILE` (the name defaults to the file name before its first dot); files must exist."""
    if not items:
        raise InvalidInput("give at least one region file: --regions FILE or --regions NAME=FILE", field="regions")
    if len(items) > enums.MAX_REGIONS:
        raise InvalidInput(f"at most {enums.MAX_REGIONS} regions per run, got {len(items)}", field="regions")
    out: list[RegionFile] = []
    for item in items:
        name, sep, file = item.partition("=")
        path = Path(file if sep else item).expanduser()
        name = name.strip() if sep else path.name.split(".")[0]
        if not name or len(name) > 200:
            raise InvalidInput(f"region name in {item!r} must be 1 to 200 characters", field="regions")
        if not path.is_file():
            raise InvalidInput(f"region file {str(path)!r} does not exist (in {item!r})", field="regions")
        if not path.name.endswith((".pbf", ".osm", ".osm.gz", ".osm.bz2", ".opl")):
            raise InvalidInput(f"region file {path.name!r} is not an OSM extract (.osm.pbf, .osm, .osm.gz, .osm.bz2)",
                               field="regions")
        out.append(RegionFile(name, path.resolve()))
    names = [r.name for r in out]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InvalidInput(f"region {dup[0]!r} is named twice: write NAME=FILE to tell them apart", field="regions")
    return out


def parse_steps(text: str | Sequence[str]) -> tuple[str, ...]:
    """Comma-separated steps, run in the order of enums.STEPS (each reads only what the ones before it wrote)."""
    parts = [p.strip() for p in (text.split(",") if isinstance(text, str) else text) if p.strip()]
    if not parts:
        raise InvalidInput(f"give at least one step of {','.join(enums.STEPS)}", field="steps")
    bad = [p for p in parts if p not in enums.STEPS]
    if bad:
        raise InvalidInput(f"step {bad[0]!r} is unknown; use some of {','.join(enums.STEPS)}", field="steps")
    return tuple(s for s in enums.STEPS if s in parts)


# ---- on a worker ----

WORKER_PRELOAD = "bastion.batch.warm"  # imported by each LocalCluster worker at start (dask_setup warms it up)
# A LocalCluster of a batch run: a few long CPU-bound tasks (a region each). Dask's defaults suit many short tasks:
# each process checks its event loop every 20 ms, samples system metrics every 0.5 s, the nannies check their
# worker's memory every 0.1 s and the workers' profiler samples every thread 100 times a second. In a batch worker
# every wake-up takes the GIL from the region's step, and the nannies and the scheduler share the cores with the
# workers; here they wake up a few times a second instead. (Memory limits still hold: checked each second.)
WORKER_CONFIG = {
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "500ms",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.scheduler.work-stealing": False,  # one task per region, largest first: nothing to steal
}
SQLITE_BUSY_MS = 120_000  # a batch writer waits this long for SQLite's write lock (the engine's default is 10 s)


@cache
def _session_factory(database_url: str) -> sessionmaker[Session]:
    """One engine per worker process and database. On SQLite the busy timeout is long: several workers queue for
    the one write lock, and waiting for it costs only the wait, whereas a step that gives up with 'database is
    locked' is rolled back and computed again (a region's vehicle step is most of its CPU time)."""
    from sqlalchemy import event

    from bastion.kernel.db.engine import make_engine
    from bastion.kernel.db.engine import make_session_factory
    from bastion.kernel.settings import get_settings

    engine = make_engine(database_url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _longer_wait(dbapi_conn: Any, _record: Any) -> None:  # runs after make_engine's pragmas
            cur = dbapi_conn.cursor()
            cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
            cur.close()

    return make_session_factory(engine, audit_key=get_settings().audit_secret())


def is_locked(exc: BaseException) -> bool:
    """SQLite's 'database is locked' (another process holds the write lock beyond the busy timeout)."""
    from sqlalchemy.exc import OperationalError

    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig)


def retry_locked(fn: Callable[[], Any], *, attempts: int = enums.LOCK_RETRIES, base_wait_s: float = 0.2,
                 rng: random.Random | None = None) -> tuple[Any, int]:
    """Run ``fn`` (a transactional, idempotent step) again while it fails with 'database is locked'.

    Returns (its result, how many retries were needed). Waits grow 0.2, 0.4, 0.8 ... s with jitter."""
    rng = rng or random.Random()
    for attempt in range(attempts):
        try:
            return fn(), attempt
        except Exception as exc:
            if not is_locked(exc) or attempt == attempts - 1:
                raise
            wait = base_wait_s * 2 ** attempt * (0.5 + rng.random())
            log.warning("database is locked (attempt %d of %d): retrying in %.2f s", attempt + 1, attempts, wait)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def run_region(region: RegionFile, steps: Sequence[str], database_url: str,
               routing_cache_dir: str | None = None) -> RegionResult:
    """All of one region's steps, in order (the Dask task; also the sequential path)."""
    from bastion.batch.warm import wait_until_warm

    wait_until_warm()  # a Dask worker's warm-up imports must be complete before the steps use the ORM
    if routing_cache_dir is not None:
        from bastion.regions import graphs

        graphs.configure(Path(routing_cache_dir))
    sf = _session_factory(database_url)
    hashes: dict[str, str] = {}
    runtime: dict[str, float] = {}
    cpu: dict[str, float] = {}
    retries = 0
    for step in steps:
        def one(step: str = step) -> tuple[str, float]:
            return batch_steps.run_step(sf, step, region.name, region.path, region.boundary)

        c0 = time.process_time()
        (h, secs), n = retry_locked(one)
        hashes[step], runtime[step], cpu[step] = h, round(secs, 3), round(time.process_time() - c0, 3)
        retries += n
    return RegionResult(region.name, hashes, runtime, cpu, retries, f"{socket.gethostname()}:{os.getpid()}")


# ---- on the client ----

def _database_url(database_url: str | None) -> str:
    if database_url:
        return database_url
    from bastion.kernel.settings import get_settings

    return get_settings().resolved_database_url()


def _routing_dir() -> str:
    from bastion.regions.graphs import cache_root

    return str(cache_root())


@dataclass(frozen=True)
class ClusterOptions:
    """Where a batch runs. scheduler None: a LocalCluster of ``workers`` processes (default 2, one thread each)
    started for the run; "tcp://HOST:8786": an existing cluster (its workers need network access to the database
    and the region files at the same paths). sequential: in this process, without Dask (the baseline)."""

    scheduler: str | None = None
    workers: int | None = None
    sequential: bool = False
    dashboard_address: str = ":8787"  # the LocalCluster's dashboard (":0" = any free port)
    on_cluster: Callable[[Any], None] | None = None  # called with the connected Client (tests find worker pids)

    def __post_init__(self) -> None:
        if self.workers is not None and not 1 <= self.workers <= 1024:
            raise InvalidInput(f"workers must be between 1 and 1024, got {self.workers}", field="workers")
        if self.scheduler is not None and not self.scheduler.startswith(("tcp://", "tls://", "ucx://", "inproc://")):
            raise InvalidInput(f"scheduler {self.scheduler!r} must be an address like tcp://HOST:8786",
                               field="scheduler")


def run_batch(
    regions: Sequence[RegionFile],
    steps: Sequence[str],
    *,
    database_url: str | None = None,
    cluster: ClusterOptions | None = None,
    progress: Progress | None = None,
) -> BatchReport:
    """Run ``steps`` over ``regions``; results go to the configured database (SQLite file or PostgreSQL), or to
    ``database_url``. progress(fraction, message) is called as regions finish (the first message carries the
    Dask dashboard link)."""
    opts = cluster or ClusterOptions()
    steps = parse_steps(list(steps))
    if not regions:
        raise InvalidInput("give at least one region file", field="regions")
    url = _database_url(database_url)
    order = sorted(regions, key=lambda r: -r.path.stat().st_size)  # largest first: shorter tail
    t0 = time.perf_counter()
    done = 0

    def tick(r: RegionResult) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done / len(order), f"{r.region}: {', '.join(steps)} done ({done}/{len(order)})")

    if opts.sequential:
        rep = BatchReport(steps, "sequential", None, 1)
        if progress is not None:
            progress(0.0, f"{len(order)} regions, sequential")
        for reg in order:  # this process: the routing cache it is configured with
            rep.results.append(run_region(reg, steps, url))
            tick(rep.results[-1])
        rep.wall_s = time.perf_counter() - t0
        return rep

    return _run_on_dask(order, steps, url, opts, tick, progress, t0)


def served_dashboard(link: str | None, *, timeout_s: float = 3.0) -> str | None:
    """The scheduler's dashboard link when the dashboard is served, else None (the scheduler has no bokeh, the port
    is not reachable from here): a link is shown only when it opens. The probe asks for the dashboard's own script
    (bokeh's static route, mounted only with the dashboard) next to the link, not the page itself: rendering the
    status page costs the scheduler ~0.4 CPU-s, taken from the workers while a local run has just started."""
    if not link or not link.startswith(("http://", "https://")):
        return None
    import urllib.error
    import urllib.parse
    import urllib.request

    probe = urllib.parse.urljoin(link, "static/js/bokeh.min.js")
    try:
        with urllib.request.urlopen(probe, timeout=timeout_s) as r:  # noqa: S310 - the scheduler's own http(s) URL
            ok = r.status == 200
    except (urllib.error.URLError, OSError, ValueError) as exc:
        log.info("Dask dashboard %s not served (%s): not shown", link, exc)
        return None
    return link if ok else None


def _run_on_dask(order: Sequence[RegionFile], steps: tuple[str, ...], url: str, opts: ClusterOptions,
                 tick: Callable[[RegionResult], None], progress: Progress | None, t0: float) -> BatchReport:
    import dask
    from distributed import Client
    from distributed import LocalCluster
    from distributed import as_completed

    local = None
    if opts.scheduler is None:
        # the workers' statistical profiler samples every thread's stack 100 times a second: CPU a batch region
        # needs more (the dashboard's other pages stay); the nanny hands this config to the worker processes
        with dask.config.set(WORKER_CONFIG):
            local = LocalCluster(n_workers=opts.workers or 2, threads_per_worker=1,  # type: ignore[no-untyped-call]
                                 processes=True, dashboard_address=opts.dashboard_address,
                                 silence_logs=logging.ERROR, preload=[WORKER_PRELOAD])
        client = Client(local)  # type: ignore[no-untyped-call]
    else:
        client = Client(opts.scheduler, timeout="30s")  # type: ignore[no-untyped-call]
    try:
        n_workers = len(client.scheduler_info()["workers"])
        if opts.on_cluster is not None:
            opts.on_cluster(client)
        cache_dir = _routing_dir() if opts.scheduler is None else None
        futures = [client.submit(run_region, reg, steps, url, cache_dir, key=f"bastion-batch-{i}-{reg.name}",
                                 pure=False, priority=len(order) - i)
                   for i, reg in enumerate(order)]
        # the workers are busy now: look whether the dashboard answers (an HTTP GET) while they work
        dashboard = served_dashboard(client.dashboard_link)
        rep = BatchReport(steps, opts.scheduler or "LocalCluster", dashboard, n_workers)
        if progress is not None:
            progress(0.0, f"{len(order)} regions on {n_workers} workers"
                     + (f"; Dask dashboard {dashboard}" if dashboard else "; no Dask dashboard served"))
        for fut in as_completed(futures):  # type: ignore[no-untyped-call]
            res: RegionResult = fut.result()
            rep.results.append(res)
            tick(res)
        rep.wall_s = time.perf_counter() - t0
        return rep
    finally:
        client.close()  # type: ignore[no-untyped-call]
        if local is not None:
            local.close()
