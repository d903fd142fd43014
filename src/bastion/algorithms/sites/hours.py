"""Opening hours: OSM opening_hours strings -> weekly open intervals in minutes of the week.

Parsing is done by opening-hours-py (the Rust `opening-hours` crate, MIT/Apache-2.0). A weekly profile is
read off a fixed reference week (Monday 2024-01-08 to Monday 2024-01-15, no country, so public holidays
do not apply). Minute 0 is Monday 00:00; intervals are half-open [start, end) and end <= 10080.
Unparseable or unknown values never raise: they come back with valid=False and the parser's message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import opening_hours as oh

from bastion.kernel.time import MINUTES_PER_WEEK

_REF_MONDAY = dt.datetime(2024, 1, 8)


@dataclass(frozen=True)
class WeeklyHours:
    raw: str
    valid: bool
    intervals: tuple[tuple[int, int], ...] | None  # open intervals, minutes of week; None when not valid
    error: str | None = None

    def open_minutes(self) -> int | None:
        if self.intervals is None:
            return None
        return sum(b - a for a, b in self.intervals)

    def is_open_at(self, minute_of_week: int) -> bool | None:
        if self.intervals is None:
            return None
        m = minute_of_week % MINUTES_PER_WEEK
        return any(a <= m < b for a, b in self.intervals)


def parse_opening_hours(raw: str) -> WeeklyHours:
    text = raw.strip()
    if not text:
        return WeeklyHours(raw, False, None, "empty value")
    try:
        parsed = oh.OpeningHours(text)
        end = _REF_MONDAY + dt.timedelta(days=7)
        out: list[tuple[int, int]] = []
        for start, stop, state, _comment in parsed.intervals(_REF_MONDAY, end):
            if str(state).split(".")[-1].upper() != "OPEN":
                continue
            a = int((start - _REF_MONDAY).total_seconds() // 60)
            b = int((min(stop, end) - _REF_MONDAY).total_seconds() // 60)
            if b > a:
                if out and out[-1][1] == a:
                    out[-1] = (out[-1][0], b)
                else:
                    out.append((a, b))
    except Exception as exc:  # noqa: BLE001 - the parser raises several types; all mean "not parseable"
        text_err = " ".join(ln.strip(" |") for ln in str(exc).splitlines() if ln.strip(" |^"))
        return WeeklyHours(raw, False, None, (text_err or type(exc).__name__)[:300])
    return WeeklyHours(raw, True, tuple(out))
