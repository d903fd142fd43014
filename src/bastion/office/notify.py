"""Notifications: queued per agency and channel (in-page always; e-mail and webhook where the agency has an
endpoint and its accounts' preferences allow), delivered with a receipt (SMTP reply, HTTP status), retried up
to 3 times; a daily digest of counts. Addresses are agency endpoints (duty mailboxes, webhooks), never persons'."""

from __future__ import annotations

import datetime as dt
import json
import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

import httpx
from sqlalchemy import case
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import or_
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import Agency
from bastion.access.models import User
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.office.config import settings
from bastion.office.models import Duty
from bastion.office.models import Endpoint
from bastion.office.models import Notification
from bastion.office.models import Preference

log = logging.getLogger(__name__)
CHANNELS = ("inpage", "email", "webhook")
MAX_ATTEMPTS = 3
SEND_BATCH = 20  # mails and webhooks claimed per check: 20 x the 10 s timeout stays well inside CLAIM_TIMEOUT
CLAIM_TIMEOUT = dt.timedelta(minutes=10)  # a claim older than this (its server stopped mid-send) is taken again


def _wanted(s: Session, agency_id: int) -> set[str]:
    """Channels the agency's accounts want (no preference recorded: every channel)."""
    prefs = s.execute(select(Preference.channels).join(User, User.id == Preference.account_id)
                      .where(User.agency_id == agency_id)).scalars().all()
    if not prefs:
        return set(CHANNELS)
    return {c for p in prefs for c in p} | {"inpage"}


def channels_of(s: Session, agency_id: int) -> list[str]:
    """The channels a message to the agency goes out on: in-page always, e-mail and webhook where the agency has
    an endpoint and its accounts want it."""
    endpoints = {e.channel for e in s.scalars(select(Endpoint).where(Endpoint.agency_id == agency_id))}
    return ["inpage"] + [c for c in ("email", "webhook") if c in endpoints and c in _wanted(s, agency_id)]


def rows(*, event: str, agency_id: int, channels: list[str], subject: str, body: str, now: dt.datetime,
         tlp: str = "TLP:AMBER") -> list[dict[str, object]]:
    """The notification rows of one message, for a bulk insert (many escalation steps in one check)."""
    return [{"event": event, "agency_id": agency_id, "channel": c, "subject": subject[:300], "body": body,
             "tlp": tlp, "status": "pending", "attempts": 0, "created_at": now} for c in channels]


def queue(s: Session, *, event: str, agency_id: int, subject: str, body: str, now: dt.datetime,
          tlp: str = "TLP:AMBER") -> list[Notification]:
    """One notification per channel the agency can receive (in the caller's transaction)."""
    channels = channels_of(s, agency_id)
    out = [Notification(event=event, agency_id=agency_id, channel=c, subject=subject[:300], body=body, tlp=tlp,
                        status="pending", attempts=0, created_at=now) for c in channels]
    s.add_all(out)
    return out


def set_endpoint(sf: sessionmaker[Session], agency_id: int, channel: str, address: str) -> Endpoint:
    if channel not in ("email", "webhook"):
        raise InvalidInput("channel must be email or webhook", field="channel")
    address = address.strip()
    if channel == "email" and ("@" not in address or len(address) > 300):
        raise InvalidInput("address must be an agency duty mailbox like duty@agency.example", field="address")
    if channel == "webhook" and not address.startswith(("https://", "http://")):
        raise InvalidInput("address must be an http(s) URL", field="address")
    with unit_of_work(sf) as s:
        if s.get(Agency, agency_id) is None:
            raise InvalidInput(f"agency_id: agency {agency_id} does not exist", field="agency_id")
        row = s.scalar(select(Endpoint).where(Endpoint.agency_id == agency_id, Endpoint.channel == channel))
        if row is None:
            row = Endpoint(agency_id=agency_id, channel=channel, address=address)
            s.add(row)
        else:
            row.address = address
        s.flush()
        return row


def list_endpoints(s: Session, agency_id: int) -> list[Endpoint]:
    return list(s.scalars(select(Endpoint).where(Endpoint.agency_id == agency_id).order_by(Endpoint.channel)))


def delete_endpoint(sf: sessionmaker[Session], agency_id: int, channel: str) -> None:
    with unit_of_work(sf) as s:
        n = s.execute(delete(Endpoint).where(Endpoint.agency_id == agency_id, Endpoint.channel == channel))
        if not getattr(n, "rowcount", 0):
            raise NotFound(f"agency {agency_id} has no {channel} endpoint")


def set_preferences(sf: sessionmaker[Session], account_id: int, *, channels: list[str], digest: bool,
                    now: dt.datetime) -> Preference:
    bad = [c for c in channels if c not in CHANNELS]
    if bad:
        raise InvalidInput(f"channels must be among {list(CHANNELS)}, got {bad}", field="channels")
    with unit_of_work(sf) as s:
        if s.get(User, account_id) is None:
            raise NotFound(f"account {account_id} does not exist")
        p = s.get(Preference, account_id)
        if p is None:
            p = Preference(account_id=account_id)
            s.add(p)
        p.channels, p.digest, p.updated_at = sorted(set(channels)), digest, now
        s.flush()
        return p


@dataclass(frozen=True)
class Outgoing:
    """What a sender needs of a notification, read before any message leaves (no session, no transaction)."""

    id: int
    event: str
    agency_id: int
    channel: str
    subject: str
    body: str
    tlp: str


Sender = Callable[[Outgoing, str], str]  # (notification, address) -> receipt; raises on failure


