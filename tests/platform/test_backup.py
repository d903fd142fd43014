"""Backup and restore give identical query results (SQLite backup API; pg_dump/pg_restore)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bastion.access import audit
from bastion.access.models import AuditLog
from bastion.kernel.db.base import Base
from bastion.kernel.errors import InvalidInput
from bastion.platform import backup
from bastion.sites.models import Site
from tests.auth_helpers import make_user


def snapshot(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    out = {}
    with engine.connect() as c:
        for t in Base.metadata.sorted_tables:
            out[t.name] = [tuple(r) for r in c.execute(select(t).order_by(*t.primary_key.columns))]
        out["alembic_version"] = [tuple(r) for r in c.execute(text("SELECT version_num FROM alembic_version"))]
    return out


def test_round_trip_identical(engine: Engine, monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    make_user(monaco_sf, "ops", role="coordinator")
    f = backup.backup(engine, tmp_path / "bastion.backup", actor="test")
    before = snapshot(engine)
    assert len(before["sites"]) == 153 and len(before["road_edges"]) > 1000 and before["users"]
    # change things after the backup: edit, delete, add
    with monaco_sf.begin() as s:
        s.execute(update(Site).values(notes="changed"))
        s.query(Site).filter(Site.category == "health").delete()
    make_user(monaco_sf, "late", role="viewer")
    assert snapshot(engine) != before
    backup.restore(engine, f, actor="test")
    after = snapshot(engine)
    restored_log = after.pop("audit_log")
    expected_log = before.pop("audit_log")
    after.pop("audit_head"), before.pop("audit_head")
    assert after == before
    assert restored_log[:len(expected_log)] == expected_log  # the backup's trail, then one record of the restore
    with monaco_sf() as s:
        assert [r.action for r in s.scalars(select(AuditLog).order_by(AuditLog.seq))][-1] == "db.restore"
        assert audit.verify(s).ok


def test_bad_backup_files(engine: Engine, tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 100)
    with pytest.raises(InvalidInput, match="not a"):
        backup.restore(engine, junk, actor="test")
    with pytest.raises(InvalidInput, match="does not exist"):
        backup.restore(engine, tmp_path / "missing", actor="test")
    with pytest.raises(InvalidInput, match="does not exist"):
        backup.backup(engine, tmp_path / "no" / "dir" / "x.backup", actor="test")
