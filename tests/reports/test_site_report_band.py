"""A site report shows the capacity estimate's band (issue: every estimate keeps a low/central/high band, shown in
the panel, the exports and the reports)."""

from __future__ import annotations

from fastapi.testclient import TestClient

API = "/api/v1"


def test_site_report_states_the_capacity_band(client: TestClient) -> None:
    sites = client.get(f"{API}/sites", params={"region_id": 1, "limit": 500}).json()["items"]
    banded = next(s for s in sites if s["capacity_override"] is None and s["capacity_low"] is not None
                  and s["capacity_high"] is not None and s["capacity_low"] < s["capacity_high"])
    html = client.get(f"{API}/sites/{banded['id']}/report").text
    assert f"band {banded['capacity_low']:,}–{banded['capacity_high']:,} people" in html
    tagged = next(s for s in sites if s["capacity_method"] == "osm_tag")
    assert "band " not in client.get(f"{API}/sites/{tagged['id']}/report").text.split("Capacity", 1)[1][:200]
