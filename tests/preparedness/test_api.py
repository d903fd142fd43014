"""The REST surface: four-eyes approval between two accounts, errors naming the field, the printable plan in
en and zh-CN (HTML and PDF), agency scoping, and the exercise cycle with an iCalendar round trip."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.sites.models import Site
from tests.api_fixtures import AuthClient

API = "/api/v1"
SECTIONS = {p: {"triggers": ["alarm"], "decision_role": "duty_manager", "steps": ["act"]}
            for p in ("evacuation", "invacuation", "lockdown", "communication")}


def _site(sf: sessionmaker[Session]) -> tuple[int, int]:
    with sf() as s:
        site = s.scalar(select(Site).where(Site.name == "Stade Louis-II"))
        assert site is not None
        return site.id, site.region_id


def test_plan_approval_print_and_scope(client: TestClient, auth_client: AuthClient,
                                       monaco_sf: sessionmaker[Session]) -> None:
    sid, _rid = _site(monaco_sf)
    r = client.post(f"{API}/sites/{sid}/emergency-plans",
                    json={"threat": "ied", "sections": {"evacuation": {"decision_role": "Jean Dupont"}}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "sections.evacuation.decision_role"
    p = client.post(f"{API}/sites/{sid}/emergency-plans", json={"threat": "ied", "sections": SECTIONS})
    assert p.status_code == 201, p.text
    pid = p.json()["id"]
    assert client.post(f"{API}/emergency-plans/{pid}/approve").status_code == 409  # its own author
    second = auth_client("coordinator", None, login="second-coordinator")
    ok = second.post(f"{API}/emergency-plans/{pid}/approve")
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    en = client.get(f"{API}/emergency-plans/{pid}/print")
    zh = client.get(f"{API}/emergency-plans/{pid}/print", params={"lang": "zh-CN"})
    assert en.status_code == 200 and "Emergency plan" in en.text and "Lockdown" in en.text
    assert "应急预案" in zh.text and "封闭" in zh.text and "简易爆炸装置" in zh.text
    assert "<script" not in en.text
    pdf = client.get(f"{API}/emergency-plans/{pid}/print", params={"format": "pdf", "lang": "zh-CN"})
    assert pdf.status_code == 200 and pdf.content[:5] == b"%PDF-"
    # an agency member of another agency does not see the operator's plan
    other = auth_client("site_operator", "Monaco", agency="Some hotel", agency_kind="venue_operator")
    assert other.get(f"{API}/emergency-plans/{pid}").status_code == 404
    rd = client.get(f"{API}/sites/{sid}/readiness").json()
    assert rd["level"] == "enhanced" and "ied" in rd["plans"]


def test_exercise_cycle_over_rest(client: TestClient, monaco_sf: sessionmaker[Session]) -> None:
    sid, rid = _site(monaco_sf)
    start = dt.datetime(2027, 5, 4, 10, tzinfo=dt.UTC)
    body = {"name": "Stadium drill", "type": "drill", "start": start.isoformat(),
            "end": (start + dt.timedelta(hours=2)).isoformat(), "site_ids": [sid], "threat": "vehicle_as_weapon",
            "objectives": [{"objective": "Invacuate in 3 min", "capability": "physical_protective_measures"}]}
    e = client.post(f"{API}/regions/{rid}/exercises", json=body)
    assert e.status_code == 201 and e.json()["mode"] == "EXERCISE", e.text
    eid = e.json()["id"]
    bad = client.post(f"{API}/regions/{rid}/exercises", json={**body, "end": start.isoformat()})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "end"
    msel = client.post(f"{API}/exercises/{eid}/msel").json()["msel"]
    assert msel and all(i["mode"] == "EXERCISE" for i in msel)
    r = client.put(f"{API}/exercises/{eid}/evaluation", json={"ratings": {"physical_protective_measures": "U"}})
    assert r.status_code == 200
    assert client.post(f"{API}/exercises/{eid}/finalise").status_code == 409  # U without a corrective action
    aar = {"strengths": ["Quick call"], "improvements": [{
        "capability": "physical_protective_measures", "issue": "Gate left open",
        "corrective_action": "Close gate C on event days", "owner_agency": "Stade operator", "due": "2027-09-01"}]}
    assert client.put(f"{API}/exercises/{eid}/aar", json=aar).status_code == 200
    fin = client.post(f"{API}/exercises/{eid}/finalise")
    assert fin.status_code == 200 and len(fin.json()["task_ids"]) == 1
    cal = client.get(f"{API}/regions/{rid}/exercise-calendar", params={"first_year": 2027, "years": 1}).json()
    assert cal["mode"] == "EXERCISE" and cal["proposals"] and eid in [x["id"] for x in cal["exercises"]]
    ics = client.get(f"{API}/regions/{rid}/exercises.ics")
    assert ics.headers["content-type"].startswith("text/calendar") and b"EXERCISE" in ics.content
    back = client.post(f"{API}/regions/{rid}/exercises.ics", json={"ics": ics.text})
    assert back.status_code == 200 and back.json()["skipped_finalised"] == [eid]
