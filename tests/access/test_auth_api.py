"""Sign-in flows, lockout, rate limit, token expiry and revocation (SQLite + PostgreSQL), on an empty database.
The flows that touch sites (CSRF on a site edit, admin API, body limit, resource guard) are in
test_auth_sites_api.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import ApiToken
from bastion.access.models import AuditLog
from bastion.kernel.errors import InvalidInput
from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from tests.api_fixtures import AuthClient
from tests.auth_helpers import PASSWORD
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user


@pytest.fixture
def app(session_factory: sessionmaker[Session], app_settings: Settings) -> Iterator[FastAPI]:
    """This module's tests need no sites: the app on an empty (migrated) database."""
    a = create_app(app_settings)
    yield a
    a.state.engine.dispose()


def _actions(sf: sessionmaker[Session]) -> list[tuple[str, str, str]]:
    with sf() as s:
        return [(r.actor, r.action, r.outcome) for r in s.scalars(select(AuditLog).order_by(AuditLog.seq))]


def test_anonymous_is_401(anon_client: TestClient) -> None:
    r = anon_client.get("/api/v1/sites")
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "unauthenticated"
    assert anon_client.get("/api/v1/health").status_code == 200  # public
    assert anon_client.get("/api/v1/sites", headers={"Authorization": "Bearer bst_forged"}).status_code == 401
    assert anon_client.get("/api/v1/sites", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_token_login_lockout_and_reenable(anon_client: TestClient, auth_client: AuthClient,
                                          session_factory: sessionmaker[Session]) -> None:
    client = auth_client("admin", None)
    make_user(session_factory, "api-user", role="viewer")
    r = anon_client.post("/api/v1/auth/login", json={"login": "api-user", "password": PASSWORD, "mode": "token"})
    token = r.json()["token"]
    assert token.startswith("bst_") and "set-cookie" not in r.headers
    assert anon_client.get("/api/v1/regions", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    for _ in range(5):
        r = anon_client.post("/api/v1/auth/login", json={"login": "api-user", "password": "wrong password!"})
        assert r.status_code == 401
    r = anon_client.post("/api/v1/auth/login", json={"login": "api-user", "password": PASSWORD})
    assert r.status_code == 401  # locked, even with the right password
    unknown = anon_client.post("/api/v1/auth/login", json={"login": "nobody", "password": PASSWORD})
    assert unknown.json()["error"]["message"] == r.json()["error"]["message"]  # no account enumeration
    uid = next(u["id"] for u in client.get("/api/v1/users").json()["items"] if u["login"] == "api-user")
    assert next(u for u in client.get("/api/v1/users").json()["items"] if u["login"] == "api-user")["locked"]
    assert client.patch(f"/api/v1/users/{uid}", json={"status": "active"}).status_code == 200
    r = anon_client.post("/api/v1/auth/login", json={"login": "api-user", "password": PASSWORD})
    assert r.status_code == 200
    reasons = [r for r in _actions(session_factory) if r[1] == "auth.login" and r[2] == "failure"]
    assert len(reasons) == 7


def test_login_rate_limit(session_factory: sessionmaker[Session], db_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url=db_url, secret_key=TEST_SECRET,
                              login_rate_per_minute=3))
    with TestClient(app) as c:
        codes = [c.post("/api/v1/auth/login", json={"login": "x", "password": "y"}).status_code for _ in range(4)]
    app.state.engine.dispose()
    assert codes == [401, 401, 401, 429]


def test_token_expiry_revocation_and_password_change(auth_client: AuthClient,
                                                     session_factory: sessionmaker[Session]) -> None:
    c = auth_client("analyst", None, login="ana")
    created = c.post("/api/v1/auth/tokens", json={"name": "laptop", "ttl_days": 30})
    assert created.status_code == 201
    t2 = created.json()["token"]
    other = TestClient(c.app, headers={"Authorization": f"Bearer {t2}"})
    assert other.get("/api/v1/regions").status_code == 200
    assert {t["name"] for t in c.get("/api/v1/auth/tokens").json()["items"]} == {"test", "laptop"}
    # revoke
    assert c.delete(f"/api/v1/auth/tokens/{created.json()['id']}").status_code == 204
    assert other.get("/api/v1/regions").status_code == 401
    # expire
    t3 = c.post("/api/v1/auth/tokens", json={"name": "old"}).json()
    with session_factory.begin() as s:
        s.execute(update(ApiToken).where(ApiToken.id == t3["id"])
                  .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)))
    r = TestClient(c.app, headers={"Authorization": f"Bearer {t3['token']}"}).get("/api/v1/regions")
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]
    # changing the password revokes every token, including the one used
    t4 = c.post("/api/v1/auth/tokens", json={"name": "n4"}).json()["token"]
    bad = c.post("/api/v1/auth/password", json={"current_password": "nope nope nope", "new_password": "x" * 12})
    assert bad.status_code == 401
    weak = c.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "aaaaaaaaaaaa"})
    assert weak.status_code == 422 and weak.json()["error"]["field"] == "password"
    ok = c.post("/api/v1/auth/password", json={"current_password": PASSWORD, "new_password": "a new long secret"})
    assert ok.status_code == 200
    assert TestClient(c.app, headers={"Authorization": f"Bearer {t4}"}).get("/api/v1/regions").status_code == 401
    assert c.get("/api/v1/regions").status_code == 401


def test_disabling_a_user_revokes_access(auth_client: AuthClient) -> None:
    client = auth_client("admin", None)
    v = auth_client("viewer", None, login="vic")
    assert v.get("/api/v1/sites").status_code == 200
    uid = next(u["id"] for u in client.get("/api/v1/users").json()["items"] if u["login"] == "vic")
    assert client.patch(f"/api/v1/users/{uid}", json={"status": "disabled"}).json()["status"] == "disabled"
    assert v.get("/api/v1/sites").status_code == 401


def test_production_refuses_the_default_secret(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="BASTION_SECRET_KEY"):
        create_app(Settings(data_dir=tmp_path, env="production"))
    with pytest.raises(InvalidInput, match="BASTION_SECRET_KEY"):
        create_app(Settings(data_dir=tmp_path, env="production", secret_key="short"))
    s = Settings(data_dir=tmp_path, env="production", secret_key="k" * 40)
    assert s.secure_cookies
    create_app(s).state.engine.dispose()


def test_login_from_another_origin_is_refused(anon_client: TestClient, session_factory: sessionmaker[Session]) -> None:
    make_user(session_factory, "org", role="viewer")
    body = {"login": "org", "password": PASSWORD}
    assert anon_client.post("/api/v1/auth/login", json=body, headers={"Origin": "https://evil.example"}
                            ).status_code == 403
    assert anon_client.post("/api/v1/auth/login", json=body, headers={"Origin": "http://testserver"}
                            ).status_code == 200


