"""Load test of the board's Server-Sent Events: 50 concurrent signed-in clients on loopback, served by a SEPARATE
uvicorn process; writes made by this test process (another process, as a second app worker or the CLI would)
reach every client within 1 s. Bounded: 50 clients, 3 writes, 30 s at most."""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import service as svc
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.platform import migrate
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user
from tests.conftest import REPO
from tests.conftest import GoldenDatabases
from tests.conftest import _free_port
from tests.incidents.helpers import NOW
from tests.incidents.helpers import open_incident

CLIENTS = 50
WRITES = 3
SERVER = """
import sys, uvicorn
from pathlib import Path
from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
d = Path(sys.argv[1])
s = Settings(data_dir=d, database_url=f"sqlite:///{d / 'bastion.db'}", secret_key=sys.argv[3])
uvicorn.run(create_app(s), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning", limit_concurrency=200)
"""


@pytest.fixture
def server(tmp_path: Path, golden_dbs: GoldenDatabases) -> Iterator[tuple[int, str, sessionmaker[Session]]]:
    golden_dbs.copy_sqlite(tmp_path / "bastion.db")
    eng = make_engine(f"sqlite:///{tmp_path / 'bastion.db'}")
    migrate.upgrade(eng)
    sf = make_session_factory(eng)
    token = make_user(sf, "board-watcher", role="coordinator")
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": f"{REPO / 'src'}{os.pathsep}{REPO}"}
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(tmp_path), str(port), TEST_SECRET], env=env,
                            cwd=REPO)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("GET", "/api/v1/health")
                c.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the SSE test server did not start") from None
                time.sleep(0.1)
        yield port, token, sf
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        eng.dispose()


@pytest.mark.slow
def test_fifty_clients_see_every_change_within_one_second(server: tuple[int, str, sessionmaker[Session]]) -> None:
    port, token, sf = server
    inc = open_incident(sf)
    received: list[list[tuple[float, int]]] = [[] for _ in range(CLIENTS)]
    ready = threading.Barrier(CLIENTS + 1, timeout=20)
    errors: list[BaseException] = []

    def client(i: int) -> None:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
            c.request("GET", "/api/v1/incident-board/stream?max_s=15", headers={"Authorization": f"Bearer {token}"})
            r = c.getresponse()
            assert r.status == 200 and r.getheader("content-type", "").startswith("text/event-stream")
            first = True
            while True:
                line = r.readline()
                if not line:
                    return
                if line.startswith(b"data: "):
                    received[i].append((time.monotonic(), json.loads(line[6:])["changes"]))
                    if first:
                        first = False
                        ready.wait()
                    if len(received[i]) > WRITES:
                        return
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    ready.wait()  # every client connected and got the current counter
    wrote: list[float] = []
    for k in range(WRITES):
        time.sleep(0.3)
        svc.add_note(sf, inc.id, f"update {k}", actor=svc.Actor("test:writer"), now=NOW)  # another process
        wrote.append(time.monotonic())
        time.sleep(1.2)
    for t in threads:
        t.join(timeout=20)
    assert not errors, errors[:3]
    latencies = []
    for got in received:
        assert len(got) == WRITES + 1, got  # the initial counter, then one event per write
        latencies += [t_recv - t_write for (t_recv, _), t_write in zip(got[1:], wrote, strict=True)]
    print(f"SSE load: {CLIENTS} clients, {WRITES} writes from another process: max latency "
          f"{max(latencies) * 1000:.0f} ms, median {sorted(latencies)[len(latencies) // 2] * 1000:.0f} ms")
    assert max(latencies) < 1.0
