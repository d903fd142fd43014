"""The audit trail: append-only records chained by HMAC-SHA256 under a key kept out of the database; verify
names the first broken link; a signed anchor kept elsewhere detects rewrite, truncation and wipe; export."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import logging
import re
from collections.abc import Iterator
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import AuditHead
from bastion.access.models import AuditLog
from bastion.kernel.csvsafe import LINE_TERMINATOR
from bastion.kernel.csvsafe import cell
from bastion.kernel.db.base import rows_changed
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.settings import DEFAULT_SECRET_KEY
from bastion.kernel.settings import derive_audit_key

log = logging.getLogger(__name__)

GENESIS = "0" * 64
AUDIT_KEY_INFO = "audit_key"  # session.info key carrying the HMAC key (kernel.db.engine.make_session_factory)
DEV_AUDIT_KEY = derive_audit_key(DEFAULT_SECRET_KEY)
FIELDS = ("seq", "at", "actor", "action", "object_type", "object_id", "client", "outcome", "details")


def canonical(values: dict[str, Any]) -> str:
    """The record's content as canonical JSON (sorted keys, UTC ISO time with microseconds, no spaces)."""
    at = values["at"]
    if isinstance(at, dt.datetime):
        at = at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    body = {k: values[k] for k in FIELDS}
    body["at"] = at
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash: str, values: dict[str, Any], key: bytes | None = None) -> str:
    """HMAC-SHA256(key, previous hash + canonical content); key None: the legacy plain SHA-256 (before 0204)."""
    msg = (prev_hash + canonical(values)).encode()
    if key is None:
        return hashlib.sha256(msg).hexdigest()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def head_sig(key: bytes, seq: int, hash_: str) -> str:
    """The head's signature: moving the head back over a truncated tail needs the key."""
    return hmac.new(key, f"bastion-audit-head:{seq}:{hash_}".encode(), hashlib.sha256).hexdigest()


def session_key(session: Session) -> bytes:
    """The audit key the session factory carries (make_session_factory(engine, audit_key=...))."""
    key = session.info.get(AUDIT_KEY_INFO)
    if key is None:
        return DEV_AUDIT_KEY
    return key if isinstance(key, bytes) else str(key).encode()


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _clip(v: str | None, n: int) -> str | None:
    """At most ``n`` characters, control characters (newlines, escapes) shown as \\xNN: one record, one line."""
    if v is None:
        return None
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(v))[:n]


def _lock_head(session: Session, key: bytes) -> Any:
    """Take the head row's write lock (both backends: an UPDATE before anything is read); create it on a new
    chain (signed: a new chain is keyed from its first record)."""
    bumped = session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq))
    if not rows_changed(bumped):
        session.add(AuditHead(id=1, seq=0, hash=GENESIS, sig=head_sig(key, 0, GENESIS)))
        session.flush()
    return session.execute(select(AuditHead.seq, AuditHead.hash, AuditHead.sig).where(AuditHead.id == 1)).one()


def _append(session: Session, key: bytes, seq: int, prev: str, values: dict[str, Any]) -> AuditLog:
    values = {**values, "seq": seq}
    h = chain_hash(prev, values, key)
    row = AuditLog(**values, prev_hash=prev, hash=h)
    session.add(row)
    session.execute(update(AuditHead).where(AuditHead.id == 1).values(seq=seq, hash=h, sig=head_sig(key, seq, h)))
    session.flush()
    return row


def _values(*, actor: str, action: str, object_type: str | None, object_id: object, client: str | None,
            outcome: str, details: dict[str, Any] | None, now: dt.datetime | None) -> dict[str, Any]:
    return {
        "at": (now or utcnow()).astimezone(dt.UTC), "actor": _clip(actor, 120) or "unknown",
        "action": _clip(action, 120), "object_type": _clip(object_type, 60),
        "object_id": _clip(None if object_id is None else str(object_id), 120),
        "client": _clip(client, 120), "outcome": _clip(outcome, 30), "details": details or {},
    }


