"""Batch runs on Dask distributed: input checks, re-runs that replace, a worker killed mid-run, SQLite writers.

The regions are copies of the bundled Monaco extract under different names (small: a run of four takes seconds);
the vehicle step is left out of the slow runs for time (it has its own upsert tests in tests/vehicle).
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from bastion.batch import ClusterOptions
from bastion.batch import parse_region_files
from bastion.batch import parse_steps
from bastion.batch import run_batch
from bastion.batch.models import BatchResult
from bastion.batch.service import retry_locked
from bastion.batch.service import served_dashboard
from bastion.kernel.db.engine import make_engine
from bastion.kernel.errors import InvalidInput
from bastion.patrol.models import PatrolPlan
from bastion.platform import migrate
from bastion.platform.cli import app
from bastion.regions.models import Region
from bastion.risk.models import RiskAssessment
from bastion.sites.models import Site
from tests.conftest import MONACO

FAST_STEPS = ("import", "risk", "coverage", "patrol")


def monaco_copies(n: int) -> list:
    return parse_region_files([f"monaco-{chr(97 + i)}={MONACO}" for i in range(n)])


def counts(url: str) -> dict[str, object]:
    """What a run leaves in the database, per region name (no ids)."""
    engine = make_engine(url)
    try:
        with engine.connect() as c:
            def per_region(model, join=None) -> dict[str, int]:
                q = select(Region.name, func.count()).select_from(model)
                q = (q.join(join, join.id == model.site_id).join(Region, Region.id == join.region_id) if join
                     else q.join(Region, Region.id == model.region_id))
                return dict(c.execute(q.group_by(Region.name)).all())

            return {"regions": sorted(c.scalars(select(Region.name))), "sites": per_region(Site),
                    "plans": per_region(PatrolPlan), "results": per_region(BatchResult),
                    "risk_rows": per_region(RiskAssessment, Site),
                    "summaries": sorted(c.execute(select(Region.name, BatchResult.step, BatchResult.result_hash)
                                                  .join(Region, Region.id == BatchResult.region_id)).all())}
    finally:
        engine.dispose()


def fresh_sqlite(path: Path) -> str:
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def test_inputs_are_checked_with_the_field_named(tmp_path):
    assert parse_steps("patrol, import,risk") == ("import", "risk", "patrol")  # always run in dependency order
    assert parse_steps("import,vehicle,risk,coverage,patrol") == ("import", "vehicle", "risk", "coverage", "patrol")
    with pytest.raises(InvalidInput, match="step 'routes' is unknown") as e:
        parse_steps("import,routes")
    assert e.value.field == "steps"
    with pytest.raises(InvalidInput, match="does not exist"):
        parse_region_files([str(tmp_path / "nowhere.osm.pbf")])
    (tmp_path / "a.csv").write_text("x")
    with pytest.raises(InvalidInput, match="not an OSM extract"):
        parse_region_files([str(tmp_path / "a.csv")])
    with pytest.raises(InvalidInput, match="named twice: write NAME=FILE"):
        parse_region_files([str(MONACO), str(MONACO)])
    assert [r.name for r in parse_region_files([str(MONACO), f"Principality={MONACO}"])] == [
        "monaco-2023-12", "Principality"]
    with pytest.raises(InvalidInput, match="workers must be between 1 and 1024"):
        ClusterOptions(workers=0)
    with pytest.raises(InvalidInput, match="tcp://HOST:8786"):
        ClusterOptions(scheduler="10.0.0.5:8786")


@pytest.mark.slow
def test_rerun_replaces_and_never_duplicates(db_url, engine):
    regions = monaco_copies(2)
    first = run_batch(regions, FAST_STEPS, database_url=db_url, cluster=ClusterOptions(sequential=True))
    after_first = counts(db_url)
    second = run_batch(regions, FAST_STEPS, database_url=db_url, cluster=ClusterOptions(sequential=True))
    assert second.hashes() == first.hashes()
    assert counts(db_url) == after_first
    assert after_first["plans"] == {"monaco-a": 1, "monaco-b": 1}  # the earlier batch plan was replaced
    assert after_first["results"] == {"monaco-a": 4, "monaco-b": 4}
    assert after_first["sites"]["monaco-a"] == after_first["sites"]["monaco-b"] > 100


@pytest.mark.slow
def test_worker_killed_mid_run_completes_with_sequential_results(tmp_path):
    """Two worker processes; when the first region finishes, the worker busy with another region is killed
    (SIGKILL by pid). The scheduler runs that region again elsewhere; nothing is missing or doubled."""
    regions = monaco_copies(4)
    seq_url = fresh_sqlite(tmp_path / "sequential.db")
    dist_url = fresh_sqlite(tmp_path / "distributed.db")
    sequential = run_batch(regions, FAST_STEPS, database_url=seq_url, cluster=ClusterOptions(sequential=True))

    state: dict[str, object] = {}

    def on_cluster(client) -> None:
        state["client"] = client
        state["pids"] = client.run(os.getpid)  # worker address -> pid
        with urllib.request.urlopen(client.dashboard_link, timeout=10) as r:  # the dashboard serves (bokeh)
            state["dashboard"] = (client.dashboard_link, r.status, r.read(2000))

    def progress(fraction: float, message: str) -> None:
        if 0 < fraction < 1 and "killed" not in state:
            client = state["client"]
            busy = {w: ts for w, ts in client.processing().items() if ts}
            assert busy, "no worker was busy when the first region finished"
            victim = next(iter(busy))
            os.kill(state["pids"][victim], signal.SIGKILL)
            state["killed"] = (victim, busy[victim])

    rep = run_batch(regions, FAST_STEPS, database_url=dist_url, progress=progress,
                    cluster=ClusterOptions(workers=2, on_cluster=on_cluster, dashboard_address=":0"))
    assert "killed" in state
    assert len(rep.results) == 4 and rep.workers == 2
    link, status, body = state["dashboard"]
    assert rep.dashboard == link and status == 200 and b"Dask" in body  # the link shown is the one that opens
    assert rep.hashes() == sequential.hashes()
    want, got = counts(seq_url), counts(dist_url)
    assert got == want
    assert got["plans"] == {r.name: 1 for r in regions}
    assert got["results"] == {r.name: len(FAST_STEPS) for r in regions}


def test_dashboard_link_is_shown_only_when_it_answers_200():
    """The probe asks for the dashboard's script beside the link (bokeh's static route, mounted only with the
    dashboard); the real scheduler's case is in the worker-kill test above (the link itself answers 200)."""
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200 if self.path in ("/status", "/static/js/bokeh.min.js") else 404)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *_a: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        assert served_dashboard(f"{base}/status") == f"{base}/status"
        assert served_dashboard(f"{base}/plain/status") is None  # 404: a scheduler without bokeh's routes
    finally:
        server.shutdown()
        server.server_close()
    assert served_dashboard(f"{base}/status", timeout_s=1) is None  # nothing listens any more
    assert served_dashboard(None) is None and served_dashboard("tcp://10.0.0.5:8787/status") is None


