"""Escalation ladders with a controlled clock across the UK DST change and Easter holidays: every step fires
once, within 60 s of its offset, to the right agency; notifications reach a real local SMTP server (aiosmtpd)
and a local webhook with receipts; failures are retried then marked failed; daily digest; preferences."""

from __future__ import annotations

import datetime as dt
import http.server
import json
import socket
import threading
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from sqlalchemy import insert
from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.access.models import User
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import InvalidInput
from bastion.office import duties
from bastion.office import escalation
from bastion.office import notify
from bastion.office.models import Notification
from bastion.posture.ticker import Ticker
from bastion.sites.models import Site
from bastion.supervision import service as sup
from tests.office_fixtures import agency_id

# Thu 26 Mar 2026 12:00 UTC: the task is due Fri 27 Mar 17:00 GMT; clocks go forward Sun 29 Mar;
# Good Friday 3 Apr and Easter Monday 6 Apr are English bank holidays.
LADDER = escalation.parse_ladder("-24h:owner,1bd:supervising,5bd:lead")
EXPECTED = [dt.datetime(2026, 3, 26, 17, tzinfo=dt.UTC),  # 24 h before the deadline
            dt.datetime(2026, 3, 30, 16, tzinfo=dt.UTC),  # Mon 30 Mar 17:00 BST
            dt.datetime(2026, 4, 7, 16, tzinfo=dt.UTC)]  # 5 business days: 31, 1, 2, (3 hol, 6 hol) 7 Apr


def _free_port() -> int:
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return int(so.getsockname()[1])


class _Mailbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[object] = []

    def handle_message(self, message: object) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Mailbox]:
    box = _Mailbox()
    port = _free_port()
    ctl = Controller(box, hostname="127.0.0.1", port=port)
    ctl.start()
    monkeypatch.setenv("BASTION_OFFICE_SMTP_PORT", str(port))
    monkeypatch.setenv("BASTION_OFFICE_SMTP_HOST", "127.0.0.1")
    yield box
    ctl.stop()


@pytest.fixture
def webhook() -> Iterator[tuple[str, list[dict[str, object]]]]:
    got: list[dict[str, object]] = []

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            got.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *a: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{srv.server_address[1]}/hook", got
    srv.shutdown()


def _task(sf: sessionmaker[Session], category: str) -> tuple[int, int]:
    with sf() as s:
        site = int(s.scalar(select(Site.id).where(Site.category == category).order_by(Site.id).limit(1)))
    insp = sup.start_inspection(sf, site, now=dt.datetime(2026, 2, 25, 17, tzinfo=dt.UTC),
                                inspector_agency="Lead office")
    with sf() as s:
        items = [i.item_id for i in sup.inspection_items(s, insp.id)]
    sup.answer(sf, insp.id, {k: "fail" if k == items[0] else "pass" for k in items},
               now=dt.datetime(2026, 2, 25, 17, tzinfo=dt.UTC))
    rep = sup.complete(sf, insp.id, now=dt.datetime(2026, 2, 25, 17, tzinfo=dt.UTC), owner_agency="Venue operators",
                       owner_agency_id=agency_id(sf, "Venue operators"), deadline_days=30)
    return site, rep.tasks_created[0]


def test_ladder_fires_each_step_within_60s_across_dst_and_holidays(office_sf: sessionmaker[Session],
                                                                   smtp: _Mailbox) -> None:
    _site, task = _task(office_sf, "education")  # deadline 27 Mar 17:00 UTC = 17:00 GMT
    state = {"t": dt.datetime(2026, 3, 26, 12, tzinfo=dt.UTC)}
    step = dt.timedelta(seconds=20)
    fired: dict[int, dt.datetime] = {}

    def job(sf: sessionmaker[Session], now: dt.datetime) -> None:
        for f in escalation.run_due(sf, now, ladder=LADDER, tz="Europe/London", holiday_region="GB-ENG"):
            if f.task_kind == "rectification" and f.task_id == task:
                assert f.level not in fired  # never twice
                fired[f.level] = now

    # jump between the interesting windows (a tick every 20 s inside each), as the server's ticker would see
    ticker = Ticker(office_sf, interval_s=20, clock=lambda: state["t"], extra=(job,))
    for due in EXPECTED:
        state["t"] = due - dt.timedelta(minutes=2)
        for _ in range(12):
            ticker.tick_once()
            state["t"] += step
    assert sorted(fired) == [1, 2, 3]
    for level, due in zip([1, 2, 3], EXPECTED, strict=True):
        assert due <= fired[level] < due + dt.timedelta(seconds=60)
    with office_sf() as s:
        targets = {n.event.rsplit(":", 1)[1]: n.agency_id for n in s.scalars(
            select(Notification).where(Notification.event.like(f"escalation:rectification:{task}:%"),
                                       Notification.channel == "inpage"))}
    assert targets == {"1": agency_id(office_sf, "Venue operators"), "2": agency_id(office_sf, "Education bureau"),
                       "3": agency_id(office_sf, "Lead office")}