def record(
    session: Session, *, actor: str, action: str, object_type: str | None = None, object_id: object = None,
    client: str | None = None, outcome: str = "ok", details: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> AuditLog:
    """Append one record in the caller's transaction (it commits). Locks the head row first, so appends are
    serialised on both backends. A legacy plain-SHA-256 chain is checked and sealed under the key first."""
    key = session_key(session)
    session.flush()  # the caller's pending changes reach the write journal first
    changes = session.info.pop("journal", None)
    more = session.info.pop("journal_more", 0)
    if changes and not (details and "changes" in details):
        details = {**(details or {}), "changes": changes}  # before/after of what this transaction edited
        if more:
            details["changes_not_listed"] = more  # rows past the journal's limit (an import), counted
    head = _lock_head(session, key)
    seq, prev = int(head.seq), str(head.hash)
    if head.sig is None and seq > 0:  # a legacy chain with records (an empty head from 0101 just gets signed)
        seq, prev = _seal_locked(session, key, actor=actor)
    return _append(session, key, seq + 1, prev, _values(
        actor=actor, action=action, object_type=object_type, object_id=object_id, client=client, outcome=outcome,
        details=details, now=now))


def record_journal(session: Session, *, actor: str, entries: list[dict[str, Any]]) -> None:
    """The kernel's write journal hands over a CLI transaction's changes no service audited (kernel.db.journal):
    one `cli.write` record with the command, the tables and each row's before/after values."""
    tables = sorted({str(e.get("table")) for e in entries if e.get("table")})
    record(session, actor=actor, action="cli.write", object_type=tables[0] if len(tables) == 1 else "database",
           client="local", details={"command": str(session.info.get("cli_command") or "")[:200], "tables": tables,
                                    "changes": entries})


def record_now(session_factory: sessionmaker[Session], **kwargs: Any) -> None:
    """Append one record in its own transaction (failed logins, denials: recorded even when the request fails)."""
    with unit_of_work(session_factory) as s:
        record(s, **kwargs)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    unsealed: bool = False


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditLog]:
    last = -1
    while True:
        rows = session.scalars(select(AuditLog).where(AuditLog.seq > last).order_by(AuditLog.seq).limit(batch)).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def _walk(session: Session, key: bytes | None) -> tuple[VerifyResult | None, int, str]:
    """Walk the records in sequence order: (the first broken link or None, records checked, last hash)."""
    prev = GENESIS
    expected_seq = 1
    n = 0
    for r in _rows(session):
        values = {k: getattr(r, k) for k in FIELDS}
        if r.seq != expected_seq:
            return VerifyResult(False, n, r.seq, r.id, f"record seq {r.seq} follows seq {expected_seq - 1}: "
                                f"{r.seq - expected_seq} record(s) missing before it"), n, prev
        if r.prev_hash != prev:
            return VerifyResult(False, n, r.seq, r.id, f"record seq {r.seq} does not link to the previous record "
                                "(prev_hash differs): the previous record was edited or removed"), n, prev
        if not hmac.compare_digest(chain_hash(prev, values, key), r.hash):
            return VerifyResult(False, n, r.seq, r.id, f"record seq {r.seq} (id {r.id}) was modified: its content "
                                "does not match its hash" + ("" if key is None else " under the audit key")), n, prev
        prev = r.hash
        expected_seq += 1
        n += 1
    return None, n, prev


