"""Finding 17: a stranger cannot lock the owner out. Wrong passwords lock the account only for the address that
sent them; the per-account hourly limit spares addresses the owner signed in from; the limits live in the
database, so `bastion serve --workers 4` (four processes) holds them (real server, both backends)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import authn
from bastion.access.errors import Unauthenticated
from bastion.access.models import AuditLog
from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from tests.auth_helpers import PASSWORD
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user

POLICY = authn.Policy(secret_key=TEST_SECRET, max_failures=5, lockout_s=900, account_failures_per_hour=12)
OWNER_HOME, STRANGER = "198.51.100.20", "203.0.113.66"


def _login(sf: sessionmaker[Session], password: str, client: str) -> str:
    try:
        authn.login(sf, POLICY, "owner", password, client=client, mode="token")
    except Unauthenticated:
        return "refused"
    return "ok"


def _reasons(sf: sessionmaker[Session]) -> list[str]:
    with sf() as s:
        return [r.details.get("reason") for r in s.query(AuditLog).filter(AuditLog.action == "auth.login",
                                                                        AuditLog.outcome == "failure")
                .order_by(AuditLog.seq)]


def test_a_strangers_guesses_lock_out_the_stranger_not_the_owner(session_factory: sessionmaker[Session]) -> None:
    make_user(session_factory, "owner", role="viewer")
    assert [_login(session_factory, "guess guess", STRANGER) for _ in range(8)] == ["refused"] * 8
    assert _login(session_factory, PASSWORD, STRANGER) == "refused"  # locked for the stranger's address...
    assert _login(session_factory, PASSWORD, OWNER_HOME) == "ok"  # ...not for the owner's
    assert _reasons(session_factory) == ["bad_password"] * 4 + ["bad_password_locked"] + ["locked"] * 4


def test_distributed_guessing_is_throttled_but_the_owner_still_signs_in(session_factory: sessionmaker[Session]
                                                                        ) -> None:
    make_user(session_factory, "owner", role="viewer")
    assert _login(session_factory, PASSWORD, OWNER_HOME) == "ok"  # the owner's usual address is now known
    # 12 addresses, one guess each: no address reaches its own limit, the account reaches its hourly limit
    for i in range(12):
        assert _login(session_factory, "guess guess", f"192.0.2.{i}") == "refused"
    assert _login(session_factory, PASSWORD, "192.0.2.200") == "refused"  # a new address: throttled
    assert _reasons(session_factory)[-1] == "account_throttled"
    assert _login(session_factory, PASSWORD, OWNER_HOME) == "ok"  # the owner, from a known address: in


def test_api_lockout_per_address(db_url: str, tmp_path: Path, engine: Engine) -> None:
    """Through the API (addresses from a trusted proxy's X-Forwarded-For): the administrator's account cannot
    be locked by someone else."""
    from fastapi.testclient import TestClient

    app = create_app(Settings(data_dir=tmp_path, database_url=db_url, secret_key=TEST_SECRET,
                              trusted_proxies="testclient", login_rate_per_minute=1000))
    make_user(app.state.session_factory, "chief", role="admin")
    with TestClient(app) as c:
        def attempt(password: str, addr: str) -> int:
            return c.post("/api/v1/auth/login", json={"login": "chief", "password": password, "mode": "token"},
                          headers={"X-Forwarded-For": addr}).status_code

        assert [attempt("nope nope", STRANGER) for _ in range(6)] == [401] * 6
        assert attempt(PASSWORD, STRANGER) == 401
        assert attempt(PASSWORD, OWNER_HOME) == 200
        admin = TestClient(app, headers={"Authorization": "Bearer " + c.post(
            "/api/v1/auth/login", json={"login": "chief", "password": PASSWORD, "mode": "token"},
            headers={"X-Forwarded-For": OWNER_HOME}).json()["token"]})
        me = next(u for u in admin.get("/api/v1/users").json()["items"] if u["login"] == "chief")
        assert me["locked"]  # shown to administrators: locked from some address
        assert admin.patch(f"/api/v1/users/{me['id']}", json={"status": "active"}).status_code == 200
        assert attempt(PASSWORD, STRANGER) == 200  # re-enabling clears every lockout
    app.state.engine.dispose()


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
    return [int(x) for x in out.stdout.split()]


def _cpu_ticks(pid: int) -> int:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime + stime


@pytest.mark.slow
def test_rate_limit_holds_across_four_server_processes(db_url: str, tmp_path: Path, engine: Engine) -> None:
    limit, attempts = 12, 48
    with socket_port() as port:
        env = {**os.environ, "BASTION_DATA_DIR": str(tmp_path), "BASTION_DATABASE_URL": db_url,
               "BASTION_SECRET_KEY": TEST_SECRET, "BASTION_LOGIN_RATE_PER_MINUTE": str(limit),
               "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
        proc = subprocess.Popen([sys.executable, "-m", "bastion.platform.cli", "serve", "--workers", "4", "--port",
                                 str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError("the 4-worker server did not start")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200 and len(_children(proc.pid)) >= 4:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        time.sleep(2)  # every worker finishes starting
        workers = _children(proc.pid)
        before = {w: _cpu_ticks(w) for w in workers}

        def attempt(_: int) -> str:
            with httpx.Client(timeout=60) as c:  # a new connection each time: the kernel spreads them over workers
                r = c.post(f"{url}/api/v1/auth/login", json={"login": "nobody", "password": "x"})
            if r.status_code == 429 and "from this address" in r.json()["error"]["message"]:
                return "rate_limited"
            return "checked" if r.status_code in (401, 429) else str(r.status_code)  # 429: argon2 slots busy

        with ThreadPoolExecutor(max_workers=8) as pool:
            codes = Counter(pool.map(attempt, range(attempts)))
        busy = [w for w in workers if _cpu_ticks(w) - before[w] >= 2]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert len(workers) >= 4 and len(busy) >= 2  # the attempts were served by several processes
    # one budget for all processes: exactly `limit` attempts got past the rate limit, the rest were refused by it
    assert codes == {"checked": limit, "rate_limited": attempts - limit}


class socket_port:
    """A free TCP port on 127.0.0.1 (released before the server binds it)."""

    def __enter__(self) -> int:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            return int(s.getsockname()[1])

    def __exit__(self, *exc: object) -> None:
        return None