def test_deliveries_have_receipts_smtp_webhook_retry(office_sf: sessionmaker[Session], smtp: _Mailbox,
                                                     webhook: tuple[str, list[dict[str, object]]]) -> None:
    lead = agency_id(office_sf, "Lead office")
    edu = agency_id(office_sf, "Education bureau")
    notify.set_endpoint(office_sf, lead, "email", "duty@lead.example")
    notify.set_endpoint(office_sf, lead, "webhook", webhook[0])
    notify.set_endpoint(office_sf, edu, "webhook", "http://127.0.0.1:9/unreachable")
    with pytest.raises(InvalidInput):
        notify.set_endpoint(office_sf, edu, "email", "not-an-address")
    now = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
    with unit_of_work(office_sf) as s:
        notify.queue(s, event="test:1", agency_id=lead, subject="[TLP:AMBER] hello", body="b", now=now)
        notify.queue(s, event="test:2", agency_id=edu, subject="[TLP:AMBER] hi", body="b", now=now)
    r1 = notify.deliver_pending(office_sf, now)
    assert (r1.sent, r1.retrying) == (4, 1)  # lead: inpage, email, webhook; edu: inpage; edu webhook retries
    assert len(smtp.messages) == 1 and smtp.messages[0]["To"] == "duty@lead.example"  # type: ignore[index]
    assert webhook[1][0]["event"] == "test:1"
    notify.deliver_pending(office_sf, now)
    r3 = notify.deliver_pending(office_sf, now)
    assert r3.failed == 1
    with office_sf() as s:
        rows = s.scalars(select(Notification)).all()
    assert all(n.receipt for n in rows)  # every notification has a delivery record
    by = {(n.agency_id, n.channel): n for n in rows}
    assert by[lead, "email"].receipt.startswith("smtp accepted")  # type: ignore[union-attr]
    assert by[lead, "webhook"].receipt == "HTTP 204"
    assert by[edu, "webhook"].status == "failed" and by[edu, "webhook"].attempts == 3


def test_digest_and_preferences(office_sf: sessionmaker[Session]) -> None:
    duties.generate(office_sf, on=dt.date(2026, 11, 30))
    lead = agency_id(office_sf, "Lead office")
    ops = agency_id(office_sf, "Venue operators")
    with unit_of_work(office_sf) as s:
        s.add(User(login="ops-desk", display_name="Operations desk", agency_id=ops, password_hash="x"))
    with office_sf() as s:
        uid = int(s.scalar(select(User.id).where(User.login == "ops-desk")))
    now = dt.datetime(2026, 12, 20, 7, tzinfo=dt.UTC)
    notify.set_preferences(office_sf, uid, channels=["inpage"], digest=False, now=now)
    with pytest.raises(InvalidInput):
        notify.set_preferences(office_sf, uid, channels=["sms"], digest=True, now=now)
    assert notify.daily_digest(office_sf, now) >= 1
    assert notify.daily_digest(office_sf, now) == 0  # once a day
    with office_sf() as s:
        got = {n.agency_id: n for n in s.scalars(select(Notification).where(Notification.event.like("digest:%")))}
    assert lead in got and ops not in got  # the operator's only account opted out
    assert got[lead].tlp == "TLP:GREEN" and "overdue" in got[lead].body


def test_no_transaction_is_open_while_a_message_is_sent(office_sf: sessionmaker[Session]) -> None:
    """A webhook that answers slowly must not hold the database: while it is being sent, another connection writes
    at once (on SQLite an open write transaction would hold the one write lock for the whole send)."""
    lead = agency_id(office_sf, "Lead office")
    notify.set_endpoint(office_sf, lead, "webhook", "https://hooks.lead.example/bastion")
    now = dt.datetime(2026, 11, 30, 8, tzinfo=dt.UTC)
    with unit_of_work(office_sf) as s:
        notify.queue(s, event="test:slow", agency_id=lead, subject="[TLP:AMBER] slow", body="b", now=now)
    seen: list[tuple[str, object]] = []

    def slow_webhook(n: notify.Outgoing, address: str) -> str:
        engine = office_sf.kw["bind"]
        with engine.connect() as c:  # another connection, as a sign-in on another thread would use
            if engine.dialect.name == "sqlite":
                c.exec_driver_sql("PRAGMA busy_timeout=200")  # would fail fast with 'database is locked'
            c.execute(update(Notification).where(Notification.event == "probe").values(body="x"))
            c.execute(insert(Notification).values(event="probe", agency_id=lead, channel="inpage", subject="p",
                                                  body="p", tlp="TLP:CLEAR", status="pending", attempts=0,
                                                  created_at=now))
            c.commit()
            seen.append((n.event, c.execute(select(Notification.claimed_at).where(Notification.id == n.id))
                         .scalar_one()))
        return "HTTP 204"

    r = notify.deliver_pending(office_sf, now, webhook=slow_webhook)
    assert r.sent >= 1 and len(seen) == 1 and seen[0][0] == "test:slow"
    assert seen[0][1] is not None  # claimed (and committed) before the send
    with office_sf() as s:
        row = s.scalars(select(Notification).where(Notification.event == "test:slow",
                                                   Notification.channel == "webhook")).one()
    assert (row.status, row.receipt, row.claimed_at, row.attempts) == ("sent", "HTTP 204", None, 1)
    # a second check sends nothing twice; a claim left by a stopped server is taken again after CLAIM_TIMEOUT
    assert notify.deliver_pending(office_sf, now, webhook=slow_webhook).sent == 1  # the probe (in-page) only
    with unit_of_work(office_sf) as s:
        s.execute(update(Notification).where(Notification.id == row.id)
                  .values(status="pending", claimed_at=now - dt.timedelta(minutes=1)))
    assert notify.deliver_pending(office_sf, now, webhook=slow_webhook).sent == 0  # claimed a minute ago: wait
    later = now + notify.CLAIM_TIMEOUT
    assert notify.deliver_pending(office_sf, later, webhook=slow_webhook).sent == 1
