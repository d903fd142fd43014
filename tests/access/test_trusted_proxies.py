"""X-Forwarded-For is believed only from configured proxies (security finding 7)."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import AuditLog
from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from bastion.platform.hardening import client_from_forwarded
from bastion.platform.hardening import parse_trusted_proxies
from tests.auth_helpers import TEST_SECRET


def _login_codes(db_url: str, tmp_path: Path, trusted: str) -> list[int]:
    app = create_app(Settings(data_dir=tmp_path, database_url=db_url, secret_key=TEST_SECRET,
                              login_rate_per_minute=3, trusted_proxies=trusted))
    with TestClient(app) as c:  # the TestClient's peer address is "testclient"
        codes = [c.post("/api/v1/auth/login", json={"login": "x", "password": "y"},
                        headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(5)]
    app.state.engine.dispose()
    return codes


def test_rotating_x_forwarded_for_does_not_escape_the_rate_limit(session_factory: sessionmaker[Session],
                                                                  db_url: str, tmp_path: Path) -> None:
    assert _login_codes(db_url, tmp_path, trusted="") == [401, 401, 401, 429, 429]
    with session_factory() as s:
        clients = set(s.scalars(select(AuditLog.client).where(AuditLog.action == "auth.login")))
    assert clients == {"testclient"}  # no forged address in the audit trail


def test_a_configured_proxy_is_believed(session_factory: sessionmaker[Session], db_url: str,
                                        tmp_path: Path) -> None:
    assert _login_codes(db_url, tmp_path, trusted="testclient") == [401] * 5  # five different clients
    with session_factory() as s:
        clients = set(s.scalars(select(AuditLog.client).where(AuditLog.action == "auth.login")))
    assert clients == {f"203.0.113.{i}" for i in range(5)}


def test_right_most_untrusted_hop_is_the_client() -> None:
    trusted = parse_trusted_proxies("10.0.0.0/8, 127.0.0.1")
    assert client_from_forwarded("127.0.0.1", "6.6.6.6, 198.51.100.7, 10.1.2.3", trusted) == "198.51.100.7"
    assert client_from_forwarded("192.0.2.9", "6.6.6.6", trusted) == "192.0.2.9"  # peer is no proxy
    assert client_from_forwarded("127.0.0.1", None, trusted) == "127.0.0.1"
    assert client_from_forwarded("127.0.0.1", "6.6.6.6", parse_trusted_proxies("")) == "127.0.0.1"
