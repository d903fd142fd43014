"""The `bastion` CLI: happy paths and clear errors (exit code 2, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app
from tests.conftest import MONACO
from tests.conftest import MONACO_BOUNDARY

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BASTION_DATABASE_URL", raising=False)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def test_import_list_show_edit_export(env: Path) -> None:
    r = runner.invoke(app, ["import", "osm", str(MONACO), "--region", "Monaco", "--boundary", str(MONACO_BOUNDARY)])
    assert r.exit_code == 0, r.output
    assert "153 new" in r.output and "public_space" in r.output
    r = runner.invoke(app, ["import", "osm", str(MONACO), "--region", "Monaco", "--boundary", str(MONACO_BOUNDARY)])
    assert "rows changed: 0" in r.output
    r = runner.invoke(app, ["sites", "list", "--region", "Monaco", "--category", "transport"])
    assert r.exit_code == 0 and "3 sites" in r.output
    out = env / "sites.geojson"
    r = runner.invoke(app, ["sites", "export", str(out), "--region", "Monaco"])
    assert r.exit_code == 0
    fc = json.loads(out.read_text())
    sid = next(f["id"] for f in fc["features"] if f["properties"]["name"] == "Stade Louis-II")
    r = runner.invoke(app, ["sites", "edit", str(sid), "--capacity", "16000"])
    assert r.exit_code == 0 and "16000" in r.output
    r = runner.invoke(app, ["sites", "show", str(sid)])
    assert "16,000 people" in r.output and "user_override" in r.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["import", "osm", "/no/such/file.osm.pbf", "--region", "X"], "does not exist"),
        (["import", "osm", __file__, "--region", "X"], "unknown format"),
        (["sites", "show", "99999"], "does not exist"),
        (["sites", "list", "--category", "bogus"], "category 'bogus' is unknown"),
        (["sites", "export", "/tmp/out.shp"], "use a .geojson, .csv or .gpkg"),
        (["sites", "list", "--region", "Atlantis"], "region 'Atlantis' does not exist"),
    ],
)
def test_bad_input_is_one_clear_line(env: Path, args: list[str], message: str) -> None:
    r = runner.invoke(app, args)
    assert r.exit_code == 2
    assert message in " ".join(r.output.split())
    assert "Traceback" not in r.output


def test_bad_database_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASTION_DATABASE_URL", "mysql://x")
    r = runner.invoke(app, ["db", "upgrade"])
    assert r.exit_code == 2 and "not supported" in r.output