def verify(session: Session) -> VerifyResult:
    """Walk the chain in sequence order under the audit key; the first record whose content, link or position is
    wrong is named; the head must be signed with the key. A legacy chain that was never sealed is not ok."""
    key = session_key(session)
    head = session.execute(select(AuditHead.seq, AuditHead.hash, AuditHead.sig).where(AuditHead.id == 1)).one_or_none()
    if head is not None and head.sig is None and (head.seq or _has_records(session)):
        broken, n, _ = _walk(session, None)
        legacy = "its plain SHA-256 links are consistent" if broken is None else f"and it is broken: {broken.reason}"
        return VerifyResult(False, n, None, None, f"the audit chain ({head.seq} records) predates keyed hashing, "
                            f"{legacy}; an unkeyed chain can be rewritten by anyone with database access. Run "
                            "`bastion audit seal` to check it and seal it under the audit key", unsealed=True)
    broken, n, prev = _walk(session, key)
    if broken is not None:
        return broken
    if head is None or (head.sig is None and head.seq == 0 and n == 0):
        if n:
            return VerifyResult(False, n, None, None, "the audit head row is missing")
        return VerifyResult(True, 0)
    if head.seq != n or head.hash != prev:
        return VerifyResult(False, n, n + 1 if head.seq > n else head.seq, None,
                            f"the chain ends at seq {n} but the head records seq {head.seq}: "
                            "records at the end were deleted (or the head was edited)")
    if not hmac.compare_digest(head.sig, head_sig(key, int(head.seq), str(head.hash))):
        return VerifyResult(False, n, None, None, f"the head (seq {head.seq}) is not signed with the audit key: it "
                            "was moved or edited without the key (records at the end may have been deleted), or "
                            "BASTION_AUDIT_KEY / BASTION_SECRET_KEY differs from the one that wrote the chain")
    return VerifyResult(True, n)


def _seal_locked(session: Session, key: bytes, *, actor: str) -> tuple[int, str]:
    """Check the legacy plain chain, re-hash every record under the key and append an `audit.seal` record
    saying what was found (the head is locked by the caller). Returns the new (seq, hash) of the head."""
    broken, _, _ = _walk(session, None)
    prev, last = GENESIS, 0
    for r in _rows(session):
        r.prev_hash = prev
        r.hash = chain_hash(prev, {k: getattr(r, k) for k in FIELDS}, key)
        prev, last = r.hash, r.seq
    session.flush()
    details: dict[str, Any] = {"legacy_records": last, "legacy_ok": broken is None}
    if broken is not None:
        details["legacy_broken_seq"], details["legacy_reason"] = broken.broken_seq, broken.reason
        log.warning("sealing a legacy audit chain that was broken: %s", broken.reason)
    _append(session, key, last + 1, prev, _values(
        actor=actor, action="audit.seal", object_type="audit", object_id=None, client=None,
        outcome="ok" if broken is None else "legacy_broken", details=details, now=None))
    return last + 1, _head(session).hash


def _has_records(session: Session) -> bool:
    return session.scalar(select(AuditLog.id).limit(1)) is not None


def _head(session: Session) -> Any:
    return session.execute(select(AuditHead.seq, AuditHead.hash, AuditHead.sig).where(AuditHead.id == 1)).one()


@dataclass(frozen=True)
class SealResult:
    sealed: bool
    legacy_records: int
    legacy_ok: bool
    reason: str = ""


def seal(session_factory: sessionmaker[Session], *, actor: str) -> SealResult:
    """Seal a legacy plain-SHA-256 chain under the audit key (idempotent: a keyed chain is left alone). The
    legacy chain is checked first; what was found is recorded in the `audit.seal` record."""
    with unit_of_work(session_factory) as s:
        key = session_key(s)
        head = _lock_head(s, key)
        if head.sig is not None or head.seq == 0:
            return SealResult(False, 0, True, "the chain is already keyed")
        _seal_locked(s, key, actor=actor)
        row = s.scalar(select(AuditLog).where(AuditLog.action == "audit.seal").order_by(AuditLog.seq.desc()))
        d = row.details if row is not None else {}
        return SealResult(True, int(d.get("legacy_records", 0)), bool(d.get("legacy_ok", True)),
                          str(d.get("legacy_reason", "")))


ANCHOR_KIND = "bastion-audit-anchor"
ANCHOR_FIELDS = ("kind", "version", "count", "hash", "at")


def _anchor_sig(key: bytes, body: dict[str, Any]) -> str:
    msg = json.dumps({k: body.get(k) for k in ANCHOR_FIELDS}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, ("bastion-audit-anchor:" + msg).encode(), hashlib.sha256).hexdigest()


