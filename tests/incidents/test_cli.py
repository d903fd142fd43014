"""`bastion incidents ...` on a SQLite database with Monaco: open, note, show, units, recommend, dispatch,
cordon, moveups, warn/approve refusal for the same person, close, report; personal data refused (exit 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app

runner = CliRunner()


def ok(*args: str) -> str:
    r = runner.invoke(app, list(args))
    assert r.exit_code == 0, r.output
    return r.output


def test_incident_commands(cli_monaco: Path, tmp_path: Path) -> None:
    out = ok("incidents", "open", "--region", "Monaco", "--type", "vehicle_borne_ied", "--severity", "severe",
             "--title", "Van at the stadium", "--site", "Stade Louis-II", "--casualties", "urgent=2",
             "--device", "sedan", "--json")
    inc = json.loads(out)
    assert inc["casualties"]["urgent"] == 2 and inc["site_id"] is not None
    bad = runner.invoke(app, ["incidents", "note", str(inc["id"]), "--text", "witness on +44 20 7946 0958"])
    assert bad.exit_code == 2 and "personal data" in bad.output
    ok("incidents", "note", str(inc["id"]), "--text", "EOD requested at 14:05")
    ok("units", "add", "--region", "Monaco", "--type", "special_unit", "--name", "SFO 1", "--lon", "7.4167",
       "--lat", "43.7314")
    units = json.loads(ok("incidents", "units", "--region", "Monaco", "--json"))["items"]
    sfo = next(u for u in units if u["call_sign"] == "SFO 1")
    ok("incidents", "unit", str(sfo["unit_id"]), "--version", "1", "--capabilities", "armed,eod", "--crew", "4")
    rec = json.loads(ok("incidents", "recommend", str(inc["id"]), "--json"))
    assert rec["items"][0]["call_sign"] == "SFO 1" and rec["items"][0]["missing"] == []
    ok("incidents", "dispatch", str(inc["id"]), "--units", str(sfo["unit_id"]))
    cordon = json.loads(ok("incidents", "cordon", str(inc["id"]), "--at", "2026-12-05T21:00", "--json"))
    assert (cordon["inner_m"], cordon["outer_m"]) == (98.0, 580.0) and cordon["people_inner"] > 0
    assert "people covered within 3 min" in ok("incidents", "moveups", "--region", "Monaco", "--max-moves", "2")
    ok("incidents", "warn", str(inc["id"]), "--headline", "Avoid the stadium area", "--instruction", "Keep away.")
    same = runner.invoke(app, ["incidents", "approve", "1"])
    assert same.exit_code != 0 and "second person" in same.output
    shown = json.loads(ok("incidents", "show", str(inc["id"]), "--json"))
    kinds = [e["kind"] for e in shown["timeline"]]
    assert kinds[:2] == ["created", "note"] and "unit_status" in kinds and "cordon" in kinds and "warning" in kinds
    lessons = tmp_path / "lessons.json"
    lessons.write_text(json.dumps([{"text": "Barrier at gate 4 left open", "owner_agency": "Stadium operator"}]))
    assert "rectification tasks [" in ok("incidents", "close", str(inc["id"]), "--version", "1", "--lessons",
                                         str(lessons))
    ok("incidents", "report", str(inc["id"]), "--out", str(tmp_path / "sitrep.html"))
    assert "Van at the stadium" in (tmp_path / "sitrep.html").read_text()
    assert str(inc["id"]) not in ok("incidents", "list", "--status", "open")
    assert "entries match the audit chain" in ok("incidents", "verify", str(inc["id"]))


@pytest.mark.parametrize("mode", ["exercise", "test"])
def test_list_hides_other_modes(cli_monaco: Path, mode: str) -> None:
    ok("incidents", "open", "--region", "Monaco", "--type", "arson", "--severity", "minor", "--title", "Drill",
       "--mode", mode, "--at", "7.42,43.735")
    assert "0 incidents" in ok("incidents", "list")
    assert "Drill" in ok("incidents", "list", "--modes", mode)
