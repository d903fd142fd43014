"""Security finding 6 (anchor half): a full rewrite, a truncated tail with the head moved back, and a total wipe
all pass `bastion audit verify`; an anchor kept outside the database (signed with a key that is not in it)
detects each with `bastion audit verify --anchor FILE`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import create_engine, delete, select, update
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from bastion.access import audit
from bastion.access.models import AuditHead, AuditLog
from bastion.platform.cli import app

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BASTION_DATABASE_URL", raising=False)
    monkeypatch.delenv("BASTION_ENV", raising=False)
    monkeypatch.setenv("BASTION_SECRET_KEY", "anchor-test-key-" + "x" * 32)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    for name in ("Police HQ", "Fire HQ", "Transport HQ", "Health HQ"):
        assert runner.invoke(app, ["agencies", "create", name, "--kind", "other"]).exit_code == 0
    r = runner.invoke(app, ["audit", "anchor", str(tmp_path / "anchor.json")])
    assert r.exit_code == 0, r.output
    assert json.loads((tmp_path / "anchor.json").read_text())["seq"] == 4
    return tmp_path


def _session(env: Path) -> Session:
    return Session(create_engine(f"sqlite:///{env / 'bastion.db'}"))


def _verify(env: Path, *extra: str) -> tuple[int, str]:
    r = runner.invoke(app, ["audit", "verify", *extra])
    return r.exit_code, " ".join(r.output.split())


def test_intact_chain_holds_its_anchor_and_later_records_are_fine(env: Path) -> None:
    runner.invoke(app, ["agencies", "create", "Later", "--kind", "other"])
    code, out = _verify(env, "--anchor", str(env / "anchor.json"))
    assert code == 0 and "intact: 5 records and it holds the anchor" in out


def test_full_rewrite_is_detected(env: Path) -> None:
    with _session(env) as s, s.begin():
        prev = audit.GENESIS
        for r in s.scalars(select(AuditLog).order_by(AuditLog.seq)).all():
            r.actor = "cli:nobody"
            values = {k: getattr(r, k) for k in audit.FIELDS}
            r.prev_hash, r.hash = prev, audit.chain_hash(prev, values)
            prev = r.hash
        s.execute(update(AuditHead).values(hash=prev))
    assert _verify(env)[0] == 0  # the plain chain cannot tell
    code, out = _verify(env, "--anchor", str(env / "anchor.json"))
    assert code == 1 and "rewritten" in out


def test_truncated_tail_with_the_head_moved_back_is_detected(env: Path) -> None:
    with _session(env) as s, s.begin():
        s.execute(delete(AuditLog).where(AuditLog.seq > 2))
        last = s.scalar(select(AuditLog.hash).where(AuditLog.seq == 2))
        s.execute(update(AuditHead).values(seq=2, hash=last))
    assert _verify(env)[0] == 0
    code, out = _verify(env, "--anchor", str(env / "anchor.json"))
    assert code == 1 and "truncated to 2 records" in out


def test_wipe_is_detected(env: Path) -> None:
    with _session(env) as s, s.begin():
        s.execute(delete(AuditLog))
        s.execute(delete(AuditHead))
    assert _verify(env)[0] == 0
    code, out = _verify(env, "--anchor", str(env / "anchor.json"))
    assert code == 1 and "wiped" in out


def test_a_forged_anchor_is_refused(env: Path) -> None:
    a = json.loads((env / "anchor.json").read_text())
    (env / "forged.json").write_text(json.dumps({**a, "seq": 1}))
    code, out = _verify(env, "--anchor", str(env / "forged.json"))
    assert code == 1 and "signature does not match" in out