def anchor(session: Session, *, now: dt.datetime | None = None) -> dict[str, Any]:
    """The signed head to keep outside the database (count + hash + time, HMAC-signed). Refused on a chain
    that does not verify: an anchor vouches for what it anchors."""
    r = verify(session)
    if not r.ok:
        raise Conflict(f"the audit chain does not verify, no anchor made: {r.reason}")
    head = session.execute(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one_or_none()
    body: dict[str, Any] = {
        "kind": ANCHOR_KIND, "version": 1, "count": 0 if head is None else int(head.seq),
        "hash": GENESIS if head is None else str(head.hash),
        "at": (now or utcnow()).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
    }
    body["sig"] = _anchor_sig(session_key(session), body)
    return body


def verify_anchor(session: Session, anchor_: dict[str, Any]) -> VerifyResult:
    """The chain verifies and still contains the anchored head: record `count` exists with the anchored hash.
    Detects a rewrite (with or without the key), a truncated tail and a total wipe."""
    key = session_key(session)
    if not isinstance(anchor_, dict) or anchor_.get("kind") != ANCHOR_KIND or not isinstance(anchor_.get("sig"), str):
        return VerifyResult(False, 0, None, None, "the anchor file is not a Bastion audit anchor "
                            "(make one with `bastion audit anchor --out FILE`)")
    if not hmac.compare_digest(anchor_["sig"], _anchor_sig(key, anchor_)):
        return VerifyResult(False, 0, None, None, "the anchor's signature does not match: the anchor file was "
                            "edited, or it was signed with another audit key")
    r = verify(session)
    if not r.ok:
        return r
    count, want, made = int(anchor_["count"]), str(anchor_["hash"]), anchor_["at"]
    if count == 0:
        return r
    if r.checked < count:
        what = "the audit log was wiped" if r.checked == 0 else "records at the end were deleted"
        return VerifyResult(False, r.checked, r.checked + 1, None, f"the chain holds {r.checked} records but the "
                            f"anchor made at {made} recorded {count}: {what}")
    row = session.scalar(select(AuditLog).where(AuditLog.seq == count))
    if row is None or not hmac.compare_digest(row.hash, want):
        return VerifyResult(False, r.checked, count, None if row is None else row.id,
                            f"record seq {count} differs from the anchor made at {made}: the chain was rewritten")
    return VerifyResult(True, r.checked, reason=f"the chain extends the anchor made at {made} (seq {count})")


def rows(session: Session, *, since: dt.datetime | None = None, limit: int | None = None,
         offset: int = 0) -> Sequence[AuditLog]:
    q = select(AuditLog).order_by(AuditLog.seq)
    if since is not None:
        q = q.where(AuditLog.at >= since)
    return session.scalars(q.offset(offset).limit(limit)).all()


def count(session: Session, *, since: dt.datetime | None = None) -> int:
    q = select(func.count()).select_from(AuditLog)
    if since is not None:
        q = q.where(AuditLog.at >= since)
    return int(session.scalar(q) or 0)


def as_dict(r: AuditLog) -> dict[str, Any]:
    d = {k: getattr(r, k) for k in FIELDS}
    d["at"] = r.at.astimezone(dt.UTC).isoformat()
    d["prev_hash"], d["hash"] = r.prev_hash, r.hash
    return d


def export(session: Session, fmt: str, *, since: dt.datetime | None = None) -> str:
    """The log as CSV or JSON (a list of records with their hashes, so a copy can be verified elsewhere)."""
    if fmt not in ("csv", "json"):
        raise InvalidInput(f"format {fmt!r} is unknown: use csv or json", field="format")
    items = [as_dict(r) for r in rows(session, since=since)]
    if fmt == "json":
        return json.dumps(items, ensure_ascii=False, indent=1)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=[*FIELDS, "prev_hash", "hash"], lineterminator=LINE_TERMINATOR)
    w.writeheader()
    for d in items:
        row = {**d, "details": json.dumps(d["details"], sort_keys=True, ensure_ascii=False)}
        w.writerow({k: cell(v) for k, v in row.items()})
    return buf.getvalue()
