"""The exercise clock: exercise time from wall time, with start, pause, resume and a speed-up factor.

Exercise time runs from 0 at the start: ``exercise_s = anchor_s + (now - anchor_at) x speed`` while running, and
stands still at ``anchor_s`` while paused; every action re-anchors (so a speed change never jumps the clock).
A speed-up (speed != 1) is allowed for discussion-based exercises only (HSEEP seminar, workshop, tabletop,
game): drills, functional and full-scale exercises move real people and run in real time. An inject is due
when its scheduled offset is at or before the exercise time; injects are released once each, in order of
(offset, number).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

from bastion.algorithms.preparedness.calendar import DISCUSSION_TYPES
from bastion.kernel.errors import Conflict
from bastion.kernel.errors import InvalidInput

MAX_SPEED = 120.0
STATES = ("running", "paused")


@dataclass(frozen=True)
class ClockState:
    state: str  # running | paused
    speed: float
    anchor_at: dt.datetime  # wall time of the last action
    anchor_s: float  # exercise seconds at anchor_at
    started_at: dt.datetime

    def to_data(self) -> dict[str, Any]:
        return {"state": self.state, "speed": self.speed, "anchor_at": self.anchor_at.isoformat(),
                "anchor_s": self.anchor_s, "started_at": self.started_at.isoformat()}

    @classmethod
    def from_data(cls, d: Mapping[str, Any]) -> ClockState:
        return cls(str(d["state"]), float(d["speed"]), dt.datetime.fromisoformat(d["anchor_at"]),
                   float(d["anchor_s"]), dt.datetime.fromisoformat(d["started_at"]))


def _aware(now: dt.datetime) -> dt.datetime:
    if now.tzinfo is None:
        raise InvalidInput("now must be a timezone-aware datetime (UTC)", field="now")
    return now


def check_speed(speed: float, exercise_type: str) -> float:
    if isinstance(speed, bool) or not isinstance(speed, int | float) or not 1 <= float(speed) <= MAX_SPEED:
        raise InvalidInput(f"speed must be a factor from 1 to {MAX_SPEED:.0f}, got {speed!r}", field="speed")
    if float(speed) != 1 and exercise_type not in DISCUSSION_TYPES:
        raise InvalidInput(f"speed must be 1 for a {exercise_type} (it moves real people in real time); a speed-up "
                           f"is for discussion-based exercises {list(DISCUSSION_TYPES)}", field="speed")
    return float(speed)


def exercise_seconds(c: ClockState, now: dt.datetime) -> float:
    if c.state != "running":
        return c.anchor_s
    return c.anchor_s + max(0.0, (_aware(now) - c.anchor_at).total_seconds()) * c.speed


def start(now: dt.datetime, *, speed: float = 1.0) -> ClockState:
    return ClockState("running", speed, _aware(now), 0.0, now)


def pause(c: ClockState, now: dt.datetime) -> ClockState:
    if c.state != "running":
        raise Conflict("the exercise clock is not running; only a running clock can be paused")
    return replace(c, state="paused", anchor_at=_aware(now), anchor_s=exercise_seconds(c, now))


def resume(c: ClockState, now: dt.datetime) -> ClockState:
    if c.state != "paused":
        raise Conflict("the exercise clock is not paused; only a paused clock can be resumed")
    return replace(c, state="running", anchor_at=_aware(now))


def set_speed(c: ClockState, now: dt.datetime, speed: float) -> ClockState:
    return replace(c, speed=speed, anchor_at=_aware(now), anchor_s=exercise_seconds(c, now))


def due(msel: Sequence[Mapping[str, Any]], exercise_s: float) -> list[int]:
    """Indices of the injects not yet released whose offset is at or before ``exercise_s``, in release order."""
    idx = [i for i, inj in enumerate(msel) if not inj.get("released_at") and float(inj["offset_s"]) <= exercise_s]
    return sorted(idx, key=lambda i: (float(msel[i]["offset_s"]), int(msel[i].get("no", 0))))


def next_due(msel: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    pending = [inj for inj in msel if not inj.get("released_at")]
    return min(pending, key=lambda inj: (float(inj["offset_s"]), int(inj.get("no", 0)))) if pending else None
