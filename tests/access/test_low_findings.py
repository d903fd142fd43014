"""Security finding 22: a token minted tokens of 10 years that survived its own revocation; an admin could
disable the last admin; LIKE wildcards in `q` were not escaped."""

from __future__ import annotations

import datetime as dt

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from bastion.access.models import User
from tests.api_fixtures import AuthClient

API = "/api/v1"


def _expiry(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text)


def test_a_token_minted_by_a_token_dies_with_it(client: TestClient, anon_client: TestClient) -> None:
    parent = client.post(f"{API}/auth/tokens", json={"name": "short", "ttl_days": 2}).json()
    as_parent = {"Authorization": f"Bearer {parent['token']}"}
    child = anon_client.post(f"{API}/auth/tokens", json={"name": "long", "ttl_days": 3650}, headers=as_parent).json()
    assert _expiry(child["expires_at"]) <= _expiry(parent["expires_at"])
    as_child = {"Authorization": f"Bearer {child['token']}"}
    assert anon_client.get(f"{API}/auth/me", headers=as_child).status_code == 200
    assert client.delete(f"{API}/auth/tokens/{parent['id']}").status_code in (200, 204)
    assert anon_client.get(f"{API}/auth/me", headers=as_child).status_code == 401


def test_the_last_admin_cannot_be_disabled_over_the_api(app: FastAPI, auth_client: AuthClient) -> None:
    admin = auth_client("admin", None, login="only-admin")
    with app.state.session_factory() as s:
        me = s.scalar(select(User.id).where(User.login == "only-admin"))
    r = admin.patch(f"{API}/users/{me}", json={"status": "disabled"})
    assert r.status_code == 409 and "last active administrator" in r.text
    other = auth_client("admin", None, login="second-admin")
    assert other.get(f"{API}/auth/me").status_code == 200
    assert admin.patch(f"{API}/users/{me}", json={"status": "disabled"}).status_code == 200  # two: fine


def test_like_wildcards_in_q_are_literal(client: TestClient) -> None:
    everything = client.get(f"{API}/sites", params={"q": "%"}).json()["total"]
    assert everything == 0
    assert client.get(f"{API}/sites", params={"q": "_"}).json()["total"] == 0
    assert client.get(f"{API}/sites", params={"q": "louis-ii"}).json()["total"] >= 1


def test_current_password_guesses_are_limited_and_audited(app: FastAPI, client: TestClient) -> None:
    """Finding 16: unlimited current-password guesses on POST /auth/password."""
    from bastion.access.models import AuditLog

    body = {"current_password": "wrong guess", "new_password": "a brand new horse battery"}
    codes = [client.post(f"{API}/auth/password", json=body).status_code for _ in range(7)]
    assert codes[:5] == [401] * 5 and codes[5:] == [429, 429]
    with app.state.session_factory() as s:
        fails = s.scalars(select(AuditLog).where(AuditLog.action == "auth.password.failure")).all()
    assert len(fails) == 5


def test_sign_ins_in_progress_are_bounded(app: FastAPI, anon_client: TestClient) -> None:
    """Finding 17: parallel anonymous sign-ins each cost a full argon2 hash; now at most 2 per client and 8 in
    all run at once, the rest get 429 at once."""
    from bastion.access.ratelimit import ConcurrencyLimit

    lim = ConcurrencyLimit(2, 3)
    assert lim.acquire("a") and lim.acquire("a") and not lim.acquire("a")  # per client
    assert lim.acquire("b") and not lim.acquire("c")  # in all
    lim.release("a")
    assert lim.acquire("c")
    app.state.login_slots = ConcurrencyLimit(0, 0)  # as if every slot were busy
    r = anon_client.post(f"{API}/auth/login", json={"login": "x", "password": "y", "mode": "token"})
    assert r.status_code == 429


def test_refused_sign_ins_and_exports_are_audited(app: FastAPI, anon_client: TestClient, client: TestClient,
                                                  auth_client: AuthClient) -> None:
    """Finding 10 (part): wrong-Origin and rate-limited sign-ins, task reads and exports left no record."""
    from bastion.access.models import AuditLog

    r = anon_client.post(f"{API}/auth/login", json={"login": "mallory", "password": "x", "mode": "token"},
                         headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    app.state.settings = app.state.settings.model_copy(update={"login_rate_per_minute": 0})  # the next is over
    assert anon_client.post(f"{API}/auth/login", json={"login": "mallory", "password": "x"}).status_code == 429
    assert client.get(f"{API}/sites/export", params={"format": "csv"}).status_code == 200
    admin = auth_client("admin", None, login="auditor")
    assert admin.get(f"{API}/audit/export").status_code == 200
    with app.state.session_factory() as s:
        rows = s.execute(select(AuditLog.actor, AuditLog.action, AuditLog.details)).all()
    reasons = {d.get("reason") for a, act, d in rows if a == "anonymous:mallory" and act == "auth.login"}
    assert reasons == {"origin", "rate_limited"}
    actions = {(a, act) for a, act, _ in rows}
    assert ("user:lead", "read.sites_export.csv") in actions and ("user:auditor", "read.audit_export.json") in actions
