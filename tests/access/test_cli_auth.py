"""`bastion users|agencies|audit|db backup/restore`, the demo account and the production guard."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bastion.platform.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BASTION_DATABASE_URL", raising=False)
    monkeypatch.delenv("BASTION_ENV", raising=False)
    monkeypatch.setenv("PW", "a long enough secret")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return tmp_path


def ok(args: list[str]) -> str:
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.output
    return " ".join(r.output.split())


def test_users_agencies_and_audit(env: Path) -> None:
    assert "created" in ok(["agencies", "create", "Police HQ", "--kind", "police"])
    assert "Police HQ" in ok(["agencies", "list"])
    out = ok(["users", "create", "officer1", "--agency", "Police HQ", "--name", "Duty officer", "--role", "viewer",
              "--password-env", "PW"])
    assert "officer1" in out and "every region" in out
    assert "analyst@all" in ok(["users", "grant", "officer1", "analyst"])
    assert "revoked" in ok(["users", "set-password", "officer1", "--password-env", "PW"])
    assert "disabled" in ok(["users", "disable", "officer1"])
    listing = ok(["users", "list"])
    assert "officer1" in listing and "disabled" in listing
    r = runner.invoke(app, ["users", "create", "xy", "--agency", "Nowhere", "--password-env", "PW"])
    assert r.exit_code == 2 and "agency 'Nowhere' does not exist" in r.output
    r = runner.invoke(app, ["users", "grant", "officer1", "admin", "--region", "1"])
    assert r.exit_code == 2
    assert "intact: 6 records" in ok(["audit", "verify"])
    records = json.loads(runner.invoke(app, ["audit", "export", "--format", "json"]).output)
    assert [r["action"] for r in records][:3] == ["agency.create", "user.create", "user.grant"]
    assert {r["actor"] for r in records} == {records[0]["actor"]} and records[0]["actor"].startswith("cli:")
    out_csv = env / "audit.csv"
    assert "wrote 6 audit records" in ok(["audit", "export", str(out_csv), "--format", "csv"])
    # tamper with one record directly in the database: verify names it
    with sqlite3.connect(env / "bastion.db") as c:
        c.execute("UPDATE audit_log SET actor = 'cli:someone-else' WHERE seq = 3")
    r = runner.invoke(app, ["audit", "verify"])
    assert r.exit_code == 1 and "record seq 3" in r.output and "modified" in r.output


def test_backup_restore_round_trip_cli(env: Path) -> None:
    ok(["agencies", "create", "Police HQ", "--kind", "police"])
    bak = env / "backup.db"
    assert "backup written" in ok(["db", "backup", str(bak)])
    r = runner.invoke(app, ["db", "backup", str(bak)])
    assert r.exit_code == 2 and "already exists" in r.output
    ok(["agencies", "create", "Fire", "--kind", "fire"])
    assert "Fire" in ok(["agencies", "list"])
    assert "restored" in ok(["db", "restore", str(bak), "--yes"])
    listing = ok(["agencies", "list"])
    assert "Police HQ" in listing and "Fire" not in listing
    assert "intact" in ok(["audit", "verify"])
    r = runner.invoke(app, ["db", "restore", str(env / "nope.db"), "--yes"])
    assert r.exit_code == 2 and "does not exist" in " ".join(r.output.split())
    junk = env / "junk.db"
    junk.write_text("not a database")
    r = runner.invoke(app, ["db", "restore", str(junk), "--yes"])
    assert r.exit_code == 2 and "not a SQLite backup" in " ".join(r.output.split())


def test_demo_account_and_production_guard(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = ok(["demo", "--no-serve"])
    assert "demo / demo-password" in out
    ok(["agencies", "create", "Stadium", "--kind", "venue_operator"])
    assert "operator agency" in ok(["sites", "set-operator", "1", "--agency", "Stadium"])
    assert "operator agency none" in ok(["sites", "set-operator", "1", "--none"])
    r = runner.invoke(app, ["sites", "set-operator", "1"])
    assert r.exit_code == 2 and "--agency" in r.output
    assert "demo" in ok(["users", "list"]) and "coordinator@Mon" in ok(["users", "list"])
    ok(["demo", "--no-serve"])  # twice is fine
    monkeypatch.setenv("BASTION_ENV", "production")
    r = runner.invoke(app, ["serve"])
    assert r.exit_code == 2 and "BASTION_SECRET_KEY" in " ".join(r.output.split())
    r = runner.invoke(app, ["demo", "--no-serve"])
    assert r.exit_code == 2 and "not in production" in " ".join(r.output.split())
