"""REST API for regions and sites, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fastapi.testclient import TestClient


def region_id(client: TestClient) -> int:
    body = client.get("/api/v1/regions").json()
    assert body["total"] == 1 and body["items"][0]["name"] == "Monaco"
    assert body["items"][0]["site_count"] == 153  # one site per place (164 OSM objects)
    return int(body["items"][0]["id"])


def test_list_filter_paginate(client: TestClient) -> None:
    rid = region_id(client)
    r = client.get("/api/v1/sites", params={"region_id": rid, "category": "health", "limit": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["total"] == 6 and len(body["items"]) == 5
    assert {i["category"] for i in body["items"]} == {"health"}
    page2 = client.get("/api/v1/sites", params={"region_id": rid, "category": "health", "limit": 5, "offset": 5}).json()
    assert len(page2["items"]) == 1
    assert not {i["id"] for i in body["items"]} & {i["id"] for i in page2["items"]}
    q = client.get("/api/v1/sites", params={"q": "louis-ii"}).json()  # punctuation folded: the school gym too
    assert [i["name"] for i in q["items"]] == ["Stade Louis-II", "GYMNASE SCOLAIRE LOUIS II"]
    assert (
        q["items"][0]["capacity"] == 18523
        and q["items"][0]["capacity_low"] == 18523
        and q["items"][0]["geometry"]["type"] == "Polygon"
    )


def test_bbox_and_geojson(client: TestClient) -> None:
    # Fontvieille, around Stade Louis-II
    r = client.get("/api/v1/sites", params={"bbox": "7.410,43.724,7.420,43.730", "format": "geojson", "limit": 5000})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection" and fc["total"] == len(fc["features"]) > 0
    names = {f["properties"]["name"] for f in fc["features"]}
    assert "Stade Louis-II" in names and "Casino de Monte Carlo" not in names
    for f in fc["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert f["geometry"]["type"] == "Point"


def test_roads_boundary_meta(client: TestClient) -> None:
    rid = region_id(client)
    roads = client.get(f"/api/v1/regions/{rid}/roads").json()
    assert roads["type"] == "FeatureCollection" and 900 < len(roads["features"]) <= 1913
    b = client.get(f"/api/v1/regions/{rid}/boundary").json()
    assert b["geometry"]["type"] in ("Polygon", "MultiPolygon")
    meta = client.get("/api/v1/meta").json()
    assert [c["id"] for c in meta["categories"]][:2] == ["transport", "retail"]
    assert client.get("/docs").status_code == 200 and "/api/v1/sites" in client.get("/openapi.json").json()["paths"]


def test_errors_are_clear(client: TestClient) -> None:
    r = client.get("/api/v1/sites/999999")
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    r = client.get("/api/v1/sites", params={"category": "casinos"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "category"
    r = client.get("/api/v1/sites", params={"bbox": "1,2,3"})
    assert r.status_code == 422 and r.json()["error"]["field"] == "bbox"
    r = client.get("/api/v1/sites", params={"limit": 0})
    assert r.status_code == 422 and r.json()["error"]["field"] == "limit"
    r = client.get("/api/v1/sites", params={"q": "'; DROP TABLE sites; --"})
    assert r.status_code == 200 and r.json()["total"] == 0
    assert client.get("/api/v1/regions/42/roads").status_code == 404


def test_patch_site(client: TestClient) -> None:
    sid = client.get("/api/v1/sites", params={"q": "Louis-II"}).json()["items"][0]["id"]
    r = client.patch(f"/api/v1/sites/{sid}", json={"capacity_override": 15000, "notes": "Match days only"})
    assert r.status_code == 200 and r.json()["capacity"] == 15000 and r.json()["capacity_estimated"] == 18523
    r = client.patch(f"/api/v1/sites/{sid}", json={"notes": None})
    assert r.json()["notes"] is None and r.json()["capacity_override"] == 15000  # omitted field unchanged
    bad = client.patch(f"/api/v1/sites/{sid}", json={"capacity_override": -5})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "capacity_override"
    bad = client.patch(f"/api/v1/sites/{sid}", json={"category": "venue"})
    assert bad.status_code == 422
    bad = client.patch(f"/api/v1/sites/{sid}", json={"capacity_override": "many"})
    assert bad.status_code == 422
    assert client.get(f"/api/v1/sites/{sid}").json()["capacity"] == 15000


def test_exports(client: TestClient, tmp_path: Path) -> None:
    rid = region_id(client)
    r = client.get("/api/v1/sites/export", params={"format": "csv", "region_id": rid})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) == 153 and rows[0]["wkt"] and rows[0]["osm_members"]
    assert all(int(r["capacity_low"]) <= int(r["capacity"]) <= int(r["capacity_high"]) for r in rows if r["capacity"])
    gj = client.get("/api/v1/sites/export", params={"format": "geojson", "category": "health"}).json()
    assert len(gj["features"]) == 6 and "capacity_high" in gj["features"][0]["properties"]
    g = client.get("/api/v1/sites/export", params={"format": "gpkg"})
    out = tmp_path / "sites.gpkg"
    out.write_bytes(g.content)
    import pyogrio

    info = pyogrio.read_info(out, layer="sites")
    assert info["features"] == 153 and info["crs"] == "EPSG:4326"
    assert client.get("/api/v1/sites/export", params={"format": "shp"}).status_code == 422


def test_search_ranks_by_relevance_then_capacity(client: TestClient) -> None:
    # both names hold the words "Louis II"; the stadium (18,523) before the school gym, not alphabetically
    q = client.get("/api/v1/sites", params={"q": "Louis II"}).json()
    names = [i["name"] for i in q["items"]]
    assert names[0] == "Stade Louis-II" and "GYMNASE SCOLAIRE LOUIS II" in names
    # an exact name first, then names starting with the text, then a word inside
    q = client.get("/api/v1/sites", params={"q": "Place du Casino"}).json()
    assert q["items"][0]["name"] == "Place du Casino"
    q = client.get("/api/v1/sites", params={"q": "casino"}).json()
    names = [i["name"] for i in q["items"]]
    assert names[0].lower().startswith("casino") and all("casino" in n.lower() for n in names)
    # a merged place lists every OSM object it stands for
    notari = client.get("/api/v1/sites", params={"q": "Rue Louis Notari"}).json()["items"]
    assert len(notari) == 1 and len(notari[0]["osm_members"]) == 3
