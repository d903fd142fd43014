"""Backup and restore give identical query results (SQLite backup API; pg_dump/pg_restore)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy import select
from sqlalchemy import text
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access.models import ApiToken
from bastion.access.models import AuditLog
from bastion.access.models import User
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
    # a restore revokes every token and session (security finding 9): those tables differ only by revoked_at
    tokens_after, tokens_before = after.pop("api_tokens"), before.pop("api_tokens")
    after.pop("web_sessions"), before.pop("web_sessions")
    assert after == before
    revoked = list(ApiToken.__table__.columns.keys()).index("revoked_at")
    assert len(tokens_after) == len(tokens_before) and all(t[revoked] is not None for t in tokens_after)
    # the backup's trail, then the records made after it (carried forward), then one record of the restore
    assert restored_log[:len(expected_log)] == expected_log
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


def test_restore_is_safe(engine: Engine, monaco_sf: sessionmaker[Session], tmp_path: Path) -> None:
    """Security finding 9: a non-Bastion SQLite file wiped the live database; a restore brought back revoked
    tokens and disabled accounts and erased the audit records made after the backup, with a chain that still
    verified; backups were world-readable."""
    import sqlite3
    import stat

    make_user(monaco_sf, "ops", role="coordinator")
    make_user(monaco_sf, "rogue", role="coordinator")
    f = backup.backup(engine, tmp_path / "bastion.backup", actor="test")
    assert stat.S_IMODE(f.stat().st_mode) == 0o600
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE notes (x TEXT)")
    with monaco_sf() as s:
        n_sites = len(s.scalars(select(Site.id)).all())
    with pytest.raises(InvalidInput, match="nothing was changed"):  # a SQLite file that is not Bastion's
        backup.restore(engine, other, actor="test")
    with monaco_sf() as s:
        assert len(s.scalars(select(Site.id)).all()) == n_sites  # nothing touched
    # after the backup: the rogue account is disabled, and that is audited
    with monaco_sf.begin() as s:
        s.execute(update(User).where(User.login == "rogue").values(status="disabled"))
        audit.record(s, actor="test", action="user.disable", object_type="user", object_id="rogue")
    pre = backup.restore(engine, f, actor="test")
    assert pre.is_file() and stat.S_IMODE(pre.stat().st_mode) == 0o600
    with monaco_sf() as s:
        assert s.scalar(select(User.status).where(User.login == "rogue")) == "disabled"
        assert all(t.revoked_at is not None for t in s.scalars(select(ApiToken)))
        actions = [r.action for r in s.scalars(select(AuditLog).order_by(AuditLog.seq))]
        assert "user.disable" in actions and actions[-1] == "db.restore"
        assert audit.verify(s).ok
