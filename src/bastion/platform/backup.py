"""Consistent online backup and restore: SQLite's backup API; pg_dump / pg_restore for PostgreSQL."""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from bastion.access import audit
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import BastionError, InvalidInput

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
    os.replace(tmp, file)  # the backup file appears whole or not at all
    log.info("backup of %s written to %s", engine.url.render_as_string(), file)
    return file


def restore(engine: Engine, file: Path, *, actor: str) -> None:
    """Replace the live database's contents with the backup in `file` (made by `backup` on the same backend)."""
    file = Path(file)
    if not file.is_file():
        raise InvalidInput(f"backup file {str(file)!r} does not exist", field="file")
    head = file.read_bytes()[:16]
    if engine.dialect.name == "sqlite":
        if not head.startswith(SQLITE_MAGIC):
            raise InvalidInput(f"{file.name} is not a SQLite backup (restore into a SQLite database needs a file "
                               "written by `bastion db backup` on SQLite)", field="file")
        src = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            check = src.execute("PRAGMA integrity_check").fetchone()[0]
            if check != "ok":
                raise InvalidInput(f"{file.name} is damaged: {check}", field="file")
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
            raise InvalidInput(f"{file.name} is not a pg_dump custom-format backup", field="file")
        engine.dispose()
        proc = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges",
                               "--single-transaction", "--exit-on-error", f"--dbname={_libpq_url(engine)}", str(file)],
                              capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BastionError(f"pg_restore failed (nothing was changed): {proc.stderr.strip()[:500]}")
    with unit_of_work(sessionmaker(engine)) as s:
        audit.record(s, actor=actor, action="db.restore", object_type="file", object_id=file.name)
    log.info("restored %s from %s", engine.url.render_as_string(), file)

