"""A process SIGKILLed in the middle of an OSM import leaves the database consistent, and a re-run completes.

`bastion import osm` on the real Andorra extract runs in a subprocess on a SQLite database; it is killed at
random points (seeded): some at random times since start, some at a random moment after its first write to
the database (the write-ahead log changed). After every kill the database passes SQLite's integrity and
foreign-key checks and holds either nothing of Andorra or all of it (one transaction); the last run completes.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import ANDORRA

pytestmark = pytest.mark.slow
SRC = Path(__file__).resolve().parents[2] / "src"
ANDORRA_SITES = 600  # one site per place (615 OSM objects)


def _state(db: Path) -> tuple[int, int, int, int]:
    with sqlite3.connect(db) as c:
        assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert c.execute("PRAGMA foreign_key_check").fetchall() == []
        regions = c.execute("SELECT count(*) FROM regions WHERE name = 'Andorra'").fetchone()[0]
        sites = c.execute("SELECT count(*) FROM sites").fetchone()[0]
        nodes = c.execute("SELECT count(*) FROM road_nodes").fetchone()[0]
        edges = c.execute("SELECT count(*) FROM road_edges").fetchone()[0]
    return regions, sites, nodes, edges


def _wal_signature(db: Path) -> tuple[int, int]:
    wal = db.with_name(db.name + "-wal")
    try:
        st = wal.stat()
    except FileNotFoundError:
        return (0, 0)
    return (st.st_size, st.st_mtime_ns)


def _import(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-m", "bastion.platform.cli", "import", "osm", str(ANDORRA),
                             "--region", "Andorra"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def test_sigkill_during_import_leaves_a_consistent_database(tmp_path: Path) -> None:
    env = {**os.environ, "BASTION_DATA_DIR": str(tmp_path), "PYTHONPATH": str(SRC)}
    env.pop("BASTION_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "bastion.platform.cli", "db", "upgrade"], env=env, check=True,
                   capture_output=True)
    db = tmp_path / "bastion.db"
    rng = np.random.default_rng(20261126)
    log = []
    # "time": a random moment since start (mostly while reading the extract); "write": a random moment after the
    # import opened the database (building and inserting rows); "flush": as soon as pages reach the write-ahead
    # log (the transaction is being written out, just before its commit record)
    for mode in ("write", "flush", "time", "write"):
        p = _import(env)
        if mode == "time":
            time.sleep(float(rng.uniform(1.0, 4.0)))
        else:
            before = _wal_signature(db)
            deadline = time.monotonic() + 60

            def waiting() -> bool:
                now = _wal_signature(db)
                return now == before if mode == "write" else (now == before or now[0] == 0)  # noqa: B023 (called within the iteration)

            while p.poll() is None and waiting() and time.monotonic() < deadline:
                time.sleep(0.002)
            if mode == "write":
                time.sleep(float(rng.uniform(0.0, 0.5)))
        was_running = p.poll() is None
        if was_running:
            p.send_signal(signal.SIGKILL)
        p.wait(timeout=30)
        state = _state(db)
        log.append((mode, was_running, state))
        regions, sites, nodes, edges = state
        assert state == (0, 0, 0, 0) or (regions == 1 and sites == ANDORRA_SITES and nodes > 4000
                                         and edges > 8000), log
        if sites:  # that run committed before the kill: start again from an empty database
            with sqlite3.connect(db) as c:
                c.execute("PRAGMA foreign_keys=ON")
                c.execute("DELETE FROM regions")
            assert _state(db) == (0, 0, 0, 0)
    # at least one kill interrupted a write in progress (the process was writing and nothing was committed)
    assert any(m != "time" and running and st == (0, 0, 0, 0) for m, running, st in log), log
    p = _import(env)
    assert p.wait(timeout=120) == 0, p.stderr.read().decode() if p.stderr else ""
    regions, sites, nodes, edges = _state(db)
    assert regions == 1 and sites == ANDORRA_SITES and nodes > 4000 and edges > 8000
