"""Risk and supervision REST API on SQLite and PostgreSQL: tiers, risk, region ranking, map GeoJSON, measures,
threat level, portfolio, a full inspection -> task -> fix -> verify cycle, reports (HTML + PDF), and errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api_fixtures import job_result

API = "/api/v1"


def _stade(client: TestClient) -> int:
    return int(client.get(f"{API}/sites", params={"q": "louis-ii"}).json()["items"][0]["id"])


def test_tiers_risk_region_map_and_reports(client: TestClient, db_url: str) -> None:
    sid = _stade(client)
    tiers = client.get(f"{API}/sites/{sid}/tiers").json()["tiers"]
    assert [(t["standard_id"], t["tier"]) for t in tiers] == [
        ("uk_ppa_2025", "enhanced"), ("us_isc_fsl", "II"), ("cn_key_target", "grade_1")]
    risk = client.get(f"{API}/sites/{sid}/risk").json()
    assert risk["worst_rating"] == "very high" and len(risk["by_threat"]) == 6 and risk["gaps"][0]["measure"]
    night = client.get(f"{API}/sites/{sid}/risk", params={"at": "2026-11-25T03:00"}).json()
    assert night["minute_of_week"] == 2 * 1440 + 180 and night["total_risk"] < risk["total_risk"]  # hours unknown
    region = client.get(f"{API}/regions/1/risk").json()
    assert region["n_sites"] == 153 and sum(map(sum, region["matrix"])) == 153 * 6
    assert region["tier_counts"]["uk_ppa_2025"] == {"enhanced": 19, "standard": 48, "not_in_scope": 86}
    assert region["ranking"][0]["site_id"] == sid and region["ranking"][0]["rank"] == 1
    fc = client.get(f"{API}/regions/1/risk.geojson")
    assert fc.headers["content-type"].startswith("application/geo+json")
    feats = fc.json()["features"]
    assert len(feats) == 153 and feats[0]["properties"]["risk_rating"] == "very high"
    assert {"risk_total", "risk_rank", "tiers"} <= set(feats[0]["properties"])
    assert client.get(f"{API}/sites/{sid}/assessments").json() == {"items": [], "total": 0, "limit": 100,
                                                                   "offset": 0}
    stored = job_result(client, client.post(f"{API}/regions/1/assessments"))
    assert stored["n_sites"] == 153
    rows = client.get(f"{API}/sites/{sid}/assessments").json()["items"]
    assert len(rows) == 6 and rows[0]["standard_versions"]["uk_ppa_2025"] == "2025"
    assert sum(r["risk"] for r in rows) == pytest.approx(risk["total_risk"])
    html = client.get(f"{API}/sites/{sid}/report")
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "Stade Louis-II" in html.text and "<svg" in html.text and "Tiers under three regimes" in html.text
    if db_url.startswith("sqlite"):  # printing is backend-independent: one WeasyPrint run (~2 s) is enough
        pdf = client.get(f"{API}/sites/{sid}/report", params={"format": "pdf"})
        assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    region = client.get(f"{API}/regions/1/report").text
    assert "Monaco" in region and 'aria-label="risk matrix"' in region and "Stade Louis-II" in region
    assert "<script" not in region and "http://" not in region.split("<body>")[0]


def test_measures_threat_level_portfolio_and_errors(client: TestClient) -> None:
    sid = _stade(client)
    before = client.get(f"{API}/sites/{sid}/risk").json()["total_risk"]
    r = client.post(f"{API}/sites/{sid}/measures",
                    json={"kind": "hvm_barrier", "params": {"standard": "ASTM F2656", "rating": "M50-P1"}})
    assert r.status_code == 201 and r.json()["params"] == {"standard": "ASTM F2656", "rating": "M50-P1"}
    assert [m["kind"] for m in client.get(f"{API}/sites/{sid}/measures").json()["items"]] == ["hvm_barrier"]
    assert client.get(f"{API}/sites/{sid}/risk").json()["total_risk"] < before
    bad = client.post(f"{API}/sites/{sid}/measures", json={"kind": "cctv", "params": {"retention_days": "long"}})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "cctv.retention_days"
    bad = client.post(f"{API}/sites/{sid}/measures", json={"kind": "moat"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "kind"
    assert client.delete(f"{API}/sites/{sid}/measures/hvm_barrier").status_code == 204
    assert client.get(f"{API}/sites/999999/risk").status_code == 404
    assert client.get(f"{API}/regions/99/risk").status_code == 404
    r = client.put(
        f"{API}/regions/1/threat-level", json={"uk_threat_level": "SEVERE", "cn_heightened_level": "level_3"}
    )
    assert r.json() == {"region_id": 1, "uk_threat_level": "SEVERE", "cn_heightened_level": "level_3",
                        "scoring_scale": "uk", "scoring_level": "SEVERE", "version": 1}
    assert r.headers["etag"] == '"1"'
    bad = client.put(f"{API}/regions/1/threat-level", json={"uk_threat_level": "HIGH"})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "uk_threat_level"
    r = client.put(f"{API}/sites/{sid}/facts", json={"facts": {"symbolism": 7}})
    assert r.status_code == 422 and r.json()["error"]["field"] == "facts.symbolism"
    p = client.post(f"{API}/regions/1/portfolio", json={"budget": 150000, "max_candidates": 2}).json()
    assert p["exact"]["status"] == "optimal" and p["exact"]["total_cost_eur"] <= 150000
    assert p["exact"]["objective"] >= p["greedy"]["objective"] - 1e-9 and p["difference"] >= -1e-9
    bad = client.post(f"{API}/regions/1/portfolio", json={"budget": -1})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "budget"


def test_inspection_task_fix_verify_cycle(client: TestClient) -> None:
    sid = _stade(client)
    r = client.post(f"{API}/sites/{sid}/inspections", json={"inspector_agency": "Sûreté Publique"})
    assert r.status_code == 201, r.text
    insp = r.json()
    items = [i["item_id"] for i in insp["items"]]
    assert insp["status"] == "open" and "uk_ppa_2025:cctv" in items
    cctv = [k for k in items if k.endswith(":cctv")]
    answers = {k: "fail" if k in cctv else "pass" for k in items}
    bad = client.put(f"{API}/inspections/{insp['id']}/answers", json={"answers": {items[0]: "maybe"}})
    assert bad.status_code == 422 and "answers" in bad.json()["error"]["field"]
    partial = client.post(f"{API}/inspections/{insp['id']}/complete", json={"owner_agency": "Stadium operator"})
    assert partial.status_code == 422 and partial.json()["error"]["field"] == "answers"
    assert client.put(f"{API}/inspections/{insp['id']}/answers", json={"answers": answers}).status_code == 200
    done = client.post(f"{API}/inspections/{insp['id']}/complete",
                       json={"owner_agency": "Stadium operator", "deadline_days": 14}).json()
    assert sorted(done["failed"]) == sorted(cctv) and len(done["tasks_created"]) == len(cctv)
    tasks = client.get(f"{API}/tasks", params={"site_id": sid, "status": "open"}).json()
    assert tasks["total"] == len(cctv)
    tid = done["tasks_created"][0]
    assert client.patch(f"{API}/tasks/{tid}", json={"status": "verified"}).status_code == 409
    assert client.patch(f"{API}/tasks/{tid}", json={"status": "in_progress"}).json()["status"] == "in_progress"
    # the operator installs CCTV with 90-day retention, then marks the task fixed
    client.post(f"{API}/sites/{sid}/measures", json={"kind": "cctv", "params": {"retention_days": 90}})
    assert client.patch(f"{API}/tasks/{tid}", json={"status": "fixed"}).json()["status"] == "fixed"
    re = client.post(f"{API}/sites/{sid}/inspections", json={"inspector_agency": "Sûreté Publique"}).json()
    assert {i["item_id"]: i["suggested"] for i in re["items"]}[cctv[0]] == "pass"
    client.put(f"{API}/inspections/{re['id']}/answers", json={"answers": {i["item_id"]: "pass" for i in re["items"]}})
    done2 = client.post(f"{API}/inspections/{re['id']}/complete", json={"owner_agency": "Stadium operator"}).json()
    assert set(done2["tasks_verified"]) == set(done["tasks_created"]) and done2["tasks_created"] == []
    t = client.get(f"{API}/tasks/{tid}").json()
    assert t["status"] == "verified" and t["verified_by_inspection_id"] == re["id"]
    assert [h["to_status"] for h in t["history"]] == ["open", "in_progress", "fixed", "verified"]
    assert client.get(f"{API}/tasks", params={"site_id": sid, "status": ["open", "in_progress"]}).json()["total"] == 0
    hist = client.get(f"{API}/sites/{sid}/inspections").json()["items"]
    assert [i["id"] for i in hist] == [re["id"], insp["id"]] and {i["status"] for i in hist} == {"completed"}
    assert client.post(f"{API}/inspections/{re['id']}/complete",
                       json={"owner_agency": "Stadium operator"}).status_code == 409
    assert client.get(f"{API}/tasks/999999").status_code == 404
    assert client.get(f"{API}/inspections/999999").status_code == 404
    assert client.post(f"{API}/sites/999999/inspections", json={"inspector_agency": "x"}).status_code == 404
    esc = client.post(f"{API}/tasks/escalate", json={"now": "2026-01-01T00:00:00"})
    assert esc.status_code == 422 and esc.json()["error"]["field"] == "now"
