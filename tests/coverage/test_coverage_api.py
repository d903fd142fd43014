"""REST: response units, coverage, placement and isochrones (on SQLite and PostgreSQL, Monaco imported)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api_fixtures import job_result


def test_units_crud(client: TestClient) -> None:
    r = client.get("/api/v1/regions/1/units")
    assert r.status_code == 200 and r.json()["total"] == 11
    r = client.post("/api/v1/regions/1/units", json={"unit_type": "patrol_car", "name": "Patrol car 12",
                                                     "lon": 7.42, "lat": 43.738, "availability": [[0, 600]]})
    assert r.status_code == 201, r.text
    u = r.json()
    assert u["standard_s"] == 180 and u["speed_profile"] == "patrol_car" and u["source"] == "user"
    assert u["snap_osm_node"] is not None and u["snap_distance_m"] <= 250
    r = client.patch(f"/api/v1/units/{u['id']}", json={"lon": 7.425, "lat": 43.73, "standard_s": 60})
    assert r.status_code == 200 and r.json()["snap_osm_node"] != u["snap_osm_node"] and r.json()["standard_s"] == 60
    assert client.delete(f"/api/v1/units/{u['id']}").status_code == 204
    assert client.delete(f"/api/v1/units/{u['id']}").status_code == 404
    assert client.get("/api/v1/regions/1/units").json()["total"] == 11


def test_unit_errors_name_the_field(client: TestClient) -> None:
    for body, field in [
        ({"unit_type": "tank", "name": "X", "lon": 7.42, "lat": 43.73}, "unit_type"),
        ({"unit_type": "post", "name": "X", "lon": 700, "lat": 43.73}, "lon"),
        ({"unit_type": "post", "name": "X", "lon": 7.42, "lat": 43.73, "standard_s": 120}, "standard_s"),
        ({"unit_type": "post", "name": "X", "lon": 7.42, "lat": 43.73, "availability": [[10, 5]]}, "availability"),
        ({"unit_type": "post", "lon": 7.42, "lat": 43.73}, "name"),
    ]:
        r = client.post("/api/v1/regions/1/units", json=body)
        assert r.status_code == 422, body
        assert r.json()["error"]["field"].startswith(field), r.json()
    assert client.post("/api/v1/regions/99/units", json={"unit_type": "post", "name": "X", "lon": 7.42,
                                                         "lat": 43.73}).status_code == 404
    r = client.patch("/api/v1/units/1", json={"lon": 7.42})
    assert r.status_code == 422 and r.json()["error"]["field"] == "lat"
    assert client.patch("/api/v1/units/9999", json={"name": "Y"}).status_code == 404


def test_coverage_and_placement(client: TestClient) -> None:
    r = client.get("/api/v1/regions/1/coverage", params={"standard": "3m"})
    assert r.status_code == 200, r.text
    c = r.json()
    assert c["standard_s"] == 180 and c["n_units"] == 11 and len(c["sites"]) == 133
    assert [(b["standard_s"], b["covered_sites"], round(b["covered_weight"])) for b in c["by_standard"]] == [
        (60, 91, 79307), (180, 127, 107301), (300, 133, 112637)]
    assert len(c["by_standard"][1]["uncovered"]) == 6
    r = client.get("/api/v1/regions/1/coverage", params={"standard": "3 hours"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "standard"
    assert client.get("/api/v1/regions/99/coverage").status_code == 404
    p = job_result(client, client.post("/api/v1/regions/1/coverage/placement", json={"add": 3, "standard_s": 180}))
    assert p["status"] == "optimal" and p["objective"] == 112637 and p["after_sites"] == 133 and len(p["proposed"]) == 3
    a = job_result(client, client.post("/api/v1/regions/1/coverage/placement",
                                       json={"model": "lscp", "standard_s": 60, "apply": True}))
    assert len(a["applied_unit_ids"]) == a["objective"] >= 1  # type: ignore[arg-type]
    assert client.get("/api/v1/regions/1/coverage", params={"standard": "60"}).json()["by_standard"][0][
        "covered_sites"] == a["after_sites"]
    r = client.post("/api/v1/regions/1/coverage/placement", json={"add": 3, "model": "nope"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "model"


def test_weight_basis(client: TestClient) -> None:
    r = client.get("/api/v1/regions/1/coverage", params={"weight": "sites"})
    assert r.status_code == 200 and r.json()["weight_basis"] == "sites"
    assert [b["covered_weight"] for b in r.json()["by_standard"]] == [91, 127, 133]
    r = client.get("/api/v1/regions/1/coverage", params={"weight": "risk"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "weight" and "risk assess" in r.text
    p = job_result(client, client.post("/api/v1/regions/1/coverage/placement",
                                       json={"add": 1, "standard_s": 60, "weight": "sites"}))
    assert p["weight_basis"] == "sites" and p["status"] == "optimal"
    assert p["objective"] == p["after_sites"] > p["before_sites"] == 91  # type: ignore[operator]
    assert client.get("/api/v1/regions/1/coverage", params={"weight": "people"}).status_code == 422


def test_isochrones(client: TestClient) -> None:
    r = client.get("/api/v1/regions/1/isochrones.geojson", params={"unit_id": 1})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    f = r.json()["features"]
    assert [x["properties"]["limit_s"] for x in f] == [60, 180, 300]
    assert all(x["geometry"]["type"] in ("Polygon", "MultiPolygon") for x in f)
    r = client.get("/api/v1/regions/1/isochrones.geojson", params={"limits": "60,abc"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "limits"
    assert client.get("/api/v1/regions/1/isochrones.geojson", params={"unit_id": 999}).status_code == 404


def test_what_if(client: TestClient) -> None:
    r = client.post("/api/v1/regions/1/coverage/what-if", json={"remove": [1, 2, 3, 4, 5]})
    assert r.status_code == 200, r.text
    w = r.json()
    assert (w["n_units_before"], w["n_units_after"]) == (11, 6)
    assert [b["covered_sites"] for b in w["before"]] == [91, 127, 133]
    assert all(a["covered_sites"] <= b["covered_sites"] for a, b in zip(w["after"], w["before"], strict=True))
    r = client.post("/api/v1/regions/1/coverage/what-if", json={"add": [{"lon": 7.4255354, "lat": 43.7310263}]})
    assert r.json()["after"][1]["covered_sites"] >= 127
    r = client.post("/api/v1/regions/1/coverage/what-if", json={"move": [{"unit_id": 999, "lon": 7.42, "lat": 43.73}]})
    assert r.status_code == 422 and r.json()["error"]["field"] == "unit_id"
