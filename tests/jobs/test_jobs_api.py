"""Jobs over the REST API, on SQLite and PostgreSQL: a job's progress read from its Server-Sent Events stream,
cancel, idempotent re-run, scope (404 outside it) and the audit trail. The app's in-process workers run the jobs
(BASTION_JOB_WORKERS, started with the app like `bastion serve` does)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import service as accounts
from bastion.access.models import AuditLog
from bastion.access.models import User
from bastion.access.policy import Principal
from bastion.jobs import service as svc
from bastion.jobs.models import Job
from bastion.patrol.models import PatrolPlan
from bastion.regions.models import Region
from tests.api_fixtures import AuthClient
from tests.api_fixtures import finish_job
from tests.jobs.kinds import STEPS

API = "/api/v1"
SMALL_PLAN = {"teams": 1, "days": 1, "max_sites": 5, "seed": 11}


def _principal(sf: sessionmaker[Session], login: str) -> Principal:
    with sf() as s:
        u = s.scalar(select(User).where(User.login == login))
        assert u is not None
        return accounts.principal_of(s, u)


def _monaco(sf: sessionmaker[Session]) -> int:
    with sf() as s:
        rid = s.scalar(select(Region.id).where(Region.name == "Monaco"))
    assert rid is not None
    return rid


def _events(client: TestClient, job_id: int) -> list[tuple[str, dict[str, Any]]]:
    """Read the job's event stream to its end: [(event, data), ...]."""
    out: list[tuple[str, dict[str, Any]]] = []
    with client.stream("GET", f"{API}/jobs/{job_id}/events") as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        event = None
        for line in r.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event:
                out.append((event, json.loads(line[6:])))
                if event == "end":
                    break
    return out


