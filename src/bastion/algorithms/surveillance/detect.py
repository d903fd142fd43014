"""Outbreak detection on weekly count series (pure): Farrington-flexible (Noufaily et al. 2013) and a CUSUM.

Farrington-flexible, per week t0 (docs/models/warning.md):
  baseline    weeks t0-52b-w .. t0-g (b years back, w half-window, g guard band), minus excluded weeks (past alarms)
  model       log mu_s = a + beta*s + gamma[period(s)], period 0 = the weeks within +-w of t0's week in each year,
              the rest of the year cut into ``n_periods - 1`` equal blocks (the 10-level factor of Noufaily)
  fit         Poisson IRLS; dispersion phi = max(1, sum w (y-mu)^2/mu / (n-p)); Anscombe residuals r > 2.58
              down-weighted by r^-2 and the model refitted; the trend is kept only when significant at 5 % and
              the prediction stays within the baseline's maximum
  threshold   the (1-alpha) quantile of a negative binomial with mean mu0 and variance phi*mu0 (Poisson if phi = 1)
  alarm       y0 > threshold and y0 >= min_count

CUSUM (Rossi et al. 1999 style, on standardised counts): z = (y - mu)/sqrt(phi mu) with mu, phi from the last
``cusum_weeks`` non-excluded weeks before a short guard; S_t = max(0, S_{t-1} + z_t - k); alarm when S_t > h (reset).

Sources: Farrington C.P. et al. (1996) JRSS A 159:547-563; Noufaily A. et al. (2013) Stat Med 32:1206-1222;
Rossi G. et al. (1999) Stat Med 18:2111-2122. Re-implemented from the papers (R `surveillance` is GPL: not used).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy import stats

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.errors import InvalidInput

Method = Literal["farrington", "cusum"]
METHODS: tuple[Method, ...] = ("farrington", "cusum")
WEEKS_PER_YEAR = 52


@dataclass(frozen=True)
class DetectorOptions:
    """Editable defaults, each with its unit."""

    alpha: float = 0.005  # one-sided significance of the Farrington threshold
    years_back: int = 5  # b, years of baseline
    half_window_weeks: int = 3  # w
    guard_weeks: int = 26  # g, most recent weeks left out of the Farrington baseline
    n_periods: int = 10  # levels of the seasonal factor
    min_baseline_weeks: int = 52  # fewer usable baseline weeks: no decision
    min_count: int = 2  # an alarm needs at least this many events in the week
    reweight_threshold: float = 2.58  # Anscombe residual above which a baseline week is down-weighted
    cusum_k: float = 0.5  # CUSUM reference value, in SD
    cusum_h: float = 5.0  # CUSUM decision interval, in SD
    cusum_weeks: int = 104  # CUSUM baseline length, weeks
    cusum_guard_weeks: int = 2

    def __post_init__(self) -> None:
        checks = (
            ("alpha", 0.0 < self.alpha < 0.5, "in (0, 0.5)"),
            ("years_back", 1 <= self.years_back <= 20, "between 1 and 20"),
            ("half_window_weeks", 0 <= self.half_window_weeks <= 10, "between 0 and 10"),
            ("guard_weeks", 0 <= self.guard_weeks <= 52, "between 0 and 52"),
            ("n_periods", 1 <= self.n_periods <= 20, "between 1 and 20"),
            ("min_baseline_weeks", 10 <= self.min_baseline_weeks, ">= 10"),
            ("min_count", 1 <= self.min_count, ">= 1"),
            ("cusum_h", self.cusum_h > 0, "> 0"),
            ("cusum_k", self.cusum_k >= 0, ">= 0"),
            ("cusum_weeks", 10 <= self.cusum_weeks, ">= 10"),
        )
        for name, ok, rule in checks:
            if not ok:
                raise InvalidInput(f"{name} must be {rule}, got {getattr(self, name)}", field=name)


@dataclass(frozen=True)
class WeekDecision:
    """One series, one week: what was expected and whether it alarms."""

    t: int
    observed: int
    expected: float  # events per week
    upper: float  # threshold, events per week (an alarm needs observed > upper)
    p_value: float  # P(Y >= observed) under the baseline model (CUSUM: nan)
    score: float  # Farrington exceedance (observed - expected)/(upper - expected); CUSUM: the statistic S
    alarm: bool
    dispersion: float
    trend: bool
    decided: bool  # False: too little baseline, no decision


def _periods(s: IntArray, t0: int, w: int, n_periods: int) -> IntArray:
    """Seasonal factor level of each baseline week: 0 = within +-w weeks of t0's week of year."""
    d = (t0 - s + w) % WEEKS_PER_YEAR
    out = np.zeros(s.shape, dtype=np.int64)
    if n_periods > 1:
        rest = d - (2 * w + 1)
        span = WEEKS_PER_YEAR - (2 * w + 1)
        lvl = 1 + (rest * (n_periods - 1)) // span
        out = np.where(d < 2 * w + 1, 0, lvl).astype(np.int64)
    return out