def send_email(n: Outgoing, address: str) -> str:
    conf = settings()
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = conf.smtp_from, address, n.subject
    msg["X-Bastion-Notification"] = str(n.id)
    msg.set_content(f"{n.tlp}\n\n{n.body}\n")
    with smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=10) as smtp:
        refused = smtp.send_message(msg)
        code, text = smtp.noop()
    if refused:
        raise RuntimeError(f"refused: {refused}")
    return f"smtp accepted ({code} {text.decode(errors='replace')[:60]})"


def send_webhook(n: Outgoing, address: str) -> str:
    payload = {"id": n.id, "event": n.event, "tlp": n.tlp, "subject": n.subject, "body": n.body}
    r = httpx.post(address, content=json.dumps(payload), headers={"content-type": "application/json"}, timeout=10)
    if r.status_code >= 300:
        raise RuntimeError(f"HTTP {r.status_code}")
    return f"HTTP {r.status_code}"


@dataclass(frozen=True)
class DeliveryReport:
    sent: int
    failed: int
    retrying: int


def deliver_pending(sf: sessionmaker[Session], now: dt.datetime, *, email: Sender = send_email,
                    webhook: Sender = send_webhook) -> DeliveryReport:
    """Send pending notifications; each gets a receipt or an error and an attempt count.

    No transaction is open while a message is sent: a mail server or webhook that does not answer takes up to its
    10 s timeout, and on SQLite an open write transaction would hold the database's one write lock that long (every
    other writer, sign-ins included, would wait or fail). So: claim a batch in one short transaction (``claimed_at``;
    on PostgreSQL rows another server has locked are skipped), send, then record the receipts in another. A claim
    older than CLAIM_TIMEOUT (a server stopped mid-send) is taken again; in-page notifications need no sending."""
    sent = failed = retrying = 0
    work: list[tuple[Outgoing, str]] = []
    with unit_of_work(sf) as s:
        endpoints = {(e.agency_id, e.channel): e.address for e in s.scalars(select(Endpoint))}
        q = (select(Notification)
             .where(Notification.status == "pending",
                    or_(Notification.claimed_at.is_(None), Notification.claimed_at < now - CLAIM_TIMEOUT))
             .order_by(Notification.id))
        if s.get_bind().dialect.name == "postgresql":
            q = q.with_for_update(skip_locked=True)
        for n in s.scalars(q):
            if n.channel != "inpage" and len(work) >= SEND_BATCH:
                continue  # the next tick takes it
            n.attempts += 1
            addr = endpoints.get((n.agency_id, n.channel))
            if n.channel == "inpage":
                n.receipt, n.status, n.sent_at = "stored for the page", "sent", now
                sent += 1
            elif addr is not None:
                n.claimed_at = now
                work.append((Outgoing(n.id, n.event, n.agency_id, n.channel, n.subject, n.body, n.tlp), addr))
            elif _failed(n, f"error: agency {n.agency_id} has no {n.channel} endpoint"):
                failed += 1
            else:
                retrying += 1
    outcomes: list[tuple[int, bool, str]] = []
    for out, addr in work:  # no transaction open here
        try:
            outcomes.append((out.id, True, (email if out.channel == "email" else webhook)(out, addr)[:300]))
        except Exception as e:  # noqa: BLE001 - the receipt records why; retried, then marked failed
            outcomes.append((out.id, False, f"error: {e}"))
    if not outcomes:
        return DeliveryReport(sent, failed, retrying)
    with unit_of_work(sf) as s:
        for nid, ok, receipt in outcomes:
            row = s.get(Notification, nid)
            if row is None or row.status != "pending" or row.claimed_at != now:
                continue  # deleted, or this claim expired and another server took it
            row.claimed_at = None
            if ok:
                row.receipt, row.status, row.sent_at = receipt, "sent", now
                sent += 1
            elif _failed(row, receipt):
                failed += 1
            else:
                retrying += 1
    return DeliveryReport(sent, failed, retrying)


def _failed(n: Notification, receipt: str) -> bool:
    """Record a failed attempt; True when it was the last one (the notification is then marked failed)."""
    n.receipt = receipt[:300]
    if n.attempts >= MAX_ATTEMPTS:
        n.status = "failed"
        return True
    return False


def daily_digest(sf: sessionmaker[Session], now: dt.datetime) -> int:
    """One digest per agency whose accounts want it: counts of open and overdue duties (no measure text)."""
    today = now.date()
    n = 0
    with unit_of_work(sf) as s:
        event = f"digest:{today.isoformat()}"
        done = set(s.scalars(select(Notification.agency_id).where(Notification.event == event)))
        # an agency gets it unless every one of its accounts opted out (agencies without accounts get it too)
        accounts = s.execute(select(User.agency_id, Preference.digest)
                             .join(Preference, Preference.account_id == User.id, isouter=True)).all()
        keep: dict[int, bool] = {}
        for agency, digest in accounts:
            keep[agency] = keep.get(agency, False) or digest is None or bool(digest)
        rows = s.execute(select(Duty.agency_id, func.count(), func.sum(case((Duty.due_on < today, 1), else_=0)))
                         .where(Duty.status == "open", Duty.agency_id.is_not(None)).group_by(Duty.agency_id)).all()
        for agency_id, open_n, overdue in rows:
            if agency_id in done or not keep.get(agency_id, True):
                continue
            queue(s, event=event, agency_id=agency_id, subject=f"[TLP:GREEN] Daily digest {today.isoformat()}",
                  body=f"Open duties: {open_n}; overdue: {int(overdue or 0)}.", now=now, tlp="TLP:GREEN")
            n += 1
    return n


def inbox(s: Session, agency_id: int, *, limit: int = 50) -> list[Notification]:
    return list(s.scalars(select(Notification).where(Notification.agency_id == agency_id,
                                                     Notification.channel == "inpage")
                          .order_by(Notification.id.desc()).limit(limit)))
