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


@dataclass(frozen=True)
class Scenario:
    """One synthetic series: ``rise_start`` >= 0 injects a rise, ``shift_from`` >= 0 multiplies the mean from that
    week on by ``shift_factor`` (a sustained level shift)."""

    weeks: int = 312
    mean: float = 5.0  # events per week
    phi: float = 1.5  # variance / mean
    amplitude: float = 0.2  # seasonal, relative
    rise_start: int = -1
    rise_weeks: int = 3
    rise_sd: float = 3.0  # added to the mean, in standard deviations sqrt(phi mu)
    shift_from: int = -1
    shift_factor: float = 2.0


def make_series(rng: np.random.Generator, sc: Scenario) -> SyntheticSeries:
    t = np.arange(sc.weeks)
    mu = sc.mean * (1.0 + sc.amplitude * np.sin(2.0 * math.pi * t / 52.0))
    if sc.shift_from >= 0:
        mu[sc.shift_from:] *= sc.shift_factor
    if sc.rise_start >= 0:
        sl = slice(sc.rise_start, sc.rise_start + sc.rise_weeks)
        mu[sl] += sc.rise_sd * np.sqrt(sc.phi * mu[sl])
    return SyntheticSeries(_nb(rng, mu, sc.phi), sc.rise_start, sc.rise_weeks)


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


@dataclass(frozen=True)
class BenchmarkSpec:
    """``n_series`` series of ``weeks`` weeks, mean drawn uniformly in ``means``, dispersion from ``phis``, each
    with one rise of ``rise_sd`` SD over ``rise_weeks`` weeks at a random place in the last ``monitor_weeks``."""

    n_series: int = 200
    weeks: int = 312
    monitor_weeks: int = 52
    rise_sd: float = 4.0
    rise_weeks: int = 3
    means: tuple[float, float] = (2.0, 20.0)
    phis: tuple[float, ...] = (1.0, 1.5, 2.0)


def benchmark(rng: np.random.Generator, spec: BenchmarkSpec, *, method: Method = "farrington",
              options: DetectorOptions | None = None) -> DetectionFigures:
    """Detection and false-alarm figures over the spec's series, each with one rise in its last year."""
    weeks, monitor_weeks, rise_weeks, n_series = spec.weeks, spec.monitor_weeks, spec.rise_weeks, spec.n_series
    start = weeks - monitor_weeks
    detected = fa = mon = alerts = 0
    for _ in range(n_series):
        mean = float(rng.uniform(*spec.means))
        phi = float(spec.phis[int(rng.integers(len(spec.phis)))])
        r0 = int(rng.integers(start, weeks - rise_weeks + 1))
        s = make_series(rng, Scenario(weeks=weeks, mean=mean, phi=phi, rise_start=r0, rise_weeks=rise_weeks,
                                      rise_sd=spec.rise_sd))
        res = monitor(s.counts, start, method=method, options=options, hygiene=HygieneOptions())
        alarm = np.array([d.alarm for d in res.decisions], dtype=bool)
        in_rise = np.zeros(monitor_weeks, dtype=bool)
        in_rise[r0 - start:r0 - start + rise_weeks] = True
        detected += bool(alarm[in_rise].any())
        fa += int(alarm[~in_rise].sum())
        mon += int((~in_rise).sum())
        alerts += len(res.alerts)
    return DetectionFigures(n_series, n_series, detected, mon, fa, alerts)