def _design(s: IntArray, periods: IntArray, n_periods: int, *, trend: bool) -> FloatArray:
    cols = [np.ones(s.shape, dtype=np.float64)]
    if trend:
        cols.append((s - s.max()).astype(np.float64) / WEEKS_PER_YEAR)
    for lv in range(1, n_periods):
        cols.append((periods == lv).astype(np.float64))
    x = np.column_stack(cols)
    keep = np.ones(x.shape[1], dtype=bool)
    first = 2 if trend else 1
    keep[first:] = x[:, first:].sum(axis=0) > 0  # levels with no baseline week
    return x[:, keep]


def _irls(x: FloatArray, y: FloatArray, w: FloatArray, iters: int = 30) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Weighted Poisson GLM, log link: (coefficients, fitted means, (X'WX)^-1)."""
    mu = np.maximum(y, 0.5) if np.any(y > 0) else np.full_like(y, 0.5)
    eta = np.log(mu)
    beta: FloatArray = np.zeros(x.shape[1])
    for _ in range(iters):
        z = eta + (y - mu) / mu
        ww = w * mu
        xtw = x.T * ww
        xtwx = xtw @ x + 1e-9 * np.eye(x.shape[1])
        new: FloatArray = np.asarray(np.linalg.solve(xtwx, xtw @ z), dtype=np.float64)
        eta = np.clip(x @ new, -30.0, 30.0)
        mu = np.exp(eta)
        done = bool(np.max(np.abs(new - beta)) < 1e-8)
        beta = new
        if done:
            break
    xtw = x.T * (w * mu)
    xtwx_inv: FloatArray = np.asarray(np.linalg.inv(xtw @ x + 1e-9 * np.eye(x.shape[1])), dtype=np.float64)
    return beta, mu, xtwx_inv


def _dispersion(y: FloatArray, mu: FloatArray, w: FloatArray, p: int) -> float:
    n = y.size
    if n <= p:
        return 1.0
    return max(1.0, float(np.sum(w * (y - mu) ** 2 / mu) / (n - p)))


def _fit(s: IntArray, y: FloatArray, periods: IntArray, opts: DetectorOptions, *, trend: bool
         ) -> tuple[FloatArray, FloatArray, float, FloatArray, FloatArray]:
    x = _design(s, periods, opts.n_periods, trend=trend)
    w = np.ones_like(y)
    beta, mu, cov = _irls(x, y, w)
    phi = _dispersion(y, mu, w, x.shape[1])
    # Noufaily reweighting: Anscombe residuals above the threshold get weight r^-2 (weights rescaled to sum n)
    r = 1.5 * (np.cbrt(y) ** 2 - np.cbrt(mu) ** 2) / (np.sqrt(phi) * np.cbrt(mu) ** 0.5)
    big = r > opts.reweight_threshold
    if np.any(big):
        w = np.where(big, 1.0 / np.maximum(r, 1e-9) ** 2, 1.0)
        w = w * (y.size / w.sum())
        beta, mu, cov = _irls(x, y, w)
        phi = _dispersion(y, mu, w, x.shape[1])
    return beta, mu, phi, cov, x


def _nb_upper(mu0: float, phi: float, alpha: float) -> tuple[float, float]:
    """(1-alpha) quantile and the distribution's survival function factory parameters."""
    if phi <= 1.0 + 1e-9:
        return float(stats.poisson.ppf(1.0 - alpha, mu0)), 0.0
    size = mu0 / (phi - 1.0)
    return float(stats.nbinom.ppf(1.0 - alpha, size, size / (size + mu0))), size


def _p_value(y0: int, mu0: float, size: float) -> float:
    if y0 <= 0:
        return 1.0
    if size <= 0.0:
        return float(stats.poisson.sf(y0 - 1, mu0))
    return float(stats.nbinom.sf(y0 - 1, size, size / (size + mu0)))


def farrington_week(counts: IntArray, t0: int, *, excluded: BoolArray | None = None,
                    options: DetectorOptions | None = None) -> WeekDecision:
    """Farrington-flexible decision for week index ``t0`` of a weekly series (``counts[t]`` events in week t)."""
    o = options or DetectorOptions()
    y0 = int(counts[t0])
    lo = max(0, t0 - WEEKS_PER_YEAR * o.years_back - o.half_window_weeks)
    hi = t0 - o.guard_weeks  # exclusive: weeks t0-g+1 .. t0 are the guard band
    if hi <= lo:
        return WeekDecision(t0, y0, math.nan, math.nan, math.nan, math.nan, False, math.nan, False, False)
    s = np.arange(lo, hi, dtype=np.int64)
    if excluded is not None:
        s = s[~excluded[lo:hi]]
    if s.size < o.min_baseline_weeks:
        return WeekDecision(t0, y0, math.nan, math.nan, math.nan, math.nan, False, math.nan, False, False)
    y = counts[s].astype(np.float64)
    periods = _periods(s, t0, o.half_window_weeks, o.n_periods)
    if float(y.sum()) == 0.0:
        mu0, phi, trend = 0.0, 1.0, False
    else:
        trend = s.max() - s.min() >= 3 * WEEKS_PER_YEAR
        beta, _mu, phi, cov, _x = _fit(s, y, periods, o, trend=trend)
        if trend:
            se = math.sqrt(max(float(cov[1, 1]) * phi, 1e-300))
            pred = math.exp(min(30.0, float(beta[0] + beta[1] * (t0 - s.max()) / WEEKS_PER_YEAR)))
            if abs(float(beta[1]) / se) < 1.96 or pred > float(y.max()):
                trend = False
                beta, _mu, phi, cov, _x = _fit(s, y, periods, o, trend=False)
        slope = float(beta[1]) * (t0 - s.max()) / WEEKS_PER_YEAR if trend else 0.0
        mu0 = math.exp(min(30.0, float(beta[0]) + slope))  # period 0 is the reference level
    if mu0 <= 1e-12:
        upper, size = 0.0, 0.0
    else:
        upper, size = _nb_upper(mu0, phi, o.alpha)
    pv = _p_value(y0, mu0, size) if mu0 > 1e-12 else (0.0 if y0 > 0 else 1.0)
    score = (y0 - mu0) / (upper - mu0) if upper > mu0 else (math.inf if y0 > mu0 else 0.0)
    alarm = y0 > upper and y0 >= o.min_count
    return WeekDecision(t0, y0, mu0, upper, pv, score, alarm, phi, trend, True)


def cusum_series(counts: IntArray, start: int, *, excluded: BoolArray | None = None,
                 options: DetectorOptions | None = None) -> list[WeekDecision]:
    """CUSUM decisions for weeks ``start`` .. end (the statistic starts at 0 at ``start``, resets after an alarm)."""
    o = options or DetectorOptions()
    ex = np.zeros(counts.shape, dtype=bool) if excluded is None else excluded.copy()
    out: list[WeekDecision] = []
    stat = 0.0
    for t0 in range(start, counts.size):
        y0 = int(counts[t0])
        hi = t0 - o.cusum_guard_weeks
        lo = max(0, hi - o.cusum_weeks)
        s = np.arange(lo, max(lo, hi), dtype=np.int64)
        s = s[~ex[s]] if s.size else s
        if s.size < min(o.min_baseline_weeks, o.cusum_weeks):
            out.append(WeekDecision(t0, y0, math.nan, math.nan, math.nan, math.nan, False, math.nan, False, False))
            continue
        y = counts[s].astype(np.float64)
        mu = max(float(y.mean()), 1e-3)
        phi = max(1.0, float(y.var(ddof=1)) / mu) if y.size > 1 else 1.0
        sd = math.sqrt(phi * mu)
        prev = stat
        stat = max(0.0, prev + (y0 - mu) / sd - o.cusum_k)
        alarm = stat > o.cusum_h and y0 >= o.min_count
        upper = mu + sd * (o.cusum_h + o.cusum_k - prev)  # the smallest count above it alarms this week
        out.append(WeekDecision(t0, y0, mu, max(upper, 0.0), math.nan, stat, alarm, phi, False, True))
        if alarm:
            stat = 0.0
            ex[t0] = True
    return out
