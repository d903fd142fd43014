"""Deadlines on a business calendar and escalation-ladder timing.

Deadlines counted in *business days* skip Saturdays, Sundays and the given public holidays and fall at the
same local wall-clock time (the clock type is explicit: ``calendar`` or ``business``). Ladder steps are
offsets from a task's deadline in hours of elapsed time or business days; a step is due at
``deadline + offset`` and fires on the first check at or after that instant.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Container
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bastion.kernel.errors import InvalidInput

CLOCKS = ("calendar", "business")


def is_business_day(day: dt.date, holidays: Container[dt.date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_business_days(start: dt.date, n: int, holidays: Container[dt.date]) -> dt.date:
    """The ``n``-th business day after ``start`` (``n`` >= 0; 0 = ``start`` itself moved to a business day)."""
    if n < 0:
        raise InvalidInput(f"n must be 0 or more business days, got {n}", field="days")
    day = start
    while not is_business_day(day, holidays):
        day += dt.timedelta(days=1)
    left = n
    while left > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, holidays):
            left -= 1
    return day


def deadline(start: dt.datetime, amount: int, *, clock: str, tz: str, holidays: Container[dt.date]) -> dt.datetime:
    """``amount`` days after ``start`` (aware): calendar days, or business days at the same local wall time.
    Returned in UTC."""
    if start.tzinfo is None:
        raise InvalidInput("start must be timezone-aware", field="start")
    if clock not in CLOCKS:
        raise InvalidInput(f"clock must be one of {list(CLOCKS)}, got {clock!r}", field="clock")
    zone = ZoneInfo(tz)
    local = start.astimezone(zone)
    if clock == "calendar":
        day = local.date() + dt.timedelta(days=amount)
    else:
        day = add_business_days(local.date(), amount, holidays)
    # same wall-clock time on the target day (a DST change in between keeps 17:00 at 17:00)
    return dt.datetime.combine(day, local.timetz().replace(tzinfo=None), tzinfo=zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class LadderStep:
    level: int  # 1 reminder to the owner, 2 supervising agency, 3 lead office
    offset: int  # hours (calendar clock) or business days (business clock) after the deadline; may be negative
    clock: str = "calendar"
    target: str = "owner"  # owner | supervising | lead

    def __post_init__(self) -> None:
        if self.clock not in CLOCKS:
            raise InvalidInput(f"clock must be one of {list(CLOCKS)}, got {self.clock!r}", field="clock")
        if self.target not in ("owner", "supervising", "lead"):
            raise InvalidInput(f"target must be owner, supervising or lead, got {self.target!r}", field="target")


# ASSUMPTION (editable): a reminder a day before the deadline, then 2 and 5 business days late
DEFAULT_LADDER = (LadderStep(1, -24, "calendar", "owner"), LadderStep(2, 2, "business", "supervising"),
                  LadderStep(3, 5, "business", "lead"))


def step_due(step: LadderStep, task_deadline: dt.datetime, *, tz: str, holidays: Container[dt.date]) -> dt.datetime:
    """When ``step`` falls due for a task with ``task_deadline`` (UTC)."""
    if step.clock == "calendar":
        return task_deadline + dt.timedelta(hours=step.offset)
    if step.offset < 0:
        raise InvalidInput("a business-day step offset must be 0 or more", field="offset")
    return deadline(task_deadline, step.offset, clock="business", tz=tz, holidays=holidays)


def due_steps(ladder: Sequence[LadderStep], task_deadline: dt.datetime, *, fired: int, now: dt.datetime, tz: str,
              holidays: Container[dt.date]) -> list[LadderStep]:
    """Steps above level ``fired`` whose due time is at or before ``now``, in level order."""
    return [st for st in sorted(ladder, key=lambda x: x.level)
            if st.level > fired and step_due(st, task_deadline, tz=tz, holidays=holidays) <= now]
