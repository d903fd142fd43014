"""Security finding 12: anyone could add unlimited audit rows, with newlines in the action field. Unauthenticated
requests now have a per-client and a global budget of audit records a minute, and control characters in any
field are stored escaped (one record, one line)."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select

from bastion.access.models import AuditLog
from bastion.access.ratelimit import ANONYMOUS_AUDIT_PER_CLIENT_PER_MINUTE


def _anonymous_rows(app: FastAPI) -> list[AuditLog]:
    with app.state.session_factory() as s:
        return list(s.scalars(select(AuditLog).where(AuditLog.actor == "anonymous")))


def test_anonymous_requests_cannot_flood_the_audit_trail(app: FastAPI, anon_client: TestClient,
                                                         client: TestClient) -> None:
    for i in range(ANONYMOUS_AUDIT_PER_CLIENT_PER_MINUTE + 40):
        r = anon_client.post(f"/api/v1/nope%0A%0DFORGED%20record%20{i}", json={})
        assert r.status_code in (401, 404)
    rows = _anonymous_rows(app)
    assert 0 < len(rows) <= ANONYMOUS_AUDIT_PER_CLIENT_PER_MINUTE
    assert all("\n" not in r.action and "\r" not in r.action for r in rows)
    assert any("\\x0a" in r.action for r in rows)
    # signed-in writes are still all recorded
    with app.state.session_factory() as s:
        before = s.scalar(select(func.count()).select_from(AuditLog))
    for _ in range(3):
        client.post("/api/v1/tasks/escalate", json={})
    with app.state.session_factory() as s:
        assert s.scalar(select(func.count()).select_from(AuditLog)) == before + 3
