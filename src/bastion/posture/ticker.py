"""The periodic check run by the server (and by `bastion posture tick --loop` in a worker): posture expiry and
the office's escalation ladders and notification delivery. Each tick reads the clock once; ticks come every
``interval_s`` seconds (at most 30), so anything due fires within ``interval_s`` (< 60 s) of its time."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.db.base import utcnow
from bastion.posture import service as posture

log = logging.getLogger(__name__)
MAX_INTERVAL_S = 30.0


@dataclass
class Ticker:
    session_factory: sessionmaker[Session]
    interval_s: float = 20.0
    clock: Callable[[], dt.datetime] = utcnow
    extra: tuple[Callable[[sessionmaker[Session], dt.datetime], object], ...] = ()
    ticks: list[tuple[dt.datetime, list[int]]] = field(default_factory=list)  # (clock time, expired ids), last 100
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __post_init__(self) -> None:
        if not 0 < self.interval_s <= MAX_INTERVAL_S:
            raise ValueError(f"interval_s must be in (0, {MAX_INTERVAL_S}] so that expiry fires within 60 s")

    def tick_once(self) -> list[int]:
        now = self.clock()
        expired = posture.expire_due(self.session_factory, now=now)
        for job in self.extra:
            job(self.session_factory, now)
        self.ticks = [*self.ticks[-99:], (now, expired)]
        return expired

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.tick_once()
            except Exception:  # noqa: BLE001 - a failed tick is logged and retried at the next one
                log.exception("periodic posture/office check failed")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bastion-ticker", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


DIGEST_HOUR_UTC = 6  # the daily digest goes out at the first tick after 06:00 UTC (ASSUMPTION, editable)


def default_jobs() -> tuple[Callable[[sessionmaker[Session], dt.datetime], object], ...]:
    """What the server's ticker runs besides posture expiry: escalation ladders, deliveries, the daily digest,
    scheduled incident situation reports (queued as jobs)."""
    from bastion.incidents import sitreps
    from bastion.office import escalation
    from bastion.office import notify

    def ladders(sf: sessionmaker[Session], now: dt.datetime) -> object:
        return escalation.run_due(sf, now)

    def deliveries(sf: sessionmaker[Session], now: dt.datetime) -> object:
        return notify.deliver_pending(sf, now)

    def digest(sf: sessionmaker[Session], now: dt.datetime) -> object:
        return notify.daily_digest(sf, now) if now.hour >= DIGEST_HOUR_UTC else 0

    def situation_reports(sf: sessionmaker[Session], now: dt.datetime) -> object:
        return sitreps.run_due(sf, now)

    return (ladders, deliveries, digest, situation_reports)
