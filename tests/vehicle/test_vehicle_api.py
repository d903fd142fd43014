"""Vehicle REST endpoints on SQLite and PostgreSQL: run, read a site, the region's map layer, errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api_fixtures import job_result


def _casino(client: TestClient) -> int:
    r = client.get("/api/v1/sites", params={"q": "Place du Casino"})
    (site,) = [x for x in r.json()["items"] if x["osm_id"] == "11144655"]
    return int(site["id"])


def test_run_read_and_map_layer(client: TestClient) -> None:
    region = client.get("/api/v1/regions").json()["items"][0]["id"]
    sid = _casino(client)
    rep = job_result(client, client.post(f"/api/v1/regions/{region}/vehicle-assessments",
                                         json={"vehicles": ["car"], "site_ids": [sid]}))
    assert rep["sites_assessed"] == 1 and rep["entry_points"] == 3 and rep["inserted"] == 1
    assert (
        rep["worst"][0]["speed_kph"] == pytest.approx(119.1, abs=0.5) and rep["worst"][0]["status"] == "not_coverable"
    )
    again = job_result(client, client.post(f"/api/v1/regions/{region}/vehicle-assessments",
                                           json={"vehicles": ["car"], "site_ids": [sid]}))
    assert again["rows_changed"] == 0 and again["unchanged"] == 1

    d = client.get(f"/api/v1/sites/{sid}/vehicle", params={"detection_distance_m": 50}).json()
    assert d["assessed"] and "unrated" in d["barrier_note"]
    aps = d["assessments"][0]["approaches"]
    assert [round(a["impact_speed_kph"]) for a in aps] == [119, 60, 47]
    assert aps[1]["needs"][0] == {"standard": "ISO 22343-1", "vehicle_class": "M1", "test_mass_kg": 1500.0,
                                  "test_speed_kph": 64.0, "max_penetration_m": 1.0,
                                  "label": "V/1500[M1]/64 penetration <= 1.0 m", "coverable": True}
    assert aps[0]["path"]["type"] == "LineString" and aps[0]["timing"]["ok"] is False
    assert len(aps[2]["barriers"]) == 7

    fc = client.get(f"/api/v1/regions/{region}/vehicle.geojson")
    assert fc.status_code == 200 and fc.headers["content-type"].startswith("application/geo+json")
    feats = fc.json()["features"]
    paths = [f for f in feats if f["properties"]["feature"] == "approach"]
    assert len(paths) == 3 and paths[0]["geometry"]["type"] == "LineString"
    assert paths[0]["properties"]["impact_speed_kph"] == pytest.approx(119.1, abs=0.5)
    on = [f for f in feats if f["properties"]["feature"] == "barrier" and f["properties"]["on_approach"]]
    assert len(on) == 7 and all(f["properties"]["satisfied"] is False for f in on)
    html = client.get(f"/api/v1/sites/{sid}/vehicle/report")
    assert html.status_code == 200 and "<td>119</td>" in html.text
    assert client.get(f"/api/v1/regions/{region}/vehicle.geojson", params={"vehicle": "hgv"}).json()["features"][0][
        "properties"]["feature"] == "barrier"  # hgv not assessed: only barriers

    # unmet requirements -> rectification tasks (one per entry), idempotent; a certified measure protects
    t = client.post(f"/api/v1/sites/{sid}/vehicle-tasks", json={"owner_agency": "Casino operator", "deadline_days": 14})
    assert t.status_code == 200, t.text
    assert t.json()["gaps"] == 3 and len(t.json()["created"]) == 3 and t.json()["existing"] == []
    t2 = client.post(f"/api/v1/sites/{sid}/vehicle-tasks", json={"owner_agency": "Casino operator"}).json()
    assert t2["created"] == [] and sorted(t2["existing"]) == sorted(t.json()["created"])
    m = client.post(f"/api/v1/sites/{sid}/measures", json={"kind": "hvm_barrier", "params": {
        "standard": "ISO 22343-1", "rating": "V/1500[M1]/64/90:0.6"}})
    assert m.status_code in (200, 201), m.text
    job_result(client, client.post(f"/api/v1/regions/{region}/vehicle-assessments",
                                   json={"vehicles": ["car"], "site_ids": [sid]}))
    aps = client.get(f"/api/v1/sites/{sid}/vehicle").json()["assessments"][0]["approaches"]
    assert [a["status"] for a in aps] == ["not_coverable", "protected", "protected"]
    fc = client.get(f"/api/v1/regions/{region}/vehicle.geojson").json()
    (mb,) = [f["properties"] for f in fc["features"] if f["properties"].get("key", "").startswith("measure:")]
    assert mb["rated"] and mb["rating"] == "V/1500[M1]/64/90:0.6" and mb["standard"] == "ISO 22343-1"
    assert mb["on_approach"] and mb["satisfied"] is False  # not enough on the 119 km/h approach


ERRORS = [  # (method, url, body, status, field); one Monaco import serves every case
    ("post", "/api/v1/regions/999/vehicle-assessments", {"vehicles": ["car"]}, 404, None),
    ("post", "/api/v1/regions/{region}/vehicle-assessments", {"vehicles": ["tank"]}, 422, "vehicles.0"),
    ("post", "/api/v1/regions/{region}/vehicle-assessments", {"vehicles": []}, 422, "vehicles"),
    ("post", "/api/v1/regions/{region}/vehicle-assessments", {"max_distance_m": 5}, 422, "max_distance_m"),
    ("post", "/api/v1/regions/{region}/vehicle-assessments", {"speed": 3}, 422, "speed"),
    ("post", "/api/v1/regions/{region}/vehicle-assessments", {"friction": 0.3}, 422, "friction"),
    ("post", "/api/v1/regions/{region}/vehicle-assessments", {"site_ids": [999999]}, 404, None),
    ("get", "/api/v1/sites/999999/vehicle", None, 404, None),
    ("post", "/api/v1/sites/999999/vehicle-tasks", {"owner_agency": "X"}, 404, None),
    ("post", "/api/v1/sites/{site}/vehicle-tasks", {"deadline_days": 0, "owner_agency": "X"}, 422, "deadline_days"),
    ("post", "/api/v1/sites/{site}/vehicle-tasks", {}, 422, "owner_agency"),
    ("get", "/api/v1/sites/{site}/vehicle?vehicle=bus", None, 422, "vehicle"),
    ("get", "/api/v1/sites/{site}/vehicle?detection_distance_m=-3", None, 422, "detection_distance_m"),
    ("get", "/api/v1/regions/999/vehicle.geojson", None, 404, None),
    ("get", "/api/v1/sites/999999/vehicle/report", None, 404, None),
]


def test_errors_name_the_field(client: TestClient) -> None:
    region = client.get("/api/v1/regions").json()["items"][0]["id"]
    site = _casino(client)
    for method, url, body, status, field in ERRORS:
        r = client.request(method.upper(), url.format(region=region, site=site), json=body)
        assert r.status_code == status, (url, body, r.text)
        err = r.json()["error"]
        assert err["message"] and "Traceback" not in err["message"]
        if field is not None:
            assert err.get("field") == field, (url, body, err)


def test_approach_speeds_are_sensitive(client: TestClient, auth_client, anon_client: TestClient) -> None:  # type: ignore[no-untyped-def]
    """Viewers may list sites but not read approach speeds or gaps; analysts read them, but storing an assessment
    is a write (plan:write): coordinators only (security finding 15)."""
    region = client.get("/api/v1/regions").json()["items"][0]["id"]
    sid = _casino(client)
    viewer = auth_client("viewer", "Monaco")
    analyst = auth_client("analyst", "Monaco")
    assert viewer.get(f"/api/v1/sites/{sid}").status_code == 200
    for url in (f"/api/v1/sites/{sid}/vehicle", f"/api/v1/sites/{sid}/vehicle/report",
                f"/api/v1/regions/{region}/vehicle.geojson"):
        assert viewer.get(url).status_code == 403, url
        assert anon_client.get(url).status_code == 401, url
        assert analyst.get(url).status_code == 200, url
    body = {"vehicles": ["car"], "site_ids": [sid]}
    assert viewer.post(f"/api/v1/regions/{region}/vehicle-assessments", json=body).status_code == 403
    assert analyst.post(f"/api/v1/regions/{region}/vehicle-assessments", json=body).status_code == 403
    assert client.post(f"/api/v1/regions/{region}/vehicle-assessments", json=body).status_code == 202