def _wait(client: TestClient, job_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 120
    while (job := client.get(f"{API}/jobs/{job_id}").json())["state"] in ("queued", "running"):
        assert time.monotonic() < deadline, job
        time.sleep(0.05)
    return job  # type: ignore[no-any-return]


def _audit(sf: sessionmaker[Session], job_id: int) -> list[tuple[str, str]]:
    """The job's own audit records (creation, outcome, cancel, re-run, result reads; not the request records)."""
    with sf() as s:
        return [(a, actor) for a, actor in s.execute(
            select(AuditLog.action, AuditLog.actor).where(AuditLog.object_type == "job",
                                                          AuditLog.object_id == str(job_id)).order_by(AuditLog.seq))
                if not a.startswith(("POST ", "GET "))]


def test_progress_is_streamed_to_the_end_and_audited(app: FastAPI, client: TestClient) -> None:
    sf = app.state.session_factory
    rid = _monaco(sf)
    job = svc.submit(sf, STEPS, {"n": 4, "sleep_s": 0.55, "region_id": rid}, principal=_principal(sf, "lead"),
                     region_id=rid)
    events = _events(client, job.id)
    progress = [d for e, d in events if e == "progress"]
    fractions = [d["progress"] for d in progress]
    assert fractions == sorted(fractions), fractions  # never backwards
    steps = {d["message"]: d["progress"] for d in progress if d["message"].startswith("step ")}
    # each 0.55 s step is written (throttle 0.5 s) and streamed (poll 0.25 s); the stream may open after step 1
    assert len(steps) >= 2 and {"step 2", "step 3"} <= set(steps), progress
    assert all(frac == int(msg[5:]) / 4 for msg, frac in steps.items()), steps
    assert events[-1][0] == "end" and events[-1][1]["state"] == "succeeded" and events[-1][1]["progress"] == 1.0
    got = client.get(f"{API}/jobs/{job.id}").json()
    assert got["result"] == {"n": 4, "previous": None} and got["result_url"] == f"/api/v1/regions/{rid}"
    assert got["attempts"] == 1 and got["error"] is None and got["finished_at"] >= got["started_at"]
    assert _audit(sf, job.id) == [("job.create", "user:lead"), ("job.succeeded", "user:lead"),
                                  ("read.job_result", "user:lead")]


def test_a_patrol_plan_is_a_job_with_a_result_link(app: FastAPI, client: TestClient) -> None:
    r = client.post(f"{API}/regions/{_monaco(app.state.session_factory)}/patrol-plans", json=SMALL_PLAN)
    assert r.status_code == 202 and r.headers["location"] == f"/api/v1/jobs/{r.json()['id']}"
    assert r.json()["kind"] == "patrol.plan" and r.json()["params"]["options"]["seed"] is None  # never shown back
    events = _events(client, r.json()["id"])
    assert events[-1][1]["state"] == "succeeded", events
    job = client.get(r.headers["location"]).json()
    plan = client.get(job["result_url"])
    assert plan.status_code == 200 and plan.json()["teams"] == 1 and plan.json()["id"] == job["result"]["plan_id"]


def test_cancel_a_running_job(app: FastAPI, client: TestClient) -> None:
    sf = app.state.session_factory
    rid = _monaco(sf)
    job = svc.submit(sf, STEPS, {"n": 200, "sleep_s": 0.05, "region_id": rid}, principal=_principal(sf, "lead"),
                     region_id=rid)
    deadline = time.monotonic() + 30
    while client.get(f"{API}/jobs/{job.id}").json()["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.02)
    r = client.post(f"{API}/jobs/{job.id}/cancel")
    assert r.status_code == 200 and r.json()["cancel_requested"] is True
    done = _wait(client, job.id)
    assert done["state"] == "cancelled" and done["error"]["code"] == "cancelled" and done["progress"] < 1.0
    assert client.post(f"{API}/jobs/{job.id}/cancel").json()["state"] == "cancelled"  # idempotent
    assert [a for a, _ in _audit(sf, job.id)] == ["job.create", "job.cancel", "job.cancelled"]


def test_rerun_is_idempotent_even_after_a_crash_past_the_commit(app: FastAPI, client: TestClient) -> None:
    """Re-running a patrol plan job (same params, the seed fixed when it was queued) stores nothing new: after a
    success, and after a worker that stopped between storing the plan and marking the job (interrupted)."""
    sf = app.state.session_factory
    r = client.post(f"{API}/regions/{_monaco(sf)}/patrol-plans", json={k: v for k, v in SMALL_PLAN.items()
                                                                       if k != "seed"})
    first = finish_job(client, r)
    plan_id = first["result"]["plan_id"]  # type: ignore[index]

    def n_plans() -> int:
        with sf() as s:
            return int(s.scalar(select(func.count()).select_from(PatrolPlan)) or 0)

    before = n_plans()
    again = finish_job(client, client.post(f"{API}/jobs/{first['id']}/rerun"))
    assert again["state"] == "succeeded" and again["result"]["plan_id"] == plan_id  # type: ignore[index]
    assert again["result"]["reused"] is True and again["attempts"] == 2 and n_plans() == before  # type: ignore[index]
    with sf.begin() as s:  # the worker died after the plan's commit, before the job was marked
        s.execute(update(Job).where(Job.id == first["id"]).values(state="interrupted", result=None))
    third = finish_job(client, client.post(f"{API}/jobs/{first['id']}/rerun"))
    assert third["result"]["plan_id"] == plan_id and n_plans() == before  # type: ignore[index]
    assert client.post(f"{API}/jobs/{first['id']}/rerun").status_code == 202
    assert client.post(f"{API}/jobs/{first['id']}/rerun").status_code in (202, 409)  # 409 while queued/running


def test_a_job_is_seen_only_in_its_scope(app: FastAPI, client: TestClient, auth_client: AuthClient) -> None:
    sf = app.state.session_factory
    with sf.begin() as s:
        s.add(Region(name="Otherland", slug="otherland"))
    rid = _monaco(sf)
    job = finish_job(client, client.post(f"{API}/regions/{rid}/patrol-plans", json=SMALL_PLAN))
    other = auth_client("coordinator", "Otherland")  # another region's coordinator
    for method, url in (("GET", f"{API}/jobs/{job['id']}"), ("GET", f"{API}/jobs/{job['id']}/events"),
                        ("POST", f"{API}/jobs/{job['id']}/cancel"), ("POST", f"{API}/jobs/{job['id']}/rerun")):
        assert other.request(method, url).status_code == 404, url
    assert other.get(f"{API}/jobs").json()["total"] == 0
    analyst = auth_client("analyst", "Monaco")  # in the region, but not its job and not a coordinator
    assert analyst.get(f"{API}/jobs/{job['id']}").status_code == 404
    assert analyst.get(f"{API}/jobs").json()["items"] == []
    peer = auth_client("coordinator", "Monaco")  # a coordinator of the region sees every job in it
    assert peer.get(f"{API}/jobs/{job['id']}").json()["result"] == job["result"]
    assert [j["id"] for j in peer.get(f"{API}/jobs", params={"region_id": rid}).json()["items"]] == [job["id"]]
    assert peer.get(f"{API}/jobs", params={"mine": True}).json()["items"] == []
    viewer = auth_client("viewer", "Monaco")
    assert viewer.get(f"{API}/jobs").status_code == 403  # no job:read at all
    with sf() as s:
        denied = s.scalars(select(AuditLog.actor).where(AuditLog.object_type == "job",
                                                        AuditLog.outcome == "denied")).all()
    assert denied  # the refusals are recorded


def test_a_job_runs_with_the_grants_of_its_requester(app: FastAPI, client: TestClient,
                                                     auth_client: AuthClient) -> None:
    """The worker checks the kind's permissions again with the requester's grants: an account without
    analysis:run over the region cannot have its job run by a more powerful worker."""
    sf = app.state.session_factory
    rid = _monaco(sf)
    auth_client("viewer", "Monaco", login="viewer-x")
    job = svc.submit(sf, STEPS, {"n": 1, "region_id": rid}, principal=_principal(sf, "viewer-x"), region_id=rid)
    done = _wait(client, job.id)
    assert done["state"] == "failed" and done["error"]["code"] == "permission_denied"  # type: ignore[index]
    auth_client("coordinator", "Monaco", login="gone")  # may run it, but is deactivated before a worker does
    principal = _principal(sf, "gone")
    with sf.begin() as s:
        s.execute(update(User).where(User.login == "gone").values(status="disabled"))
    job = svc.submit(sf, STEPS, {"n": 1, "sleep_s": 0, "region_id": rid}, principal=principal, region_id=rid)
    done = _wait(client, job.id)
    assert done["state"] == "failed" and "no longer active" in done["error"]["message"]  # type: ignore[index]


@pytest.mark.slow
def test_a_pdf_report_is_a_job_and_its_file_stays_in_scope(app: FastAPI, client: TestClient, db_url: str,
                                                           auth_client: AuthClient) -> None:
    if not db_url.startswith("sqlite"):  # printing is backend-independent: one WeasyPrint run (~2 s) is enough
        return
    sf = app.state.session_factory
    sid = client.get(f"{API}/sites", params={"q": "Stade Louis-II"}).json()["items"][0]["id"]
    job = finish_job(client, client.post(f"{API}/sites/{sid}/report-jobs", json={}))
    assert job["state"] == "succeeded" and job["result_url"] == f"/api/v1/jobs/{job['id']}/file", job
    pdf = client.get(str(job["result_url"]))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert job["result"]["size_bytes"] == len(pdf.content)  # type: ignore[index]
    assert auth_client("analyst", "Monaco").get(str(job["result_url"])).status_code == 404
    assert ("read.job_file", "user:lead") in _audit(sf, int(job["id"]))  # type: ignore[arg-type]
