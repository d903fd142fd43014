"""Scorecards per agency or jurisdiction (never per person) from raw records.

Every figure declares its window: records whose deadline falls in [start, end). Inputs are plain rows, so the
same numbers can be recomputed by hand from the database (the test does).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TaskRow:
    key: int  # agency id or region id
    deadline: dt.datetime
    closed_at: dt.datetime | None  # when it reached fixed/verified (or a duty was done); None = open
    created_at: dt.datetime


@dataclass(frozen=True)
class Scorecard:
    key: int
    window_start: dt.date
    window_end: dt.date  # exclusive
    due: int  # tasks with a deadline in the window
    closed_on_time: int
    on_time_pct: float | None  # percent of due; None when nothing was due
    closed: int
    median_days_to_close: float | None  # days (created -> closed) of those closed
    open_overdue: int  # still open with the deadline passed by window end


def _window_rows(rows: Iterable[TaskRow], start: dt.datetime, end: dt.datetime) -> dict[int, list[TaskRow]]:
    out: dict[int, list[TaskRow]] = {}
    for r in rows:
        if start <= r.deadline < end:
            out.setdefault(r.key, []).append(r)
    return out


def scorecards(rows: Iterable[TaskRow], keys: Sequence[int], *, start: dt.date, end: dt.date) -> list[Scorecard]:
    """One scorecard per key (sorted by key, never by value)."""
    s = dt.datetime.combine(start, dt.time(), tzinfo=dt.UTC)
    e = dt.datetime.combine(end, dt.time(), tzinfo=dt.UTC)
    grouped = _window_rows(rows, s, e)
    out = []
    for k in sorted(keys):
        rs = grouped.get(k, [])
        on_time = sum(1 for r in rs if r.closed_at is not None and r.closed_at <= r.deadline)
        closed = [r for r in rs if r.closed_at is not None]
        med = (statistics.median((r.closed_at - r.created_at).total_seconds() / 86400 for r in closed
                                 if r.closed_at is not None) if closed else None)
        overdue = sum(1 for r in rs if r.closed_at is None and r.deadline < e)
        out.append(Scorecard(k, start, end, len(rs), on_time, round(100 * on_time / len(rs), 1) if rs else None,
                             len(closed), None if med is None else round(med, 2), overdue))
    return out


def trend(rows: Sequence[TaskRow], keys: Sequence[int], *, periods: Sequence[tuple[dt.date, dt.date]]
          ) -> list[list[Scorecard]]:
    """Scorecards for consecutive windows (oldest first)."""
    return [scorecards(rows, keys, start=a, end=b) for a, b in periods]


@dataclass(frozen=True)
class CoverageCard:
    """Coverage of an agency's (or jurisdiction's) sites: how many of its analysed sites the first response unit
    reaches within each standard. Sites no unit reaches count as not covered."""

    key: int
    sites: int  # the key's sites with a stored coverage result (crowded places of the coverage analysis)
    standards_s: tuple[int, ...]
    within: tuple[int, ...]  # sites reached within each standard
    share_pct: tuple[float | None, ...]  # percent of ``sites``; None when the key has no analysed site


def coverage_cards(rows: Iterable[tuple[int, int, float | None]], keys: Sequence[int], *,
                   standards_s: Sequence[int]) -> dict[int, CoverageCard]:
    """rows: (key, site id, fastest time in s or None). A site counts once per key however many roles the key
    holds there."""
    stds = tuple(int(x) for x in standards_s)
    seen: dict[int, dict[int, float | None]] = {}
    for key, site_id, t in rows:
        seen.setdefault(key, {})[site_id] = t
    out = {}
    for k in sorted(keys):
        times = list(seen.get(k, {}).values())
        within = tuple(sum(1 for t in times if t is not None and t <= s) for s in stds)
        out[k] = CoverageCard(k, len(times), stds, within,
                              tuple(round(100 * w / len(times), 1) if times else None for w in within))
    return out
