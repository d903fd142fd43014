"""CLI fixtures shared by the command tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import GoldenDatabases


@pytest.fixture
def cli_monaco(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, golden_dbs: GoldenDatabases) -> Path:
    """A SQLite data dir (BASTION_DATA_DIR) holding the test's own copy of the migrated Monaco database (imported
    once per session by the import service, which `bastion import osm` calls); wide tables."""
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BASTION_DATABASE_URL", raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    golden_dbs.copy_sqlite(tmp_path / "bastion.db")
    return tmp_path
