"""Prospective monitoring of one weekly series with alert hygiene (pure).

Week by week from ``start``: a detector decides (``detect.py``); alarm weeks are excluded from later baselines
(Farrington's "baselines exclude past outbreaks"); alarms are grouped into alert *episodes*:

* an alarm opens a new alert only when no episode is open and at least ``suppress_days`` (7) have passed since
  the last alert began: at most one alert per series per 7 days;
* an alarm within ``gap_weeks`` (4) of the episode's last alarm extends the episode (no new alert);
* an episode with ``shift_weeks`` or more alarm weeks is a *level shift*: its weeks become the new normal (they
  re-enter the baseline) and the episode stays open until ``settle_weeks`` weeks pass without an alarm, so a
  sustained rise gives one alert, not one a week.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field

import numpy as np

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.surveillance.detect import DetectorOptions
from bastion.algorithms.surveillance.detect import Method
from bastion.algorithms.surveillance.detect import WeekDecision
from bastion.algorithms.surveillance.detect import cusum_series
from bastion.algorithms.surveillance.detect import farrington_week
from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class HygieneOptions:
    suppress_days: int = 7  # no second alert on a series within this many days of the last one
    gap_weeks: int = 4  # an alarm within this many weeks of the episode's last alarm extends it
    shift_weeks: int = 4  # alarm weeks that make an episode a level shift
    settle_weeks: int = 8  # a level-shift episode closes after this many weeks without an alarm

    def __post_init__(self) -> None:
        for name in ("suppress_days", "gap_weeks", "shift_weeks", "settle_weeks"):
            if getattr(self, name) < 1:
                raise InvalidInput(f"{name} must be >= 1, got {getattr(self, name)}", field=name)


@dataclass
class AlertEpisode:
    """One alert: the first alarm week, its evidence, and the weeks it absorbed."""

    t_start: int
    t_last: int
    observed: int  # at t_start, events
    expected: float  # at t_start, events per week
    upper: float
    p_value: float
    score: float
    alarm_weeks: list[int] = field(default_factory=list)
    peak_observed: int = 0
    level_shift: bool = False


@dataclass(frozen=True)
class Resume:
    """Hygiene state carried over from an earlier run: the episode still open, the week the last alert began,
    and the last week already counted by earlier alerts (alarms up to it raise nothing again)."""

    open_episode: AlertEpisode | None = None
    last_alert_t: int | None = None
    covered_until: int = -1


@dataclass(frozen=True)
class MonitorResult:
    decisions: tuple[WeekDecision, ...]
    alerts: tuple[AlertEpisode, ...]
    excluded: BoolArray  # weeks left out of baselines at the end of the run
    episode: AlertEpisode | None  # the episode still open at the end (may be one passed in)


def monitor(counts: IntArray, start: int, *, method: Method = "farrington", excluded: BoolArray | None = None,
            options: DetectorOptions | None = None, hygiene: HygieneOptions | None = None,
            resume: Resume | None = None) -> MonitorResult:
    """Monitor weeks ``start`` .. len(counts)-1. ``excluded`` marks earlier alarm weeks (from stored alerts);
    ``resume`` carries the hygiene state of an earlier run."""
    o = options or DetectorOptions()
    h = hygiene or HygieneOptions()
    n = counts.size
    if not 0 <= start <= n:
        raise InvalidInput(f"start must be between 0 and {n} (the series length), got {start}", field="start")
    ex = np.zeros(n, dtype=bool) if excluded is None else excluded.astype(bool).copy()
    if ex.size != n:
        raise InvalidInput(f"excluded must have the series length {n}, got {ex.size}", field="excluded")
    if method == "cusum":
        decisions = cusum_series(counts, start, excluded=ex, options=o)
    elif method == "farrington":
        decisions = []
    else:
        raise InvalidInput(f"method must be 'farrington' or 'cusum', got {method!r}", field="method")
    alerts: list[AlertEpisode] = []
    r = resume or Resume()
    ep, last_t, covered_until = r.open_episode, r.last_alert_t, r.covered_until
    suppress_weeks = -(-h.suppress_days // 7)
    for i, t in enumerate(range(start, n)):
        d = farrington_week(counts, t, excluded=ex, options=o) if method == "farrington" else decisions[i]
        if method == "farrington":
            decisions.append(d)
        if ep is not None:
            gap = h.settle_weeks if ep.level_shift else h.gap_weeks
            if t - ep.t_last > gap:
                ep = None
        if not d.alarm or t <= covered_until or (ep is not None and t <= ep.t_last):  # counted by an earlier run
            continue
        if ep is not None:
            ep.t_last = t
            ep.alarm_weeks.append(t)
            ep.peak_observed = max(ep.peak_observed, d.observed)
            if len(ep.alarm_weeks) >= h.shift_weeks and not ep.level_shift:
                ep.level_shift = True
                ex[ep.alarm_weeks] = False  # the new normal re-enters the baseline
            if not ep.level_shift:
                ex[t] = True
            continue
        ex[t] = True
        if last_t is not None and t - last_t < suppress_weeks:
            continue
        ep = AlertEpisode(t, t, d.observed, d.expected, d.upper, d.p_value, d.score, [t], d.observed)
        alerts.append(ep)
        last_t = t
    return MonitorResult(tuple(decisions), tuple(alerts), ex, ep)
