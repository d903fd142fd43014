"""The audit chain is keyed (HMAC-SHA256, key outside the database) and anchored outside it: a full rewrite
without the key, a truncated tail with the head moved back, a total wipe and a tampered anchor are all found;
a legacy plain-SHA-256 chain is reported as unsealed until `bastion audit seal` checks and seals it."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from bastion.access import audit
from bastion.access.models import AuditHead
from bastion.access.models import AuditLog
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.kernel.errors import Conflict
from bastion.kernel.settings import derive_audit_key
from bastion.platform import migrate
from bastion.platform.cli import app

OLD_DB = Path(__file__).resolve().parents[1] / "fixtures" / "db" / "monaco-b64729a.sqlite.gz"


def _fill(sf: sessionmaker[Session], n: int = 6) -> None:
    for i in range(n):
        audit.record_now(sf, actor=f"user:u{i}", action="site.edit", object_type="site", object_id=i,
                         details={"i": i})


def _verify(sf: sessionmaker[Session], anchor: dict | None = None) -> audit.VerifyResult:
    with sf() as s:
        return audit.verify(s) if anchor is None else audit.verify_anchor(s, anchor)


def _anchor(sf: sessionmaker[Session]) -> dict:
    with sf() as s:
        return audit.anchor(s)


def _rewrite(sf: sessionmaker[Session], key: bytes | None, *, sign_head: bool) -> None:
    """An intruder with database access rewrites every record's actor and recomputes the whole chain."""
    with sf.begin() as s:
        prev = audit.GENESIS
        for r in s.scalars(select(AuditLog).order_by(AuditLog.seq)):
            r.actor = "user:forger"
            r.prev_hash = prev
            r.hash = audit.chain_hash(prev, {k: getattr(r, k) for k in audit.FIELDS}, key)
            prev = r.hash
        n = s.scalar(select(AuditHead.seq))
        sig = audit.head_sig(key, n, prev) if (sign_head and key is not None) else None
        s.execute(update(AuditHead).values(hash=prev, sig=sig))


def test_the_chain_is_keyed(session_factory: sessionmaker[Session], engine) -> None:
    _fill(session_factory)
    assert _verify(session_factory).ok
    other = make_session_factory(engine, audit_key=b"another key, not the one that wrote it")
    r = _verify(other)
    assert not r.ok and r.broken_seq == 1 and "audit key" in r.reason


@pytest.mark.parametrize("as_legacy", [True, False])
def test_full_rewrite_without_the_key_is_found(session_factory: sessionmaker[Session], as_legacy: bool) -> None:
    """Plain SHA-256 (posing as a legacy chain) or a guessed key: neither verifies."""
    _fill(session_factory)
    anchor = _anchor(session_factory)
    if as_legacy:
        _rewrite(session_factory, None, sign_head=False)
        r = _verify(session_factory)
        assert not r.ok and r.unsealed and "bastion audit seal" in r.reason
    else:
        _rewrite(session_factory, derive_audit_key("a guess"), sign_head=True)
        r = _verify(session_factory)
        assert not r.ok and r.broken_seq == 1 and "modified" in r.reason
    assert not _verify(session_factory, anchor).ok


def test_rewrite_with_the_key_is_found_by_the_anchor(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory)
    anchor = _anchor(session_factory)
    with session_factory() as s:
        key = audit.session_key(s)
    _rewrite(session_factory, key, sign_head=True)
    assert _verify(session_factory).ok  # the key alone cannot tell: that is what the anchor is for
    r = _verify(session_factory, anchor)
    assert not r.ok and r.broken_seq == 6 and "rewritten" in r.reason


def test_truncated_tail_with_the_head_moved_back_is_found(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory)
    anchor = _anchor(session_factory)
    with session_factory.begin() as s:
        s.execute(delete(AuditLog).where(AuditLog.seq >= 4))
        h3 = s.scalar(select(AuditLog.hash).where(AuditLog.seq == 3))
        s.execute(update(AuditHead).values(seq=3, hash=h3))
    r = _verify(session_factory)
    assert not r.ok and "not signed with the audit key" in r.reason
    assert not _verify(session_factory, anchor).ok
    with session_factory.begin() as s:  # a head signature copied from the past does not help either
        s.execute(update(AuditHead).values(sig=s.scalar(select(AuditHead.sig))))
    with session_factory.begin() as s:  # even with the head row removed too
        s.execute(delete(AuditHead))
    r = _verify(session_factory)
    assert not r.ok and "head row is missing" in r.reason


def test_truncated_tail_is_found_by_the_anchor_even_with_the_key(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory)
    anchor = _anchor(session_factory)
    with session_factory.begin() as s:
        key = audit.session_key(s)
        s.execute(delete(AuditLog).where(AuditLog.seq >= 4))
        h3 = s.scalar(select(AuditLog.hash).where(AuditLog.seq == 3))
        s.execute(update(AuditHead).values(seq=3, hash=h3, sig=audit.head_sig(key, 3, h3)))
    assert _verify(session_factory).ok
    r = _verify(session_factory, anchor)
    assert not r.ok and "recorded 6" in r.reason and "deleted" in r.reason


def test_total_wipe_is_found_by_the_anchor(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory)
    anchor = _anchor(session_factory)
    with session_factory.begin() as s:
        s.execute(delete(AuditLog))
        s.execute(delete(AuditHead))
    assert _verify(session_factory).ok  # an empty chain is a valid chain...
    r = _verify(session_factory, anchor)  # ...but not the one anchored
    assert not r.ok and "wiped" in r.reason


