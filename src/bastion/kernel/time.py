"""Time of week and durations: one definition each.

Weekly times are whole minutes from Monday 00:00 (= 0) up to :data:`MINUTES_PER_WEEK` (Sunday 24:00), in local
wall-clock time. Durations (response standards, isochrone limits) are whole seconds from 1 s to a bound that the
caller names; :data:`MAX_DURATION_S` (60 minutes) unless a rule says otherwise.
"""

from __future__ import annotations

import datetime as dt
import numbers
import re
from collections.abc import Sequence

from bastion.kernel.errors import InvalidInput

MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MAX_DURATION_S = 3600  # the longest response standard or duration anyone may ask for: 60 minutes

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(s|sec|m|min)?")


def parse_zoned_time(text: str, *, field: str, label: str | None = None) -> dt.datetime:
    """An ISO 8601 time that names its zone ("2026-11-30T14:05Z", "…+01:00"); InvalidInput naming ``field`` (shown
    as ``label``, e.g. "--now") when it is not one or has no zone."""
    name = label or field
    try:
        v = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(f"{name} must be an ISO time with a zone like 2026-11-30T14:05Z, got {text!r}",
                           field=field) from None
    if v.tzinfo is None:
        raise InvalidInput(f"{name} needs a zone (Z or +01:00), got {text!r}", field=field)
    return v


def minute_of_week(at: dt.datetime) -> int:
    """Minute of the week (Monday 00:00 = 0) of a local wall-clock time, in [0, MINUTES_PER_WEEK)."""
    return at.weekday() * MINUTES_PER_DAY + at.hour * 60 + at.minute


def check_duration_s(value: float, *, field_name: str, max_s: int = MAX_DURATION_S) -> int:
    """A whole number of seconds in [1, max_s], as an int; InvalidInput naming ``field_name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 1 <= value <= max_s or value != int(value):
        msg = f"{field_name} must be a whole number of seconds from 1 to {max_s}, got {value!r}"
        raise InvalidInput(msg, field=field_name)
    return int(value)


def parse_duration_s(text: str | int | float, *, field_name: str = "standard", max_s: int = MAX_DURATION_S) -> int:
    """'60s', '1m', '3m', '5m', '2.5m', '90' (seconds) -> whole seconds in [1, max_s]."""
    m = _DURATION.fullmatch(str(text).strip().lower())
    if not m:
        raise InvalidInput(f"{field_name} {text!r} is not a duration; write e.g. 60s, 1m, 3m or 5m", field=field_name)
    v = float(m.group(1)) * (60 if m.group(2) in ("m", "min") else 1)
    if not 1 <= v <= max_s or v != int(v):
        msg = f"{field_name} {text!r} must be a whole number of seconds from 1 s to {max_s // 60} m"
        raise InvalidInput(msg, field=field_name)
    return int(v)


def check_durations_s(
    values: Sequence[float], *, field_name: str, max_s: int = MAX_DURATION_S, max_count: int | None = None,
) -> tuple[int, ...]:
    """Distinct durations (truncated to whole seconds), sorted: at least one, at most ``max_count``, each in
    [1, max_s]."""
    out = tuple(sorted({int(x) for x in values}))
    ok = bool(out) and out[0] >= 1 and out[-1] <= max_s
    if not ok or (max_count is not None and len(out) > max_count):
        count = f"1 to {max_count} values" if max_count is not None else "one or more values"
        msg = f"{field_name}: give {count}, each from 1 to {max_s} seconds; got {list(values)}"
        raise InvalidInput(msg, field=field_name)
    return out
