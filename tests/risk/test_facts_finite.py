"""Security finding 20: Infinity and NaN were accepted and stored in site facts."""

from __future__ import annotations

from fastapi.testclient import TestClient

API = "/api/v1"


def test_infinity_and_nan_are_refused_in_facts(client: TestClient) -> None:
    sid = client.get(f"{API}/sites", params={"q": "louis-ii"}).json()["items"][0]["id"]
    before = client.get(f"{API}/sites/{sid}/facts").json()["facts"]
    for literal in ("Infinity", "-Infinity", "NaN"):
        r = client.put(f"{API}/sites/{sid}/facts", content=f'{{"facts": {{"symbolism": {literal}}}}}',
                       headers={"Content-Type": "application/json"})
        assert r.status_code == 422, (literal, r.text)
        assert r.json()["error"]["field"] == "facts.symbolism"
    assert client.get(f"{API}/sites/{sid}/facts").json()["facts"] == before
