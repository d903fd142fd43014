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
