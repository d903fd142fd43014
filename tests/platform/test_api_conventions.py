"""REST conventions over the Monaco app: one page envelope and its bounds, neutral error messages (no CLI
commands or flags for an HTTP client), and CSV exports whose every row has the header's column count."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient

from bastion.kernel.pagination import DEFAULT_LIMIT
from bastion.kernel.pagination import MAX_LIMIT
from tests.api_fixtures import AuthClient
from tests.api_fixtures import job_result

API = "/api/v1"


def _neutral(r: object, status: int) -> str:
    assert r.status_code == status, r.text  # type: ignore[attr-defined]
    msg: str = r.json()["error"]["message"]  # type: ignore[attr-defined]
    assert "bastion " not in msg and " --" not in msg and "`" not in msg, msg
    return msg


def test_errors_never_name_a_command(client: TestClient, auth_client: AuthClient) -> None:
    assert "region 999999 does not exist" in _neutral(client.get(f"{API}/regions/999999"), 404)
    assert "region 999999" in _neutral(client.get(f"{API}/regions/999999/units"), 404)
    _neutral(client.get(f"{API}/patrol-plans/99999"), 404)
    # weight=risk before the region has a stored assessment: refused, with a remedy in words an API client can use
    msg = _neutral(client.get(f"{API}/regions/1/coverage", params={"weight": "risk"}), 422)
    assert "no stored risk assessments" in msg and "weight capacity or sites" in msg
    msg = _neutral(client.post(f"{API}/regions/1/coverage/placement",
                               json={"add": 1, "standard_s": 60, "weight": "risk"}), 422)
    assert "risk assessment" in msg
    msg = _neutral(client.post(f"{API}/regions/1/patrol-plans",
                               json={"teams": 1, "days": 1, "max_sites": 5, "payoff": "risk"}), 422)
    assert "payoff" in msg
    admin = auth_client("admin", None)
    _neutral(admin.get(f"{API}/users/99999"), 404)
    _neutral(admin.post(f"{API}/users", json={"login": "someone", "display_name": "S", "agency_id": 99999,
                                              "password": "correct horse battery staple"}), 404)


def test_every_list_is_one_page_envelope(client: TestClient) -> None:
    r = client.get(f"{API}/regions").json()
    assert set(r) == {"items", "total", "limit", "offset"} and (r["limit"], r["offset"]) == (DEFAULT_LIMIT, 0)
    full = client.get(f"{API}/sites", params={"region_id": 1, "limit": 10}).json()
    page = client.get(f"{API}/sites", params={"region_id": 1, "limit": 3, "offset": 2}).json()
    assert (page["limit"], page["offset"], page["total"]) == (3, 2, full["total"])
    assert [s["id"] for s in page["items"]] == [s["id"] for s in full["items"][2:5]]
    all_units = client.get(f"{API}/regions/1/units").json()
    n = all_units["total"]
    assert n == len(all_units["items"]) >= 2
    last = client.get(f"{API}/regions/1/units", params={"limit": 1, "offset": n - 1}).json()
    assert last["items"] == all_units["items"][-1:] and last["total"] == n
    assert client.get(f"{API}/regions/1/units", params={"offset": n}).json()["items"] == []
    for params in ({"limit": 0}, {"limit": MAX_LIMIT + 1}, {"offset": -1}, {"limit": "many"}):
        r = client.get(f"{API}/regions", params=params)
        assert r.status_code == 422 and r.json()["error"]["field"] in ("limit", "offset"), (params, r.text)


def _rectangular(text: str) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) >= 2, text[:200]
    width = {len(r) for r in rows}
    assert width == {len(rows[0])}, f"column counts {sorted(width)} for a {len(rows[0])}-column header"
    return rows


def test_csv_exports_have_the_header_width(client: TestClient, auth_client: AuthClient) -> None:
    _rectangular(client.get(f"{API}/sites/export", params={"format": "csv", "region_id": 1}).text)
    plan = job_result(client, client.post(f"{API}/regions/1/patrol-plans", json={"teams": 1, "days": 1,
                                                                               "max_sites": 5}))
    rows = _rectangular(client.get(f"{API}/patrol-plans/{plan['plan_id']}/export", params={"format": "csv"}).text)
    assert rows[0][:3] == ["plan_id", "day", "team"] and "extra" in rows[0]
    admin = auth_client("admin", None)
    _rectangular(admin.get(f"{API}/audit/export", params={"format": "csv"}).text)


def test_meta_serves_every_vocabulary_from_one_source(anon_client: TestClient) -> None:
    from bastion.algorithms.routing import PROFILES
    from bastion.algorithms.vehicle import VEHICLES
    from bastion.patrol import render as patrol_render
    from bastion.reports import service as reports
    from bastion.risk.enums import RATING_COLOURS
    from bastion.units import service as units

    m = anon_client.get(f"{API}/meta").json()
    v = m["vocabularies"]
    assert v["speed_profiles"] == list(PROFILES) and v["vehicle_classes"] == list(VEHICLES)
    assert v["unit_types"] == list(units.UNIT_TYPES) and v["weight_bases"] == ["sites", "capacity", "risk"]
    assert m["response_standards_s"] == list(units.STANDARDS_S) == [60, 180, 300] and m["default_standard_s"] == 180
    assert [c["key"] for c in m["vehicle_classes"]] == list(VEHICLES) and m["speed_bins_kph"][0] == 16
    assert m["rating_colours"] == RATING_COLOURS and set(m["rating_colours"]) == set(v["ratings"])
    assert reports.RATING_COLOURS is RATING_COLOURS  # the PDF and the map share one palette
    assert m["team_colours"] == list(patrol_render.COLOURS)
    assert m["page"] == {"default_limit": DEFAULT_LIMIT, "max_limit": MAX_LIMIT}
    t = m["placement_time_limit_s"]
    assert t["min"] < t["default"] <= t["max"]


def test_openapi_renders_the_vocabularies_as_enums(anon_client: TestClient) -> None:
    schemas = anon_client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["WeightBasis"]["enum"] == ["sites", "capacity", "risk"]
    assert schemas["ResponseStandard"]["enum"] == [60, 180, 300]
    assert "hgv" in schemas["VehicleClassKey"]["enum"] and "foot" in schemas["SpeedProfileName"]["enum"]
    placement = schemas["PlacementRequest"]["properties"]["time_limit_s"]
    from bastion.coverage.enums import MAX_TIME_LIMIT_S
    from bastion.coverage.enums import TIME_LIMIT_S

    assert placement["default"] == TIME_LIMIT_S and placement["maximum"] == MAX_TIME_LIMIT_S


def test_the_placement_time_limit_is_one_constant() -> None:
    """Schema, CLI and service share TIME_LIMIT_S (the API said 30 s, the CLI and the service 60 s)."""
    import inspect

    from bastion.coverage import cli
    from bastion.coverage import placement
    from bastion.coverage.enums import TIME_LIMIT_S
    from bastion.coverage.schemas import PlacementRequest

    assert PlacementRequest().time_limit_s == TIME_LIMIT_S
    assert inspect.signature(placement.place).parameters["time_limit_s"].default == TIME_LIMIT_S
    for command in (cli.place, cli.lscp):
        assert inspect.signature(command).parameters["time_limit"].default.default == TIME_LIMIT_S


def test_the_page_scripts_hard_code_no_vocabulary() -> None:
    """The web scripts read standards, vehicle classes and colours from the page settings (GET /api/v1/meta)."""
    import re
    from pathlib import Path

    import bastion

    src = Path(bastion.__file__).parent
    for path in sorted([*src.glob("*/web/*.js"), *src.glob("platform/web/static/*.js")]):
        text = path.read_text(encoding="utf-8")
        if path.parent.name == "web":  # the domains' scripts: no response standard (180 s, 300 s) in the code
            assert not re.search(r"\b(180|300)\b", text), path.name
        assert '"hgv"' not in text and '"medium_truck"' not in text, path.name
        assert "#b71c1c" not in text and "#d62728" not in text, path.name  # rating and team colours come from /meta


def test_page_of_slices_and_counts() -> None:
    from bastion.kernel.pagination import Page
    from bastion.kernel.pagination import PageParams

    p = Page[int].of(list(range(10)), PageParams(limit=4, offset=8))
    assert (p.items, p.total, p.limit, p.offset) == ([8, 9], 10, 4, 8)
    seen: list[int] = []
    m = Page[str].mapped(list(range(10)), PageParams(limit=3, offset=1), lambda x: seen.append(x) or str(x))
    assert m.items == ["1", "2", "3"] and m.total == 10 and seen == [1, 2, 3]  # only the page's rows are read
    assert Page[int].of([], PageParams()).model_dump() == {"items": [], "total": 0, "limit": DEFAULT_LIMIT, "offset": 0}