def test_a_later_chain_still_extends_the_anchor(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory, 3)
    anchor = _anchor(session_factory)
    _fill(session_factory, 4)
    r = _verify(session_factory, anchor)
    assert r.ok and r.checked == 7 and "seq 3" in r.reason


@pytest.mark.parametrize("field,value", [("count", 2), ("hash", "f" * 64), ("at", "2099-01-01T00:00:00.000000Z"),
                                         ("sig", "0" * 64)])
def test_a_tampered_anchor_is_refused(session_factory: sessionmaker[Session], field: str, value: object) -> None:
    _fill(session_factory)
    anchor = {**_anchor(session_factory), field: value}
    r = _verify(session_factory, anchor)
    assert not r.ok and "signature" in r.reason


def test_no_anchor_over_a_broken_chain(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory)
    with session_factory.begin() as s:
        s.execute(update(AuditLog).where(AuditLog.seq == 2).values(actor="x"))
    with session_factory() as s, pytest.raises(Conflict, match="does not verify"):
        audit.anchor(s)


def _legacy_db(tmp_path: Path) -> str:
    db = tmp_path / "old.db"
    with gzip.open(OLD_DB) as src, db.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return f"sqlite:///{db}"


def test_legacy_chain_is_not_sealed_until_sealed(tmp_path: Path) -> None:
    eng = make_engine(_legacy_db(tmp_path))
    try:
        migrate.upgrade(eng)
        sf = make_session_factory(eng, audit_key=b"the operator's audit key, 32 bytes+")
        with sf() as s:
            n = s.scalar(select(AuditHead.seq))
        assert n and n > 0
        r = _verify(sf)
        assert not r.ok and r.unsealed and "bastion audit seal" in r.reason and "consistent" in r.reason
        sealed = audit.seal(sf, actor="cli:test")
        assert sealed.sealed and sealed.legacy_ok and sealed.legacy_records == n
        r = _verify(sf)
        assert r.ok and r.checked == n + 1
        with sf() as s:
            last = s.scalar(select(AuditLog).where(AuditLog.seq == n + 1))
            assert last.action == "audit.seal" and last.details["legacy_ok"] is True
        assert not audit.seal(sf, actor="cli:test").sealed  # idempotent
        assert not _verify(make_session_factory(eng, audit_key=b"a different key entirely....")).ok
    finally:
        eng.dispose()


def test_a_broken_legacy_chain_is_sealed_with_the_break_on_record(tmp_path: Path) -> None:
    eng = make_engine(_legacy_db(tmp_path))
    try:
        migrate.upgrade(eng)
        sf = make_session_factory(eng)
        with sf.begin() as s:
            s.execute(update(AuditLog).where(AuditLog.seq == 1).values(actor="user:forger"))
        assert "broken" in _verify(sf).reason
        audit.record_now(sf, actor="user:x", action="login")  # the first keyed append seals in its transaction
        with sf() as s:
            seal = s.scalar(select(AuditLog).where(AuditLog.action == "audit.seal"))
            assert seal.outcome == "legacy_broken" and seal.details["legacy_broken_seq"] == 1
        assert _verify(sf).ok
    finally:
        eng.dispose()


def test_cli_anchor_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("BASTION_DATABASE_URL", raising=False)
    monkeypatch.setenv("BASTION_AUDIT_KEY", "an audit key that is long enough")
    monkeypatch.setenv("PW", "a long enough secret")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    assert runner.invoke(app, ["agencies", "create", "Police HQ", "--kind", "police"]).exit_code == 0
    out = tmp_path / "anchor.json"
    r = runner.invoke(app, ["audit", "anchor", "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["count"] >= 1
    r = runner.invoke(app, ["audit", "verify", "--anchor", str(out)])
    assert r.exit_code == 0 and "extends the anchor" in r.output
    monkeypatch.setenv("BASTION_AUDIT_KEY", "another audit key, long enough too")
    r = runner.invoke(app, ["audit", "verify", "--anchor", str(out)])
    assert r.exit_code == 1 and "signature" in r.output
    monkeypatch.setenv("BASTION_AUDIT_KEY", "an audit key that is long enough")
    eng = make_engine(f"sqlite:///{tmp_path / 'bastion.db'}")
    with eng.begin() as c:
        c.execute(delete(AuditLog))
        c.execute(delete(AuditHead))
    eng.dispose()
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    r = runner.invoke(app, ["audit", "verify", "--anchor", str(out)])
    assert r.exit_code == 1 and "wiped" in " ".join(r.output.split())
    r = runner.invoke(app, ["audit", "anchor"])
    assert r.exit_code == 0 and '"count": 0' in r.output


def test_cli_reports_and_seals_a_legacy_chain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    url = _legacy_db(tmp_path)
    monkeypatch.setenv("BASTION_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BASTION_DATABASE_URL", url)
    monkeypatch.setenv("BASTION_AUDIT_KEY", "an audit key that is long enough")
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["audit", "verify"])
    out = " ".join(r.output.split())
    assert r.exit_code == 1 and "not sealed" in out and "bastion audit seal" in out
    r = runner.invoke(app, ["audit", "seal"])
    assert r.exit_code == 0 and "links were intact" in " ".join(r.output.split())
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
    assert "nothing to seal" in runner.invoke(app, ["audit", "seal"]).output