def test_sqlite_writer_waits_and_retries_when_the_database_is_locked(tmp_path):
    """Another process holds SQLite's write lock longer than the busy timeout: the plain write fails with
    'database is locked'; the same write under retry_locked succeeds once the lock is released."""
    path = tmp_path / "locked.db"
    url = fresh_sqlite(path)
    engine = make_engine(url)

    @event.listens_for(engine, "connect")
    def _short_timeout(dbapi_conn, _record) -> None:  # after make_engine's 10 s: a test must not wait that long
        dbapi_conn.execute("PRAGMA busy_timeout=50")

    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # the write lock, as a long import in another process holds it
    holder.execute("INSERT INTO regions (name, slug, created_at, updated_at) VALUES ('Lock', 'lock', "
                   "'2026-01-01', '2026-01-01')")

    def write() -> int:
        with engine.begin() as c:
            c.execute(text("INSERT INTO regions (name, slug, created_at, updated_at) VALUES ('Other', 'other', "
                           "'2026-01-01', '2026-01-01')"))
        return 1

    with pytest.raises(OperationalError, match="database is locked"):
        write()
    release = threading.Timer(0.6, lambda: holder.execute("COMMIT"))
    release.start()
    t0 = time.perf_counter()
    result, retries = retry_locked(write, base_wait_s=0.1)
    assert result == 1 and retries >= 1 and time.perf_counter() - t0 >= 0.5
    with engine.connect() as c:
        assert sorted(c.scalars(text("SELECT name FROM regions"))) == ["Lock", "Other"]
    holder.close()
    engine.dispose()

    def other_error() -> None:
        raise OperationalError("SELECT 1", {}, Exception("no such table: x"))

    with pytest.raises(OperationalError, match="no such table"):  # only a lock is retried
        retry_locked(other_error)


def test_cli_runs_a_step_and_reports_json(cli_monaco):
    r = CliRunner().invoke(app, ["batch", "run", "--regions", f"Monaco={MONACO}", "--steps", "import", "--sequential",
                                 "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output[r.output.index("{"):])
    assert out["scheduler"] == "sequential" and [x["region"] for x in out["regions"]] == ["Monaco"]
    assert set(out["regions"][0]["hashes"]) == {"import"}
    r = CliRunner().invoke(app, ["batch", "run", "--regions", "nowhere.osm.pbf"])
    assert r.exit_code == 2 and "does not exist" in r.output
