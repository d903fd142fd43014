"""`bastion coverage` and `bastion units`: happy paths and one-line errors (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app

runner = CliRunner()


@pytest.fixture
def env(cli_monaco: Path) -> Path:
    return cli_monaco


def test_coverage_and_units(env: Path) -> None:
    r = runner.invoke(app, ["coverage", "analyze", "--region", "Monaco", "--standard", "3m"])
    assert r.exit_code == 0, r.output
    assert "127/133" in r.output and "6 not covered within 180 s" in r.output and "95.5%" in r.output
    r = runner.invoke(app, ["coverage", "place", "--region", "Monaco", "--add", "3", "--standard", "3m"])
    assert r.exit_code == 0, r.output
    assert "optimal" in r.output and "107,301 -> 112,637 of 112,637" in r.output and "3 proposed units" in r.output
    r = runner.invoke(app, ["coverage", "lscp", "--region", "Monaco", "--standard", "1m", "--apply"])
    assert r.exit_code == 0 and "added units" in r.output, r.output
    r = runner.invoke(app, ["units", "add", "--region", "Monaco", "--type", "motorcycle", "--name", "Motorcycle 1",
                            "--lon", "7.42", "--lat", "43.738", "--hours", "Mo-Fr 08:00-20:00"])
    assert r.exit_code == 0 and "Motorcycle 1" in r.output, r.output
    uid = r.output.split()[1]
    assert runner.invoke(app, ["units", "move", uid, "--lon", "7.425", "--lat", "43.73"]).exit_code == 0
    assert runner.invoke(app, ["units", "edit", uid, "--standard", "1m", "--name", "Motorcycle 1b"]).exit_code == 0
    r = runner.invoke(app, ["units", "list", "--region", "Monaco"])
    assert r.exit_code == 0 and "Motorcycle 1b" in r.output and "osm_station" in r.output
    assert runner.invoke(app, ["units", "remove", uid]).exit_code == 0
    r = runner.invoke(app, ["coverage", "whatif", "--region", "Monaco", "--remove", "1",
                            "--add", "7.4255354,43.7310263", "--move", "2:7.42,43.738"])
    assert r.exit_code == 0 and "units" in r.output and "180 s" in r.output, r.output


@pytest.mark.parametrize(("args", "message"), [
    (["coverage", "analyze", "--region", "Monaco", "--standard", "3h"], "is not a duration"),
    (["coverage", "analyze", "--region", "Atlantis"], "region 'Atlantis' does not exist"),
    (["coverage", "place", "--region", "Monaco", "--add", "2", "--profile", "jet"], "speed_profile 'jet' is unknown"),
    (["units", "add", "--region", "Monaco", "--type", "tank", "--name", "X", "--lon", "7.42", "--lat", "43.7"],
     "unit_type 'tank' is unknown"),
    (["units", "add", "--region", "Monaco", "--type", "post", "--name", "X", "--lon", "7.42", "--lat", "43.7",
      "--standard", "2m"], "standard_s must be one of 60, 180, 300"),
    (["units", "remove", "9999"], "unit 9999 does not exist"),
    (["coverage", "whatif", "--region", "Monaco", "--add", "7.42"], "write lon,lat"),
    (["coverage", "whatif", "--region", "Monaco", "--remove", "999"], "unit 999 is not an available unit"),
])
def test_bad_input_is_one_clear_line(env: Path, args: list[str], message: str) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 2, r.output
    assert message in " ".join(r.output.split()) and "Traceback" not in r.output


def _flat(r) -> str:  # type: ignore[no-untyped-def]
    return " ".join(r.output.split())  # rich wraps long lines


def test_weight_option(env: Path) -> None:
    r = runner.invoke(app, ["coverage", "analyze", "--region", "Monaco", "--weight", "risk"])
    assert r.exit_code == 2 and "run `bastion risk assess --region Monaco` first" in _flat(r), r.output
    r = runner.invoke(app, ["coverage", "analyze", "--region", "Monaco", "--weight", "persons"])
    assert r.exit_code == 2 and "weight 'persons' is unknown" in _flat(r), r.output
    r = runner.invoke(app, ["coverage", "analyze", "--region", "Monaco", "--weight", "sites", "--standard", "1m"])
    assert r.exit_code == 0 and "weight basis sites" in _flat(r) and "68.4%" in _flat(r), r.output  # 91/133
    assert runner.invoke(app, ["risk", "assess", "--region", "Monaco"]).exit_code == 0
    r = runner.invoke(app, ["coverage", "analyze", "--region", "Monaco", "--weight", "risk"])
    assert r.exit_code == 0 and "weight basis risk" in _flat(r), r.output
    r = runner.invoke(
        app, ["coverage", "place", "--region", "Monaco", "--add", "1", "--standard", "1m", "--weight", "risk"]
    )
    assert r.exit_code == 0 and "optimal" in _flat(r) and "(weight basis risk)" in _flat(r), r.output
