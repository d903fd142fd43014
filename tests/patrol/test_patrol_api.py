"""Patrol plan REST API: create, read, schedules, exports; 404 and 422 with field names."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bastion.kernel.settings import Settings
from bastion.platform.app import create_app
from tests.api_fixtures import finish_job
from tests.auth_helpers import TEST_SECRET
from tests.auth_helpers import make_user
from tests.patrol_db import monaco_url  # noqa: F401 (fixture)

BODY = {"teams": 2, "shift": "08:00-10:00", "days": 2, "seed": 3, "max_sites": 10, "max_stops": 2}


@pytest.fixture(scope="module")
def api(monaco_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:  # noqa: F811
    app = create_app(Settings(data_dir=Path(tmp_path_factory.mktemp("api")), database_url=monaco_url,
                              secret_key=TEST_SECRET))
    token = make_user(app.state.session_factory, "patrol-lead", role="coordinator")  # every region
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as c:
        yield c
    app.state.engine.dispose()


def _create(api: TestClient, rid: int, body: dict[str, object], *, read: bool = True) -> dict[str, object]:
    """POST a plan (202: a job), wait for the job, read the plan it links (read=False: just its id)."""
    job = finish_job(api, api.post(f"/api/v1/regions/{rid}/patrol-plans", json=body))
    assert job["state"] == "succeeded", job
    result = job["result"]
    assert isinstance(result, dict) and job["result_url"] == f"/api/v1/patrol-plans/{result['plan_id']}"
    if not read:
        return {"id": result["plan_id"]}
    plan: dict[str, object] = api.get(str(job["result_url"])).json()
    return plan


def _region(api: TestClient) -> int:
    return next(r["id"] for r in api.get("/api/v1/regions").json()["items"] if r["name"] == "Monaco")


def test_create_read_schedules_export(api: TestClient) -> None:
    rid = _region(api)
    plan = _create(api, rid, BODY)
    assert plan["region"] == "Monaco" and plan["teams"] == 2 and plan["shift"] == "08:00-10:00"
    assert plan["solver_status"] == "optimal" and plan["attacker_utility"] > 0
    assert plan["parameters"]["dwell_min"] == 10.0 and plan["parameters"]["payoff"] == "capacity"  # not assessed
    pid = plan["id"]
    assert api.get(f"/api/v1/patrol-plans/{pid}").json()["id"] == pid
    assert pid in [p["id"] for p in api.get(f"/api/v1/regions/{rid}/patrol-plans").json()["items"]]
    sch = api.get(f"/api/v1/patrol-plans/{pid}/schedules").json()["items"]
    assert [(s["day"], s["label"]) for s in sch] == [(1, "Team 1"), (1, "Team 2"), (2, "Team 1"), (2, "Team 2")]
    day2 = api.get(f"/api/v1/patrol-plans/{pid}/schedules", params={"day": 2}).json()["items"]
    assert {s["day"] for s in day2} == {2} and day2 == sch[2:]
    stops = [st for s in sch for st in s["stops"]]
    assert stops and all(s["path"] for s in sch if s["stops"])
    assert all("08:00" <= st["arrival"] <= st["departure"] <= "10:00" for st in stops)
    # same body, same schedules
    again = _create(api, rid, BODY)["id"]
    assert api.get(f"/api/v1/patrol-plans/{again}/schedules").json()["items"] == sch

    c = api.get(f"/api/v1/patrol-plans/{pid}/export", params={"format": "csv"})
    assert c.status_code == 200 and c.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(c.text)))
    assert len(rows) == len(stops) and rows[0]["team"] in ("1", "2")
    j = api.get(f"/api/v1/patrol-plans/{pid}/export", params={"format": "json"}).json()
    assert j["plan"]["id"] == pid and len(j["schedules"]) == 4
    h = api.get(f"/api/v1/patrol-plans/{pid}/export", params={"format": "html"})
    assert h.status_code == 200 and "<svg" in h.text and 'class="route"' in h.text and "Team 2" in h.text
    assert "<script" not in h.text and "http://" not in h.text.replace("http://www.w3.org/2000/svg", "")


def test_errors(api: TestClient) -> None:
    rid = _region(api)
    assert api.get("/api/v1/patrol-plans/99999").status_code == 404
    assert api.get("/api/v1/patrol-plans/99999/schedules").status_code == 404
    assert api.post("/api/v1/regions/99999/patrol-plans", json=BODY).json()["error"]["code"] == "not_found"
    for bad, field in (({"teams": 0}, "teams"), ({"shift": "8-16"}, "shift"), ({"bogus": 1}, "bogus"),
                       ({"max_stops": 9}, "max_stops"), ({"teams": 50}, "teams"), ({"payoff": "fear"}, "payoff"),
                       ({"payoff": "risk"}, "payoff")):
        r = api.post(f"/api/v1/regions/{rid}/patrol-plans", json={**BODY, **bad})
        assert r.status_code == 422, (bad, r.text)
        assert r.json()["error"]["field"] == field, r.json()
    r = api.get("/api/v1/patrol-plans/1/export", params={"format": "pdf"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "format"


def test_seed_is_secret_random_and_its_read_audited(api: TestClient, monaco_url: str) -> None:  # noqa: F811
    """Security finding 2: without a seed the plan draws 63 random bits; plan:read alone (an agency member, who
    may not read schedules) never sees the seed, so it cannot rebuild the schedules offline; a reader with
    site:sensitive_read gets it from GET /patrol-plans/{id}, and that read is audited."""
    from sqlalchemy import select

    from bastion.access.models import AuditLog

    rid = _region(api)
    body = {k: v for k, v in BODY.items() if k != "seed"}
    a = _create(api, rid, body, read=False)
    b = _create(api, rid, body, read=False)
    seed_a = api.get(f"/api/v1/patrol-plans/{a['id']}").json()["seed"]
    seed_b = api.get(f"/api/v1/patrol-plans/{b['id']}").json()["seed"]
    assert seed_a != seed_b and max(seed_a, seed_b) >= 2**31  # not 1, not a 31-bit counter (odds 1 in 2^62)
    assert api.get(f"/api/v1/patrol-plans/{a['id']}/schedules").json() != \
        api.get(f"/api/v1/patrol-plans/{b['id']}/schedules").json()

    app = api.app
    sf = app.state.session_factory  # type: ignore[attr-defined]
    token = make_user(sf, "patrol-police", role="agency_member", agency="Police", agency_kind="police")
    member = {"Authorization": f"Bearer {token}"}
    got = api.get(f"/api/v1/patrol-plans/{a['id']}", headers=member)
    assert got.status_code == 200 and got.json()["seed"] is None and "seed" not in got.json()["parameters"]
    listed = api.get(f"/api/v1/regions/{rid}/patrol-plans").json()["items"]
    assert all(p["seed"] is None for p in listed)  # lists never carry seeds, not even for a coordinator
    assert api.get(f"/api/v1/patrol-plans/{a['id']}/schedules", headers=member).status_code in (403, 404)
    with sf() as s:
        reads = s.scalars(select(AuditLog).where(AuditLog.action == "read.patrol_seed",
                                                 AuditLog.object_id == str(a["id"]))).all()
    assert [r.actor for r in reads] == ["user:patrol-lead"]


def test_four_teams_one_day_ten_sites_is_not_a_500(api: TestClient) -> None:
    """Security finding 21: this body answered 500 (a GEOS exception on a one-point route)."""
    plan = _create(api, _region(api), {"teams": 4, "days": 1, "max_sites": 10})
    sch = api.get(f"/api/v1/patrol-plans/{plan['id']}/schedules").json()["items"]
    assert len(sch) == 4 and all(len(p) >= 2 for s in sch for p in s["path"])
