"""The audit hash chain: tampering with one row directly in the database is found and named; appends from
concurrent writers keep one linear chain (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine
from sqlalchemy import delete
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access.models import AuditHead
from bastion.access.models import AuditLog
from bastion.kernel.errors import InvalidInput


def _fill(sf: sessionmaker[Session], n: int = 6) -> None:
    for i in range(n):
        audit.record_now(sf, actor=f"user:u{i}", action="site.edit", object_type="site", object_id=i,
                         client="10.0.0.1", details={"i": i, "note": "ünïcode ✓"})


def _verify(sf: sessionmaker[Session]) -> audit.VerifyResult:
    with sf() as s:
        return audit.verify(s)


def test_intact_chain(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory)
    r = _verify(session_factory)
    assert r.ok and r.checked == 6
    with session_factory() as s:
        rows = s.scalars(select(AuditLog).order_by(AuditLog.seq)).all()
        assert rows[0].prev_hash == audit.GENESIS
        assert all(b.prev_hash == a.hash for a, b in zip(rows, rows[1:], strict=False))


@pytest.mark.parametrize("column,value", [("actor", "user:someone-else"), ("outcome", "denied"),
                                          ("object_id", "999"), ("client", "127.0.0.1")])
def test_edited_row_is_named(session_factory: sessionmaker[Session], column: str, value: str) -> None:
    _fill(session_factory)
    with session_factory.begin() as s:
        s.execute(update(AuditLog).where(AuditLog.seq == 4).values({column: value}))
    r = _verify(session_factory)
    assert not r.ok and r.broken_seq == 4 and r.checked == 3 and "seq 4" in r.reason and "modified" in r.reason


def test_edited_time_and_details_are_named(session_factory: sessionmaker[Session], engine: Engine) -> None:
    _fill(session_factory)
    with engine.begin() as c:  # raw SQL, as an intruder would
        c.execute(text("UPDATE audit_log SET details = :d WHERE seq = 2"), {"d": '{"i": 1, "note": "x"}'})
    assert _verify(session_factory).broken_seq == 2


def test_recomputed_hash_breaks_the_next_link(session_factory: sessionmaker[Session]) -> None:
    """Editing a record and recomputing its own hash (even with the audit key) is caught at the next link."""
    _fill(session_factory)
    with session_factory.begin() as s:
        row = s.scalar(select(AuditLog).where(AuditLog.seq == 3))
        row.actor = "user:forger"
        row.hash = audit.chain_hash(row.prev_hash, {k: getattr(row, k) for k in audit.FIELDS}, audit.session_key(s))
    r = _verify(session_factory)
    assert not r.ok and r.broken_seq == 4 and "does not link" in r.reason


def test_deleted_rows_are_detected(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory)
    with session_factory.begin() as s:
        s.execute(delete(AuditLog).where(AuditLog.seq == 3))
    r = _verify(session_factory)
    assert not r.ok and r.broken_seq == 4 and "missing" in r.reason
    with session_factory.begin() as s:  # and a deleted tail
        s.execute(delete(AuditLog).where(AuditLog.seq >= 3))
    r = _verify(session_factory)
    assert not r.ok and "head records seq 6" in r.reason


def test_concurrent_appends_form_one_chain(session_factory: sessionmaker[Session]) -> None:
    errors: list[BaseException] = []

    def worker(k: int) -> None:
        try:
            for i in range(8):
                audit.record_now(session_factory, actor=f"user:w{k}", action="x", object_id=i)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    r = _verify(session_factory)
    assert r.ok and r.checked == 32
    with session_factory() as s:
        assert s.scalar(select(AuditHead.seq)) == 32


def test_export_formats(session_factory: sessionmaker[Session]) -> None:
    _fill(session_factory, 2)
    with session_factory() as s:
        assert audit.export(s, "csv").splitlines()[0] == ",".join([*audit.FIELDS, "prev_hash", "hash"])
        assert '"ünïcode ✓"' in audit.export(s, "json")
        with pytest.raises(InvalidInput, match="csv or json"):
            audit.export(s, "xml")
