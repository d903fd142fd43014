"""A write that loses to another (SQLite's write lock held past the busy timeout; a PostgreSQL lock timeout) answers
503 "busy" with Retry-After in the usual error shape, not a 500 with a traceback; other database errors stay 500."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from bastion.platform.errors import is_busy


class _PgLockTimeout(Exception):
    sqlstate = "55P03"


def test_busy_errors_are_told_from_other_operational_errors() -> None:
    assert is_busy(OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked")))
    assert is_busy(OperationalError("UPDATE …", {}, _PgLockTimeout("canceling statement due to lock timeout")))
    assert not is_busy(OperationalError("SELECT …", {}, sqlite3.OperationalError("no such table: sites")))


def test_routes_answer_503_busy_or_500(app: FastAPI) -> None:
    def locked() -> None:
        raise OperationalError("INSERT …", {}, sqlite3.OperationalError("database is locked"))

    def broken() -> None:
        raise OperationalError("SELECT …", {}, sqlite3.OperationalError("no such table: sites"))

    app.add_api_route("/api/v1/__test_locked", locked)
    app.add_api_route("/api/v1/__test_broken", broken)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/__test_locked")
        assert r.status_code == 503 and r.headers["retry-after"] == "2"
        assert r.json()["error"]["code"] == "busy" and "nothing was saved" in r.json()["error"]["message"]
        assert c.get("/api/v1/__test_broken").status_code == 500


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # PostgreSQL locks rows: a sign-in waits on no one
def test_sign_in_while_another_process_holds_the_sqlite_write_lock(app: FastAPI, anon_client: TestClient) -> None:
    engine = app.state.engine
    engine.dispose()  # new connections wait 0.2 s for the lock instead of 10 s

    @event.listens_for(engine, "connect")
    def _short(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    other = sqlite3.connect(engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process writing
    try:
        r = anon_client.post("/api/v1/auth/login", json={"login": "nobody", "password": "not the password"})
        assert r.status_code == 503, r.text
        assert r.json()["error"]["code"] == "busy"
    finally:
        other.execute("ROLLBACK")
        other.close()
    r = anon_client.post("/api/v1/auth/login", json={"login": "nobody", "password": "not the password"})
    assert r.status_code == 401  # the lock released: an ordinary answer again
