"""Consistent online backup and restore: SQLite's backup API; pg_dump / pg_restore for PostgreSQL."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.access.models import ApiToken
from bastion.access.models import AuditHead
from bastion.access.models import AuditLog
from bastion.access.models import User
from bastion.access.models import WebSession
from bastion.kernel.db.base import rows_changed
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import BastionError
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)
SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"


def _libpq_url(engine: Engine) -> str:
    url = engine.url.set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BastionError(f"{name} is not installed: install the PostgreSQL client tools (apt install "
                           "postgresql-client) with the server's major version")
    return path


def _sqlite_path(engine: Engine) -> Path:
    db = engine.url.database
    if not db or db == ":memory:":
        raise InvalidInput("an in-memory SQLite database cannot be backed up", field="database_url")
    return Path(db)


def backup(engine: Engine, file: Path, *, actor: str, overwrite: bool = False) -> Path:
    """Write a consistent copy of the live database to `file` (SQLite file, or pg_dump custom format)."""
    file = Path(file)
    if file.exists() and not overwrite:
        raise InvalidInput(f"{file} already exists: choose a new file name (or --force to overwrite)", field="file")
    if not file.parent.is_dir():
        raise InvalidInput(f"folder {str(file.parent)!r} does not exist", field="file")
    audit.record_now(sessionmaker(engine), actor=actor, action="db.backup", object_type="file", object_id=file.name)
    tmp = file.with_name(file.name + ".partial")
    tmp.unlink(missing_ok=True)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))  # the copy holds secrets: owner only
    if engine.dialect.name == "sqlite":
        src = sqlite3.connect(str(_sqlite_path(engine)))
        dst = sqlite3.connect(str(tmp))
        try:
            with dst:
                src.backup(dst)
        finally:
            dst.close()
            src.close()
    else:
        proc = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                               f"--file={tmp}", f"--dbname={_libpq_url(engine)}"],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            tmp.unlink(missing_ok=True)
            raise BastionError(f"pg_dump failed: {proc.stderr.strip()[:500]}")
    os.chmod(tmp, 0o600)
    os.replace(tmp, file)  # the backup file appears whole or not at all
    log.info("backup of %s written to %s", engine.url.render_as_string(), file)
    return file


BASTION_TABLES = ("alembic_version", "audit_log", "audit_head", "users", "api_tokens", "web_sessions", "sites")


def _check_sqlite_backup(src: sqlite3.Connection, name: str) -> None:
    """A Bastion database, undamaged: checked before anything of the live database is touched."""
    check = src.execute("PRAGMA integrity_check").fetchone()[0]
    if check != "ok":
        raise InvalidInput(f"{name} is damaged: {check}; nothing was changed", field="file")
    tables = {r[0] for r in src.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in BASTION_TABLES if t not in tables]
    if missing or not src.execute("SELECT version_num FROM alembic_version").fetchone():
        raise InvalidInput(f"{name} is a SQLite file but not a Bastion backup (no {', '.join(missing) or 'revision'}"
                           "); nothing was changed", field="file")


def _check_pg_backup(file: Path) -> None:
    proc = subprocess.run([_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True, check=False)
    listing = proc.stdout
    missing = [t for t in BASTION_TABLES if f"TABLE public {t} " not in listing]
    if proc.returncode != 0 or missing:
        raise InvalidInput(f"{file.name} is not a Bastion backup (missing {', '.join(missing) or 'a readable list'});"
                           " nothing was changed", field="file")


def _restore_list(file: Path, directory: Path) -> Path:
    """The backup's table of contents less its extensions and their data (PostGIS and its spatial_ref_sys,
    ADR 0004): the live database keeps the extension it has, so a database owner who is not a superuser can
    restore (dropping or creating PostGIS needs one)."""
    proc = subprocess.run([_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True, check=False)
    keep = [line for line in proc.stdout.splitlines()
            if not re.match(r"^\d+; \d+ \d+ ((COMMENT - )?EXTENSION |TABLE DATA public spatial_ref_sys )", line)]
    toc = directory / "restore.list"
    toc.write_text("\n".join(keep) + "\n", encoding="utf-8")
    return toc


def _live_state(engine: Engine) -> dict[str, Any]:
    """What a restore must not undo: the audit trail written since (carried forward), disabled accounts."""
    with Session(engine) as s:
        head = s.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
        disabled = list(s.scalars(select(User.login).where(User.status != "active")))
        log_rows = [{c: getattr(r, c) for c in (*audit.FIELDS, "prev_hash", "hash")}
                    for r in s.scalars(select(AuditLog).order_by(AuditLog.seq))]
    return {"head": None if head is None else (int(head.seq), head.hash), "disabled": disabled, "log": log_rows}


def _after_restore(engine: Engine, live: dict[str, Any], *, actor: str, file: Path, pre_copy: Path) -> None:
    """In one transaction: carry the audit records made after the backup forward (when the backup's chain is a
    prefix of the live one), keep accounts disabled that were disabled, revoke every session and token, and
    record the restore with both heads (so an operator's anchor can be carried forward)."""
    now = utcnow()
    with unit_of_work(sessionmaker(engine)) as s:
        b = s.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
        b_seq, b_hash = (int(b.seq), b.hash) if b is not None else (0, audit.GENESIS)
        later = [r for r in live["log"] if r["seq"] > b_seq]
        prefix = next((r["hash"] for r in live["log"] if r["seq"] == b_seq), audit.GENESIS) == b_hash
        carried = 0
        if later and prefix:
            s.execute(insert(AuditLog), later)
            last = later[-1]
            if b is None:
                s.add(AuditHead(id=1, seq=last["seq"], hash=last["hash"]))
            else:
                s.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=last["seq"], hash=last["hash"]))
            s.flush()
            carried = len(later)
        if live["disabled"]:
            s.execute(update(User).where(User.login.in_(live["disabled"]), User.status == "active")
                      .values(status="disabled"))
        tokens = rows_changed(s.execute(update(ApiToken).where(ApiToken.revoked_at.is_(None)).values(revoked_at=now)))
        sessions = rows_changed(s.execute(update(WebSession).where(WebSession.revoked_at.is_(None))
                                       .values(revoked_at=now)))
        audit.record(s, actor=actor, action="db.restore", object_type="file", object_id=file.name, details={
            "backup_head": {"seq": b_seq, "hash": b_hash},
            "previous_head": None if live["head"] is None else {"seq": live["head"][0], "hash": live["head"][1]},
            "carried_forward": carried, "not_carried": 0 if prefix else len(later),
            "kept_disabled": live["disabled"], "tokens_revoked": tokens, "sessions_revoked": sessions,
            "pre_restore_copy": pre_copy.name})


