"""Security finding 15 (brief item 5): the read-only analyst could overwrite stored risk and vehicle assessments,
and storing a risk assessment was audited as a read. Storing now needs plan:write and is audited as a write."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from bastion.access.models import AuditLog
from bastion.regions.models import Region
from tests.api_fixtures import AuthClient
from tests.api_fixtures import job_result

API = "/api/v1"


def test_analyst_cannot_store_assessments_and_storing_is_audited_as_a_write(app: FastAPI,
                                                                            auth_client: AuthClient) -> None:
    sf = app.state.session_factory
    with sf() as s:
        rid = s.scalar(select(Region.id).where(Region.name == "Monaco"))
    analyst = auth_client("analyst", "Monaco", login="analyst-1")
    assert analyst.get(f"{API}/regions/{rid}/risk", params={"limit": 1}).status_code == 200  # still reads
    r = analyst.post(f"{API}/regions/{rid}/assessments", params={"at": "2030-01-01T00:00:00Z"})
    assert r.status_code == 403 and "plan:write" in r.text
    r = analyst.post(f"{API}/regions/{rid}/vehicle-assessments", json={"vehicles": ["car"], "site_ids": [1]})
    assert r.status_code == 403 and "plan:write" in r.text

    lead = auth_client("coordinator", "Monaco", login="lead-1")
    assert job_result(lead, lead.post(f"{API}/regions/{rid}/assessments"))["n_sites"] == 153
    with sf() as s:
        rows = s.execute(select(AuditLog.action, AuditLog.outcome).where(AuditLog.actor == "user:lead-1")).all()
    assert ("POST /api/v1/regions/{region_id}/assessments", "ok") in rows, rows
    assert ("job.create", "ok") in rows and ("job.succeeded", "ok") in rows, rows  # the job runs as lead-1
