"""Synthetic weekly series with injected rises, and the detection figures on them (pure; rng passed in).

Baseline: negative binomial counts with mean mu_t = m * (1 + a sin(2 pi t / 52)) and variance phi * mu_t.
A rise: for ``rise_weeks`` consecutive weeks the mean gains ``rise_sd`` standard deviations, k * sqrt(phi mu_t).
Figures: a rise is *detected* when an alarm falls in one of its weeks; the *false-alarm rate* is the share of
monitored weeks outside any rise that alarm (per series-week).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.surveillance.detect import DetectorOptions
from bastion.algorithms.surveillance.detect import Method
from bastion.algorithms.surveillance.monitor import HygieneOptions
from bastion.algorithms.surveillance.monitor import monitor


@dataclass(frozen=True)
class SyntheticSeries:
    counts: IntArray
    rise_start: int  # -1: no rise
    rise_weeks: int


def _nb(rng: np.random.Generator, mu: FloatArray, phi: float) -> IntArray:
    if phi <= 1.0:
        return rng.poisson(mu).astype(np.int64)
    lam = rng.gamma(mu / (phi - 1.0), phi - 1.0)
    return rng.poisson(lam).astype(np.int64)


def make_series(rng: np.random.Generator, *, weeks: int = 312, mean: float = 5.0, phi: float = 1.5,
                amplitude: float = 0.2, rise_start: int = -1, rise_weeks: int = 3, rise_sd: float = 3.0,
                shift_from: int = -1, shift_factor: float = 2.0) -> SyntheticSeries:
    """One series; ``rise_start`` >= 0 injects a rise, ``shift_from`` >= 0 multiplies the mean from that week on."""
    t = np.arange(weeks)
    mu = mean * (1.0 + amplitude * np.sin(2.0 * math.pi * t / 52.0))
    if shift_from >= 0:
        mu[shift_from:] *= shift_factor
    if rise_start >= 0:
        sl = slice(rise_start, rise_start + rise_weeks)
        mu[sl] += rise_sd * np.sqrt(phi * mu[sl])
    return SyntheticSeries(_nb(rng, mu, phi), rise_start, rise_weeks)


@dataclass(frozen=True)
class DetectionFigures:
    n_series: int
    n_rises: int
    detected: int
    monitored_weeks: int  # weeks outside rises
    false_alarm_weeks: int
    alerts: int

    @property
    def detection_rate(self) -> float:
        return self.detected / self.n_rises if self.n_rises else math.nan

    @property
    def false_alarm_rate(self) -> float:
        return self.false_alarm_weeks / self.monitored_weeks if self.monitored_weeks else math.nan


def benchmark(rng: np.random.Generator, *, n_series: int = 200, weeks: int = 312, monitor_weeks: int = 52,
              rise_sd: float = 3.0, rise_weeks: int = 3, means: tuple[float, float] = (2.0, 20.0),
              phis: tuple[float, ...] = (1.0, 1.5, 2.0), method: Method = "farrington",
              options: DetectorOptions | None = None) -> DetectionFigures:
    """Detection and false-alarm figures over ``n_series`` series, each with one rise in its last year."""
    start = weeks - monitor_weeks
    detected = fa = mon = alerts = 0
    for _ in range(n_series):
        mean = float(rng.uniform(*means))
        phi = float(phis[int(rng.integers(len(phis)))])
        r0 = int(rng.integers(start, weeks - rise_weeks + 1))
        s = make_series(rng, weeks=weeks, mean=mean, phi=phi, rise_start=r0, rise_weeks=rise_weeks, rise_sd=rise_sd)
        res = monitor(s.counts, start, method=method, options=options, hygiene=HygieneOptions())
        alarm = np.array([d.alarm for d in res.decisions], dtype=bool)
        in_rise = np.zeros(monitor_weeks, dtype=bool)
        in_rise[r0 - start:r0 - start + rise_weeks] = True
        detected += bool(alarm[in_rise].any())
        fa += int(alarm[~in_rise].sum())
        mon += int((~in_rise).sum())
        alerts += len(res.alerts)
    return DetectionFigures(n_series, n_series, detected, mon, fa, alerts)