def restore(engine: Engine, file: Path, *, actor: str) -> Path:
    """Replace the live database's contents with the backup in `file` (made by `backup` on the same backend).

    Safe: the file is checked (a Bastion database, undamaged) before anything is touched; a pre-restore copy of
    the live database is written next to the backup first (returned); afterwards every session and token is
    revoked, accounts disabled in the live database stay disabled, audit records made after the backup are
    carried forward, and the restore is recorded with both chain heads."""
    file = Path(file)
    if not file.is_file():
        raise InvalidInput(f"backup file {str(file)!r} does not exist", field="file")
    head = file.read_bytes()[:16]
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    pre_copy = file.with_name(f"pre-restore-{stamp}{file.suffix or '.backup'}")
    if engine.dialect.name == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise InvalidInput(f"{file.name} is not a SQLite backup (restore into a SQLite database needs a file "
                               "written by `bastion db backup` on SQLite); nothing was changed", field="file")
        src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            _check_sqlite_backup(src, file.name)
            backup(engine, pre_copy, actor=actor)
            live = _live_state(engine)  # including the record of the pre-restore copy
            engine.dispose()  # no pooled connection keeps an old snapshot
            dst = sqlite3.connect(str(_sqlite_path(engine)), timeout=30)
            try:
                src.backup(dst)  # page-by-page copy under the destination's write lock: all or nothing
            finally:
                dst.close()
        finally:
            src.close()
    else:
        if not head.startswith(PGDUMP_MAGIC):
            raise InvalidInput(f"{file.name} is not a pg_dump custom-format backup; nothing was changed",
                               field="file")
        _check_pg_backup(file)
        backup(engine, pre_copy, actor=actor)
        live = _live_state(engine)
        engine.dispose()
        with tempfile.TemporaryDirectory() as tmp:
            toc = _restore_list(file, Path(tmp))
            proc = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                                   "--single-transaction", "--exit-on-error", f"--use-list={toc}",
                                   f"--dbname={_libpq_url(engine)}", str(file)],
                                  capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BastionError(f"pg_restore failed (nothing was changed): {proc.stderr.strip()[:500]}")
    _after_restore(engine, live, actor=actor, file=file, pre_copy=pre_copy)
    log.info("restored %s from %s (pre-restore copy: %s)", engine.url.render_as_string(), file, pre_copy)
    return pre_copy
