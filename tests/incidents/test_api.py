"""The incident REST interface: intake with the PII refusal (422 naming the field), 409 on a stale version,
jurisdiction scoping (another region's user sees 404), mode separation on the board, dispatch, cordon, warnings
with the two-person rule, the report, and the SSE stream."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.regions.repository import RegionRepo
from tests.api_fixtures import AuthClient
from tests.incidents.helpers import CASINO


def _region(app_client: TestClient) -> int:
    sf: sessionmaker[Session] = app_client.app.state.session_factory  # type: ignore[attr-defined]
    with sf() as s:
        return RegionRepo(s).get_by_ref("Monaco").id


def _open(c: TestClient, rid: int, **kw: object) -> dict:
    body = {"region_id": rid, "incident_type": "vehicle_borne_ied", "severity": "severe", "title": "Van at the casino",
            "lon": CASINO[0], "lat": CASINO[1], "casualties": {"urgent": 2}, "device": "sedan", **kw}
    r = c.post("/api/v1/incidents", json=body)
    assert r.status_code == 201, r.text
    return r.json()


def test_intake_edit_and_timeline(client: TestClient) -> None:
    rid = _region(client)
    inc = _open(client, rid)
    r = client.post("/api/v1/incidents", json={"region_id": rid, "incident_type": "arson", "severity": "minor",
                                               "title": "Fire", "lon": 7.42, "lat": 43.73,
                                               "hazards": "caller 07700 900123"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "hazards", r.text
    ok = client.patch(f"/api/v1/incidents/{inc['id']}", json={"version": 1, "severity": "extreme"})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"/api/v1/incidents/{inc['id']}", json={"version": 1, "hazards": "smoke"})
    assert stale.status_code == 409, stale.text
    assert client.post(f"/api/v1/incidents/{inc['id']}/notes", json={"text": "EOD requested"}).status_code == 201
    tl = client.get(f"/api/v1/incidents/{inc['id']}/timeline").json()
    assert [e["kind"] for e in tl["items"]] == ["created", "updated", "note"]
    assert all(e["audit_seq"] > 0 for e in tl["items"])


def test_board_modes_and_scope(client: TestClient, auth_client: AuthClient) -> None:
    rid = _region(client)
    real = _open(client, rid)
    ex = _open(client, rid, mode="exercise")
    board = client.get("/api/v1/incident-board").json()
    ids = [r["incident"]["id"] for r in board["rows"]]
    assert real["id"] in ids and ex["id"] not in ids
    both = client.get("/api/v1/incident-board", params={"modes": ["real", "exercise"]}).json()
    assert ex["id"] in [r["incident"]["id"] for r in both["rows"]]
    viewer = auth_client("viewer", "Monaco")
    assert viewer.get(f"/api/v1/incidents/{real['id']}").status_code == 403
    member = auth_client("agency_member", "Monaco", agency="Police", agency_kind="police")
    assert member.get(f"/api/v1/incidents/{real['id']}").status_code == 200
    assert member.put(f"/api/v1/incidents/{real['id']}/cordon", json={}).status_code == 403  # command
    first = client.get("/api/v1/incident-board/stream", params={"once": True})
    assert first.status_code == 200 and first.headers["content-type"].startswith("text/event-stream")
    assert first.text.startswith("event: change\ndata: {\"changes\": ")


def test_dispatch_cordon_warning_report(client: TestClient, auth_client: AuthClient) -> None:
    rid = _region(client)
    inc = _open(client, rid)
    unit = client.post(f"/api/v1/regions/{rid}/units", json={"unit_type": "special_unit", "name": "SFO 1",
                                                             "lon": 7.4213, "lat": 43.7365}).json()
    rec = client.get(f"/api/v1/incidents/{inc['id']}/recommendation").json()
    assert rec["required_capabilities"] == ["eod"]
    assert unit["id"] in [u["unit_id"] for u in rec["units"]]
    d = client.post(f"/api/v1/incidents/{inc['id']}/dispatch", json={"unit_ids": [unit["id"]]})
    assert d.status_code == 200 and d.json()["items"][0]["status"] == "dispatched", d.text
    st = client.patch(f"/api/v1/units/{unit['id']}/status", json={"version": d.json()["items"][0]["version"],
                                                                  "status": "on_scene"})
    assert st.status_code == 409 and "en_route" in st.text
    c = client.put(f"/api/v1/incidents/{inc['id']}/cordon", json={})
    assert c.status_code == 200 and (c.json()["inner_m"], c.json()["outer_m"]) == (98.0, 580.0)
    w = client.post(f"/api/v1/incidents/{inc['id']}/warnings", json={
        "headline": "Evacuate around Place du Casino", "instruction": "Leave the area now."}).json()
    assert client.post(f"/api/v1/warnings/{w['id']}/approve").status_code == 403  # the drafter
    other = auth_client("coordinator", "Monaco", login="duty-officer")
    pub = other.post(f"/api/v1/warnings/{w['id']}/approve")
    assert pub.status_code == 200 and pub.json()["state"] == "published"
    xml = client.get(f"/api/v1/warnings/{w['id']}/cap")
    assert xml.headers["content-type"].startswith("application/cap+xml") and "<status>Actual</status>" in xml.text
    rep = client.get(f"/api/v1/incidents/{inc['id']}/report")
    assert rep.status_code == 200 and "Situation report" in rep.text
