"""Sign-in flows, CSRF, lockout, rate limit, token expiry and revocation, audit records (SQLite + PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from bastion.api.app import create_app
from bastion.config import Settings
from bastion.db.auth_models import ApiToken, AuditLog
from bastion.errors import InvalidInput
from bastion.services import audit
from tests.api.conftest import AuthClient
from tests.auth_helpers import PASSWORD, TEST_SECRET, make_user


def _louis(c: TestClient) -> int:
    return int(c.get("/api/v1/sites", params={"q": "Louis-II"}).json()["items"][0]["id"])


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


def test_cookie_session_with_csrf(anon_client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    make_user(monaco_sf, "duty", role="coordinator")
    c = anon_client
    r = c.post("/api/v1/auth/login", json={"login": "duty", "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookies = r.headers.get_list("set-cookie")
    session = next(x for x in cookies if x.startswith("bastion_session="))
    assert "HttpOnly" in session and "SameSite=lax" in session and "Path=/" in session
    csrf = r.json()["csrf_token"]
    assert any(x.startswith(f"bastion_csrf={csrf}") and "HttpOnly" not in x for x in cookies)
    assert r.json()["me"]["user"]["login"] == "duty" and "site:edit" in r.json()["me"]["permissions"]
    sid = _louis(c)  # reads need no CSRF header
    bad = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x"})
    assert bad.status_code == 403 and "X-CSRF-Token" in bad.json()["error"]["message"]
    bad = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x"}, headers={"X-CSRF-Token": "csrf_wrong"})
    assert bad.status_code == 403
    assert c.get(f"/api/v1/sites/{sid}").json()["notes"] is None  # nothing written
    ok = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x"}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200 and ok.json()["notes"] == "x"
    assert c.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert c.get("/api/v1/sites").status_code == 401
    acts = _actions(monaco_sf)
    assert ("user:duty", "auth.login", "ok") in acts
    assert ("user:duty", "PATCH /api/v1/sites/{site_id}", "denied") in acts
    assert ("user:duty", "PATCH /api/v1/sites/{site_id}", "ok") in acts
    assert ("user:duty", "auth.logout", "ok") in acts


def test_token_login_lockout_and_reenable(anon_client: TestClient, auth_client: AuthClient,
                                          monaco_sf: sessionmaker[Session]) -> None:
    client = auth_client("admin", None)
    make_user(monaco_sf, "api-user", role="viewer")
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
    uid = next(u["id"] for u in client.get("/api/v1/users").json() if u["login"] == "api-user")
    assert next(u for u in client.get("/api/v1/users").json() if u["login"] == "api-user")["locked"]
    assert client.patch(f"/api/v1/users/{uid}", json={"status": "active"}).status_code == 200
    r = anon_client.post("/api/v1/auth/login", json={"login": "api-user", "password": PASSWORD})
    assert r.status_code == 200
    reasons = [r for r in _actions(monaco_sf) if r[1] == "auth.login" and r[2] == "failure"]
    assert len(reasons) == 7


def test_login_rate_limit(monaco_sf: sessionmaker[Session], db_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url=db_url, secret_key=TEST_SECRET,
                              login_rate_per_minute=3))
    with TestClient(app) as c:
        codes = [c.post("/api/v1/auth/login", json={"login": "x", "password": "y"}).status_code for _ in range(4)]
    app.state.engine.dispose()
    assert codes == [401, 401, 401, 429]


def test_token_expiry_revocation_and_password_change(auth_client: AuthClient,
                                                     monaco_sf: sessionmaker[Session]) -> None:
    c = auth_client("analyst", "Monaco", login="ana")
    created = c.post("/api/v1/auth/tokens", json={"name": "laptop", "ttl_days": 30})
    assert created.status_code == 201
    t2 = created.json()["token"]
    other = TestClient(c.app, headers={"Authorization": f"Bearer {t2}"})
    assert other.get("/api/v1/regions").status_code == 200
    assert {t["name"] for t in c.get("/api/v1/auth/tokens").json()} == {"test", "laptop"}
    # revoke
    assert c.delete(f"/api/v1/auth/tokens/{created.json()['id']}").status_code == 204
    assert other.get("/api/v1/regions").status_code == 401
    # expire
    t3 = c.post("/api/v1/auth/tokens", json={"name": "old"}).json()
    with monaco_sf.begin() as s:
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
    v = auth_client("viewer", "Monaco", login="vic")
    assert v.get("/api/v1/sites").status_code == 200
    uid = next(u["id"] for u in client.get("/api/v1/users").json() if u["login"] == "vic")
    assert client.patch(f"/api/v1/users/{uid}", json={"status": "disabled"}).json()["status"] == "disabled"
    assert v.get("/api/v1/sites").status_code == 401


def test_admin_api_and_audit(auth_client: AuthClient, monaco_sf: sessionmaker[Session]) -> None:
    admin = auth_client("admin", None, login="root")
    ag = admin.post("/api/v1/agencies", json={"name": "Fire brigade", "kind": "fire"})
    assert ag.status_code == 201
    assert admin.post("/api/v1/agencies", json={"name": "Fire brigade", "kind": "fire"}).status_code == 409
    assert admin.post("/api/v1/agencies", json={"name": "X", "kind": "army"}).status_code == 422
    u = admin.post("/api/v1/users", json={"login": "fire-1", "display_name": "Duty desk",
                                          "agency_id": ag.json()["id"], "password": PASSWORD})
    assert u.status_code == 201, u.text
    uid = u.json()["id"]
    rid = admin.get("/api/v1/regions").json()["items"][0]["id"]
    g = admin.post(f"/api/v1/users/{uid}/grants", json={"role": "agency_member", "region_id": rid})
    assert g.status_code == 201 and g.json()["grants"][0]["region_name"] == "Monaco"
    bad = admin.post(f"/api/v1/users/{uid}/grants", json={"role": "admin", "region_id": rid})
    assert bad.status_code == 422 and "system-wide" in bad.json()["error"]["message"]
    assert admin.get("/api/v1/sites").status_code == 403  # admin alone sees no site data
    gid = g.json()["grants"][0]["id"]
    assert admin.delete(f"/api/v1/users/{uid}/grants/{gid}").json()["grants"] == []
    v = admin.get("/api/v1/audit/verify").json()
    assert v["ok"] and v["checked"] > 5
    items = admin.get("/api/v1/audit", params={"limit": 1000}).json()["items"]
    acts = {(i["actor"], i["action"], i["outcome"]) for i in items}
    assert ("user:root", "GET /api/v1/sites", "denied") in acts
    assert ("user:root", "user.grant", "ok") in acts and ("user:root", "agency.create", "ok") in acts
    # every record of the admin's requests names where it came from (the fixture's token was made in-process)
    assert all(i["client"] == "testclient" for i in items if i["actor"] == "user:root"
               and i["action"] != "auth.token.create")
    csv_text = admin.get("/api/v1/audit/export", params={"format": "csv"}).text
    assert csv_text.splitlines()[0].startswith("seq,at,actor,action")
    with monaco_sf() as s:
        assert audit.verify(s).ok


def test_body_size_limit(monaco_sf: sessionmaker[Session], db_url: str, tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url=db_url, secret_key=TEST_SECRET,
                              max_body_bytes=4096))
    token = make_user(monaco_sf, "big", role="coordinator")
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        sid = _louis(c)
        r = c.patch(f"/api/v1/sites/{sid}", json={"notes": "x" * 5000})
        assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"

        def chunks():  # no Content-Length: the limit applies while streaming
            for _ in range(10):
                yield b"x" * 1000

        r = c.patch(f"/api/v1/sites/{sid}", content=chunks(), headers={"Content-Type": "application/json"})
        assert r.status_code == 413
        assert c.get(f"/api/v1/sites/{sid}").json()["notes"] is None
    app.state.engine.dispose()


def test_production_refuses_the_default_secret(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="BASTION_SECRET_KEY"):
        create_app(Settings(data_dir=tmp_path, env="production"))
    with pytest.raises(InvalidInput, match="BASTION_SECRET_KEY"):
        create_app(Settings(data_dir=tmp_path, env="production", secret_key="short"))
    s = Settings(data_dir=tmp_path, env="production", secret_key="k" * 40)
    assert s.secure_cookies
    create_app(s).state.engine.dispose()
