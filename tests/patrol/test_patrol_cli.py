"""`bastion patrol plan|list|evaluate`: files written, plan stored, clear errors (exit 2, no traceback)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app
from tests.patrol_db import monaco_url  # noqa: F401 (fixture)

runner = CliRunner()
SMALL = ["--region", "Monaco", "--teams", "2", "--shift", "08:00-10:00", "--seed", "1", "--max-sites", "10",
         "--max-stops", "2"]


@pytest.fixture
def env(monaco_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BASTION_DATABASE_URL", monaco_url)
    return tmp_path


def test_plan_writes_csv_json_html(env: Path) -> None:
    out = env / "plan"
    r = runner.invoke(app, ["patrol", "plan", *SMALL, "--days", "2", "--dwell-min", "5", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "solver optimal" in r.output and "Team 2" in r.output
    assert "payoffs from capacity" in " ".join(r.output.split())
    rows = list(csv.DictReader((out / "schedules.csv").open(encoding="utf-8")))
    assert rows and {r["day"] for r in rows} == {"1", "2"}
    data = json.loads((out / "schedules.json").read_text(encoding="utf-8"))
    assert data["plan"]["parameters"]["dwell_min"] == 5.0 and len(data["schedules"]) == 4
    assert sum(len(s["stops"]) for s in data["schedules"]) == len(rows)
    html = (out / "schedules.html").read_text(encoding="utf-8")
    assert html.count('<svg class="map"') == sum(1 for s in data["schedules"] if s["stops"])
    r = runner.invoke(app, ["patrol", "list", "--region", "Monaco"])
    assert r.exit_code == 0 and str(data["plan"]["id"]) in r.output


def test_evaluate_prints_table_and_svg(env: Path) -> None:
    r = runner.invoke(app, ["patrol", "evaluate", *SMALL, "--trials", "50", "--out", str(env)])
    assert r.exit_code == 0, r.output
    assert "optimal (SSE routes)" in r.output and "uniform" in r.output and "risk-proportional" in r.output
    svg = (env / "evaluation.svg").read_text(encoding="utf-8")
    assert svg.startswith("<svg") and svg.count('class="bar"') == 6
    rows = {x["strategy"]: x for x in json.loads((env / "evaluation.json").read_text())["rows"]}
    assert rows["optimal (SSE routes)"]["attacker_utility"] < rows["uniform"]["attacker_utility"]


@pytest.mark.parametrize(("args", "needle"), [
    (["--shift", "8-16"], "shift must look like 08:00-16:00"),
    (["--teams", "0"], "teams must be a whole number of teams >= 1"),
    (["--teams", "11"], "teams must be at most the number of target sites (10)"),
    (["--max-stops", "7"], "max_stops must be between 1 and 4"),
    (["--region", "Atlantis"], "region 'Atlantis' does not exist"),
    (["--payoff", "fear"], "payoff 'fear' is unknown"),
    (["--payoff", "risk"], "payoff risk needs a stored risk assessment"),
])
def test_plan_errors(env: Path, args: list[str], needle: str) -> None:
    r = runner.invoke(app, ["patrol", "plan", *SMALL, "--days", "1", *args])
    assert r.exit_code == 2, r.output
    assert needle in " ".join(r.output.split()) and "Traceback" not in r.output
