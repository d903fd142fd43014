"""`bastion vehicle` on SQLite and PostgreSQL: assess, re-run, show, gaps, report; clear one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app
from tests.conftest import MONACO
from tests.conftest import MONACO_BOUNDARY

runner = CliRunner()


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BASTION_DATABASE_URL", db_url)
    monkeypatch.setenv("COLUMNS", "200")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["import", "osm", str(MONACO), "--region", "Monaco", "--boundary", str(MONACO_BOUNDARY)])
    assert r.exit_code == 0 and "122 new" in r.output, r.output  # street barriers
    return tmp_path


def flat(text: str) -> str:
    return " ".join(text.split())


def test_assess_show_gaps_report(env: Path) -> None:
    args = ["vehicle", "assess", "--region", "Monaco", "--site", "Place du Casino", "--vehicle", "car"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    out = flat(r.output)
    assert "Place du Casino" in out and "119" in out and "not_coverable" in out
    assert "entry points: 3" in out and "1 new" in out
    r = runner.invoke(app, args)
    assert "rows changed: 0" in flat(r.output) and "1 unchanged" in flat(r.output)

    r = runner.invoke(app, ["vehicle", "show", "Place du Casino", "--detection", "50"])
    assert r.exit_code == 0, r.output
    out = flat(r.output)
    for expected in ("119 (101–134)", "821", "V/1500[M1]/64 penetration <= 1.0 m", "FS40-P1",
                     "7× bollard (unrated)", "too slow 1.6/5.0 s", "not a certified HVM barrier"):
        assert expected in out, expected
    r = runner.invoke(app, ["vehicle", "gaps", "--region", "Monaco"])
    assert r.exit_code == 0 and "3 unmet requirements" in flat(r.output)
    html = env / "casino-vehicle.html"
    r = runner.invoke(app, ["vehicle", "report", "Place du Casino", "--out", str(html)])
    assert r.exit_code == 0 and "<td>119</td>" in html.read_text()
    # each unmet entry becomes one rectification task; a re-run adds none
    args = ["vehicle", "tasks", "--site", "Place du Casino", "--owner-agency", "Casino operator",
            "--deadline-days", "14"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "3 unmet approaches at 3 entries; 3 tasks created" in flat(r.output), r.output
    r = runner.invoke(app, args)
    assert r.exit_code == 0 and "0 tasks created [], 3 already open" in flat(r.output), r.output


ERRORS = [  # one Monaco import serves every case
    (["vehicle", "assess", "--region", "Atlantis"], "region 'Atlantis' does not exist"),
    (["vehicle", "assess", "--region", "Monaco", "--vehicle", "tank"], "vehicle 'tank' is unknown"),
    (["vehicle", "assess", "--region", "Monaco", "--site", "Nowhere Square"], "site 'Nowhere Square' does not exist"),
    (["vehicle", "assess", "--region", "Monaco", "--max-distance", "5"], "max_distance_m must be"),
    (["vehicle", "show", "99999"], "site 99999 does not exist"),
    (["vehicle", "show", "1", "--detection", "-4"], "detection_distance_m must be"),
    (["vehicle", "report", "1", "--out", "x.pdf"], "use a .html file name"),
    (["vehicle", "gaps", "--region", "Monaco", "--vehicle", "bus"], "vehicle 'bus' is unknown"),
    (["vehicle", "tasks", "--site", "Place du Casino"], "owner_agency is required"),
    (["vehicle", "tasks", "--site", "99999", "--owner-agency", "X"], "site 99999 does not exist"),
]


def test_bad_input_is_one_clear_line(env: Path) -> None:
    for args, message in ERRORS:
        r = runner.invoke(app, args)
        assert r.exit_code == 2, (args, r.output)
        assert message in flat(r.output) and "Traceback" not in r.output, (args, r.output)
