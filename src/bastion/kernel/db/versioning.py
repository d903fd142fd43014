"""Optimistic concurrency: every editable record carries a `version` integer, and a write claims it.

A write names the version it read (HTTP `If-Match: "7"`, a `version` field in the body, or `--version` on the
command line). `claim` moves the version on with one conditional statement,

    UPDATE t SET version = version + 1 WHERE id = :id AND version = :expected

and counts the rows it changed: none means another writer got there first (or the caller read an older copy),
and the caller gets `VersionConflict` (409) naming the current version; nothing is overwritten. The statement
takes the row's write lock (PostgreSQL) or the database write lock (SQLite) before the caller changes anything,
so two writers that read the same version can never both pass. When the caller names no version, the version
read in the same transaction is used: a request's own read-modify-write is still atomic (two identical task
transitions cannot both succeed), but the caller may overwrite a change it never saw — which is why the API can
be told to require a precondition (BASTION_REQUIRE_IF_MATCH, 428 without one). See docs/security.md.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from bastion.kernel.db import journal
from bastion.kernel.db.base import rows_changed
from bastion.kernel.errors import BastionError
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound

MAX_VERSION = 2**31 - 1
_ETAG = re.compile(r'^\s*(?:W/)?"?(\d{1,10})"?\s*$')


class VersionConflict(Conflict):
    """A write named a version that is no longer the current one (HTTP 409; the response carries the current
    version in its message and its ETag header)."""

    code = "version_conflict"

    def __init__(self, what: str, ident: object, *, current: int, expected: int, named: bool = True) -> None:
        seen = f"you sent version {expected}" if named else f"this request read version {expected}"
        super().__init__(f"{what} {ident} was changed by someone else: {seen}, the current version is {current}; "
                         "read it again and re-apply your change")
        self.current_version = current
        self.expected_version = expected


class PreconditionRequired(BastionError):
    """A write that must name the version it read did not (HTTP 428)."""

    code = "precondition_required"


def etag(version: int) -> str:
    """The strong entity tag of a record version, as sent in ETag and expected in If-Match."""
    return f'"{int(version)}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match header names: `"7"`, `W/"7"` or `7`; `*` and absence are None (no precondition)."""
    if header is None or header.strip() in ("", "*"):
        return None
    m = _ETAG.match(header)
    if m is None or int(m.group(1)) > MAX_VERSION:
        raise InvalidInput(f"If-Match {header[:40]!r} is not a version tag: send the ETag you read, e.g. \"3\"",
                           field="If-Match")
    return int(m.group(1))


def expected_version(if_match: int | None, body_version: int | None) -> int | None:
    """One expected version from the header and the body (they must agree when both are given)."""
    if if_match is not None and body_version is not None and if_match != body_version:
        raise InvalidInput(f"If-Match names version {if_match} but the body's version is {body_version}: send one",
                           field="version")
    return if_match if if_match is not None else body_version


def claim(session: Session, model: Any, ident: int, expected: int | None, *, what: str,
          obj: Any = None, key: str = "id") -> int:
    """Move the record's version on if it still is `expected` (None: the version `obj` was read with, or any).
    Returns the new version (and sets it on `obj` without marking it dirty); raises VersionConflict (409) when
    another writer moved it first, NotFound when the record is gone."""
    named = expected is not None
    if expected is None and obj is not None:
        expected = int(obj.version)
    pk = getattr(model, key)
    stmt = update(model).where(pk == ident)
    if expected is not None:
        stmt = stmt.where(model.version == expected)
    done = session.execute(stmt.values(version=model.version + 1).execution_options(synchronize_session=False))
    if rows_changed(done) != 1:
        current = session.scalar(select(model.version).where(pk == ident))
        if current is None:
            raise NotFound(f"{what} {ident} does not exist")
        raise VersionConflict(what, ident, current=int(current), expected=int(expected or 0), named=named)
    new = int(session.scalar(select(model.version).where(pk == ident)) or 0)
    if obj is not None:
        set_committed_value(obj, "version", new)
    journal.note(session, model.__tablename__, ident, "update", {"version": [new - 1, new]})
    return new
