"""CLI fixtures shared by the command tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app
from tests.conftest import MONACO, MONACO_BOUNDARY


@pytest.fixture
def cli_monaco(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated SQLite data dir (BASTION_DATA_DIR) with Monaco imported through the CLI; wide tables."""
    runner = CliRunner()
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BASTION_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["import", "osm", str(MONACO), "--region", "Monaco", "--boundary", str(MONACO_BOUNDARY)])
    assert r.exit_code == 0, r.output
    return tmp_path
