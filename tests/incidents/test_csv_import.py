"""Incidents from CSV: validated row by row with the line and column named, all rows or none, idempotent by ref,
personal data refused in every free-text column; REST and CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.incidents import csvimport
from bastion.incidents import service as svc
from bastion.incidents.models import Incident
from bastion.incidents.models import TimelineEntry
from bastion.kernel.errors import InvalidInput
from bastion.platform.cli import app
from tests.incidents.helpers import ACTOR
from tests.incidents.helpers import NOW

HEADER = ("ref,mode,incident_type,severity,title,opened_at,site,lon,lat,hazards,immediate,urgent,dead,"
          "services_present,device")
GOOD = [
    "MC-2026-001,real,vehicle_as_weapon,extreme,Van into the crowd on the quay,2026-11-30T13:50Z,,7.4246,43.7384,"
    "Fuel leak,4,7,1,police;ambulance,",
    "MC-2026-002,exercise,placed_ied,severe,Drill: device at the stadium,2026-11-30T12:00+01:00,Stade Louis-II,,,"
    ",0,0,0,police;eod,pipe_bomb",
    "MC-2026-003,real,arson,minor,Bin fire by the station,,,7.4196,43.7389,,,,,fire,",
]


def csv_of(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def count(sf: sessionmaker[Session]) -> tuple[int, int]:
    with sf() as s:
        return (int(s.scalar(select(func.count()).select_from(Incident)) or 0),
                int(s.scalar(select(func.count()).select_from(TimelineEntry)) or 0))


def test_import_all_rows_then_again_changes_nothing(monaco_sf: sessionmaker[Session]) -> None:
    r = csvimport.import_csv(monaco_sf, "Monaco", csv_of(*GOOD), actor=ACTOR, now=NOW)
    assert (r.rows, len(r.created), r.existing) == (3, 3, [])
    with monaco_sf() as s:
        van, drill, fire = (svc.get_incident(s, i) for i in r.created)
        assert (van.source_ref, van.mode, van.casualties["immediate"], van.casualties["dead"]) == (
            "MC-2026-001", "real", 4, 1)
        assert van.services_present == ["ambulance", "police"] and van.hazards == "Fuel leak"
        assert van.opened_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 11, 30, 13, 50, tzinfo=dt.UTC)
        assert drill.mode == "exercise" and drill.site_id is not None and drill.device == "pipe_bomb"
        assert drill.opened_at.replace(tzinfo=dt.UTC) == dt.datetime(2026, 11, 30, 11, 0, tzinfo=dt.UTC)
        assert fire.opened_at.replace(tzinfo=dt.UTC) == NOW and svc.triage_total(fire.casualties) == 0
        created = svc.timeline(s, van.id)[0]
        assert created.kind == "created" and created.details["source_ref"] == "MC-2026-001"
    before = count(monaco_sf)
    again = csvimport.import_csv(monaco_sf, "Monaco", csv_of(*GOOD), actor=ACTOR, now=NOW)
    assert (again.created, again.existing) == ([], ["MC-2026-001", "MC-2026-002", "MC-2026-003"])
    assert count(monaco_sf) == before
    # a file adding one new row next to the known ones creates only that one
    more = csvimport.import_csv(monaco_sf, "Monaco", csv_of(*GOOD, GOOD[2].replace("MC-2026-003", "MC-2026-004")),
                                actor=ACTOR, now=NOW)
    assert len(more.created) == 1 and len(more.existing) == 3


@pytest.mark.parametrize(("bad_row", "field", "why"), [
    ("MC-9,real,arson,minor,Fire reported by +44 20 7946 0958,,,7.42,43.73,,,,,,", "title", "personal data"),
    ("MC-9,real,arson,minor,Fire,,,7.42,43.73,ask j.smith@example.com,,,,,", "hazards", "personal data"),
    ("MC-9,real,arson,minor,Fire,,,7.42,43.73,ID card 11010519491231002X at gate,,,,,", "hazards",
     "personal data"),
    ("MC-9,real,flood,minor,Water,,,7.42,43.73,,,,,,", "incident_type", "must be one of"),
    ("MC-9,real,arson,minor,Fire,,,7.42,43.73,,-1,,,,", "casualties.immediate", "whole count"),
    ("MC-9,real,arson,minor,Fire,,,7.42,43.73,,two,,,,", "immediate", "whole number"),
    ("MC-9,real,arson,minor,Fire,2099-01-01T00:00Z,,7.42,43.73,,,,,,", "opened_at", "future"),
    ("MC-9,real,arson,minor,Fire,2026-11-30T10:00,,7.42,43.73,,,,,,", "opened_at", "zone"),
    ("MC-9,real,arson,minor,Fire,,,,,,,,,,", "site_id", "exactly one location"),
    ("John Smith,real,arson,minor,Fire,,,7.42,43.73,,,,,,", "ref", "ref must be"),
    ("MC-2026-001,real,arson,minor,Fire,,,7.42,43.73,,,,,,", "ref", "also on line 2"),
    ("MC-9,real,arson,minor,Fire,,,7.42,43.73,,,,,,,extra", "csv", "more cells"),
])
def test_one_bad_row_refuses_the_whole_file(monaco_sf: sessionmaker[Session], bad_row: str, field: str,
                                             why: str) -> None:
    before = count(monaco_sf)
    with pytest.raises(InvalidInput, match=why) as e:
        csvimport.import_csv(monaco_sf, "Monaco", csv_of(*GOOD, bad_row), actor=ACTOR, now=NOW)
    assert e.value.field == f"line 5: {field}" and "nothing imported" in str(e.value)
    assert count(monaco_sf) == before


def test_header_and_location_errors(monaco_sf: sessionmaker[Session]) -> None:
    with pytest.raises(InvalidInput, match="unknown columns \\['caller_phone'\\]"):
        csvimport.import_csv(monaco_sf, "Monaco", "ref,incident_type,severity,title,caller_phone\n", actor=ACTOR,
                             now=NOW)
    with pytest.raises(InvalidInput, match="missing columns \\['title'\\]"):
        csvimport.import_csv(monaco_sf, "Monaco", "ref,incident_type,severity\nA,arson,minor\n", actor=ACTOR, now=NOW)
    with pytest.raises(InvalidInput, match="no incidents"):
        csvimport.import_csv(monaco_sf, "Monaco", HEADER + "\n", actor=ACTOR, now=NOW)
    before = count(monaco_sf)
    with pytest.raises(InvalidInput, match="line 3: .*no site named like 'Nowhere Arena'.*nothing imported") as e:
        csvimport.import_csv(monaco_sf, "Monaco", csv_of(GOOD[0], "MC-7,real,arson,minor,Fire,,Nowhere Arena,,,,,,,,"),
                             actor=ACTOR, now=NOW)
    assert e.value.field == "line 3: site_query"
    assert count(monaco_sf) == before  # the first (valid) row was rolled back with the rest


def test_rest(client: TestClient) -> None:
    r = client.post("/api/v1/regions/1/incident-imports", json={"csv": csv_of(*GOOD)})
    assert r.status_code == 200, r.text
    assert len(r.json()["created"]) == 3
    bad = client.post("/api/v1/regions/1/incident-imports",
                      json={"csv": csv_of("MC-8,real,arson,minor,Call 0044 7700 900123,,,7.42,43.73,,,,,,")})
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "line 2: title", bad.text
    board = client.get("/api/v1/incidents").json()["items"]  # the exercise row stays off the real list
    assert sorted(i["title"] for i in board) == ["Bin fire by the station", "Van into the crowd on the quay"]


def test_cli(cli_monaco: Path, tmp_path: Path) -> None:
    f = tmp_path / "incidents.csv"
    f.write_text("\ufeff" + csv_of(*GOOD), encoding="utf-8")
    runner = CliRunner()
    out = runner.invoke(app, ["incidents", "import", str(f), "--region", "Monaco"])
    assert out.exit_code == 0 and "3 incidents created" in out.output, out.output
    out = runner.invoke(app, ["incidents", "import", str(f), "--region", "Monaco"])
    assert out.exit_code == 0 and "0 incidents created, 3 already imported" in out.output, out.output
