"""The exercise clock during conduct: start, pause, resume, a speed-up for tabletops, and the release of each
inject at its scheduled exercise time (released_at recorded on the inject, actions on the clock's timeline).

Releases happen on every clock action and on each tick of ``ExerciseTicker`` (every second in the server, where
job workers run; ``bastion exercises clock ID run`` elsewhere). A release locks the exercise row (PostgreSQL
FOR UPDATE; SQLite serialises writers), so two servers never release an inject twice. Everything stays EXERCISE.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.algorithms.preparedness import clock as algo
from bastion.kernel.db.base import utcnow
from bastion.kernel.db.uow import unit_of_work
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import NotFound
from bastion.preparedness.models import Exercise

log = logging.getLogger(__name__)

ACTIONS = ("start", "pause", "resume", "speed")
MAX_EVENTS = 500
TICK_S = 1.0


def _locked(s: Session, exercise_id: int) -> Exercise:
    e = s.scalar(select(Exercise).where(Exercise.id == exercise_id).with_for_update())
    if e is None:
        raise NotFound(f"exercise {exercise_id} does not exist")
    return e


def state_of(e: Exercise) -> algo.ClockState | None:
    return None if not e.clock else algo.ClockState.from_data(e.clock)


def _release(e: Exercise, now: dt.datetime) -> list[int]:
    """Release the due injects of a running or just-acted-on exercise; returns their numbers, in order."""
    c = state_of(e)
    if c is None:
        return []
    t = algo.exercise_seconds(c, now)
    idx = algo.due(e.msel, t)
    if not idx:
        return []
    msel = [dict(i) for i in e.msel]
    for i in idx:
        msel[i]["released_at"] = now.isoformat()
    e.msel = msel
    return [int(msel[i]["no"]) for i in idx]


def act(sf: sessionmaker[Session], exercise_id: int, action: str, *, now: dt.datetime,
        speed: float | None = None) -> tuple[Exercise, list[int]]:
    """Start, pause, resume or change the speed; then release what is due. Returns (exercise, released nos)."""
    if action not in ACTIONS:
        raise InvalidInput(f"action must be one of {list(ACTIONS)}, got {action!r}", field="action")
    with unit_of_work(sf) as s:
        e = _locked(s, exercise_id)
        if e.status == "finalised":
            raise Conflict(f"exercise {exercise_id} is finalised")
        c = state_of(e)
        sp = None if speed is None else algo.check_speed(speed, e.type)
        if action == "start":
            if c is not None:
                raise Conflict(f"exercise {exercise_id}: the clock has already started")
            if not e.msel:
                raise Conflict(f"exercise {exercise_id} has no injects: generate the MSEL first")
            c = algo.start(now, speed=sp or 1.0)
        elif c is None:
            raise Conflict(f"exercise {exercise_id}: the clock has not started")
        elif action == "pause":
            c = algo.pause(c, now)
        elif action == "resume":
            c = algo.resume(c, now)
        else:
            if sp is None:
                raise InvalidInput("speed is required to change the speed", field="speed")
            c = algo.set_speed(c, now, sp)
        events = list((e.clock or {}).get("events", []))[-(MAX_EVENTS - 1):]
        events.append({"at": now.isoformat(), "event": action, "exercise_s": round(algo.exercise_seconds(c, now), 3),
                       "speed": c.speed})
        e.clock = {**c.to_data(), "events": events, "mode": "EXERCISE"}
        released = _release(e, now)
        s.flush()
        return e, released


def release_due(sf: sessionmaker[Session], *, now: dt.datetime) -> dict[int, list[int]]:
    """One tick: release the due injects of every running exercise ({exercise id: released nos})."""
    with sf() as s:
        ids = [i for i, ck in s.execute(select(Exercise.id, Exercise.clock).where(
            Exercise.clock.is_not(None), Exercise.status != "finalised")) if ck and ck.get("state") == "running"]
    out: dict[int, list[int]] = {}
    for exercise_id in ids:
        with unit_of_work(sf) as s:
            e = _locked(s, exercise_id)
            if e.clock and e.clock.get("state") == "running":
                got = _release(e, now)
                if got:
                    out[exercise_id] = got
                    log.info("exercise %d: injects %s released (EXERCISE)", exercise_id, got)
    return out


def view(e: Exercise, *, now: dt.datetime) -> dict[str, Any]:
    c = state_of(e)
    nxt = algo.next_due(e.msel)
    return {"exercise_id": e.id, "mode": "EXERCISE", "state": "stopped" if c is None else c.state,
            "speed": 1.0 if c is None else c.speed,
            "exercise_s": 0.0 if c is None else round(algo.exercise_seconds(c, now), 3),
            "started_at": None if c is None else c.started_at, "events": list((e.clock or {}).get("events", [])),
            "released": [{"no": i["no"], "offset_s": i["offset_s"], "released_at": i["released_at"]}
                         for i in e.msel if i.get("released_at")],
            "next": None if nxt is None else {"no": nxt["no"], "offset_s": nxt["offset_s"]},
            "total": len(e.msel)}


@dataclass
class ExerciseTicker:
    """Releases due injects every ``interval_s`` seconds (a daemon thread; ``clock`` injectable for tests)."""

    session_factory: sessionmaker[Session]
    interval_s: float = TICK_S
    clock: Callable[[], dt.datetime] = utcnow
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def tick_once(self) -> dict[int, list[int]]:
        return release_due(self.session_factory, now=self.clock())

    def _run(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self.tick_once()
            except Exception:  # noqa: BLE001 - a failed tick is logged and retried at the next one
                log.exception("exercise clock tick failed")

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="bastion-exercise-clock", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
