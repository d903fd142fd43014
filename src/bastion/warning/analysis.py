"""Read-only analyses: threat priors updated from local counts with the region's risk side by side, and the
monthly backtest (what was detected, when, how often an alert was followed by events). Nothing is written."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import replace

import numpy as np
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from bastion.algorithms.risk.scoring import RiskParameters
from bastion.algorithms.risk.scoring import assess_site
from bastion.algorithms.risk.threat import default_priors
from bastion.algorithms.surveillance.detect import DetectorOptions
from bastion.algorithms.surveillance.detect import Method
from bastion.algorithms.surveillance.monitor import monitor
from bastion.algorithms.surveillance.priors import PriorUpdate
from bastion.algorithms.surveillance.priors import update_priors
from bastion.kernel.errors import InvalidInput
from bastion.regions.repository import RegionRepo
from bastion.risk import service as risk
from bastion.warning.enums import METHODS
from bastion.warning.models import WarningCount
from bastion.warning.service import _all_series
from bastion.warning.service import _dense

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class SiteRiskChange:
    site_id: int
    site_label: str
    category: str
    old_total: float  # risk index (T x V x C summed over threats), with today's global priors
    new_total: float  # the same with the updated priors
    old_rating: str
    new_rating: str


@dataclass(frozen=True)
class PriorsComparison:
    region_id: int
    since: dt.date | None
    update: PriorUpdate
    sites: tuple[SiteRiskChange, ...]  # largest change first


def local_counts(s: Session, region_id: int, *, since: dt.date | None = None
                 ) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    c = WarningCount
    q = (select(c.target_type, c.attack_type, func.sum(c.events)).where(c.region_id == region_id)
         .group_by(c.target_type, c.attack_type))
    if since is not None:
        q = q.where(c.week >= since)
    targets: dict[int, int] = {}
    threats: dict[int, dict[str, int]] = {}
    for tt, at, n in s.execute(q):
        targets[tt] = targets.get(tt, 0) + int(n)
        threats.setdefault(tt, {})[at] = threats.get(tt, {}).get(at, 0) + int(n)
    return targets, threats


def compare_priors(s: Session, region_id: int, *, since: dt.date | None = None, target_weight: float = 200.0,
                   mix_weight: float = 50.0, progress: Progress | None = None) -> PriorsComparison:
    """Global priors updated with the region's counts; every site's T x V x C under old and new priors."""
    if target_weight < 0 or mix_weight < 0:
        raise InvalidInput("target_weight and mix_weight must be >= 0 pseudo-incidents", field="target_weight")
    region = RegionRepo(s).get(region_id)
    targets, threats = local_counts(s, region_id, since=since)  # none yet: the posterior is the prior
    upd = update_priors(default_priors(), targets, threats, target_weight=target_weight, mix_weight=mix_weight,
                        source=f"counts of region {region.name}")
    level = risk.threat_setting(s, region_id).scoring_level
    sites = risk.region_sites(s, region_id)
    gapped = risk.vehicle_gap_sites(s, [x.id for x in sites])
    out = []
    for i, site in enumerate(sites):
        if progress is not None and i % 200 == 0:
            progress(i / max(1, len(sites)), f"site {i + 1} of {len(sites)}")
        prof = risk.profile(s, site)
        ms = risk.measure_set(risk.site_measures(s, site.id))
        base = risk.risk_params(site.id in gapped) or RiskParameters()
        old = assess_site(prof, ms, threat_level=level, params=base)
        new = assess_site(prof, ms, threat_level=level, params=replace(base, priors=upd.priors))
        label = site.name or site.kind.replace("_", " ").capitalize()
        out.append(SiteRiskChange(site.id, label, site.category, old.total_risk, new.total_risk, old.worst_rating,
                                  new.worst_rating))
    out.sort(key=lambda x: -abs(x.new_total - x.old_total))
    return PriorsComparison(region_id, since, upd, tuple(out))


# ---------------------------------------------------------------- backtest


@dataclass(frozen=True)
class BacktestAlert:
    dataset: str
    attack_type: str
    target_type: int
    week: dt.date
    observed: int
    expected: float
    upper: float
    level_shift: bool
    events_after: int  # events in the series in the horizon weeks after the alert week
    followed: bool  # events_after > expected events over the horizon


@dataclass(frozen=True)
class Backtest:
    region_id: int
    month: str
    method: str
    horizon_weeks: int
    series: int
    weeks_decided: int
    alarm_weeks: int
    alerts: tuple[BacktestAlert, ...]
    followed_share: float | None  # share of alerts followed by more events than expected; None without alerts
    runtime_s: float


def parse_month(text: str) -> tuple[dt.date, dt.date]:
    try:
        first = dt.date.fromisoformat(text.strip() + "-01")
    except ValueError:
        raise InvalidInput(f"month must be YYYY-MM, got {text!r}", field="month") from None
    nxt = dt.date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, nxt - dt.timedelta(days=1)


def backtest(s: Session, region_id: int, month: str, *, method: str = "farrington", horizon_weeks: int = 4,
             warmup_weeks: int = 52, options: DetectorOptions | None = None,
             progress: Progress | None = None) -> Backtest:
    """Replay detection prospectively for the weeks starting in ``month`` (each decision sees only earlier
    weeks; alarm exclusions warm up over the ``warmup_weeks`` before), then look ``horizon_weeks`` ahead."""
    if method not in METHODS:
        raise InvalidInput(f"method must be one of {list(METHODS)}, got {method!r}", field="method")
    if not 1 <= horizon_weeks <= 26:
        raise InvalidInput(f"horizon_weeks must be between 1 and 26, got {horizon_weeks}", field="horizon_weeks")
    m: Method = "cusum" if method == "cusum" else "farrington"
    t0 = time.perf_counter()
    RegionRepo(s).get(region_id)
    first_day, last_day = parse_month(month)
    by, first, last = _all_series(s, region_id, None)
    alerts: list[BacktestAlert] = []
    decided = alarm_weeks = 0
    if first is not None and last is not None and first <= last_day:
        end = max(last, last_day)
        for j, key in enumerate(sorted(by)):
            if progress is not None and j % 50 == 0:
                progress(j / max(1, len(by)), f"series {j + 1} of {len(by)}")
            wk, counts = _dense(by[key], first, end)
            in_month = [i for i, w in enumerate(wk) if first_day <= w <= last_day]
            if not in_month:
                continue
            lo, hi = in_month[0], in_month[-1]
            arr = np.asarray(counts[:hi + 1], dtype=np.int64)
            res = monitor(arr, max(0, lo - warmup_weeks), method=m, options=options)
            for d in res.decisions:
                if d.t >= lo:
                    decided += d.decided
                    alarm_weeks += d.alarm
            for ep in res.alerts:
                if ep.t_start < lo:
                    continue
                after = sum(counts[ep.t_start + 1:ep.t_start + 1 + horizon_weeks])
                alerts.append(BacktestAlert(key[0], key[1], key[2], wk[ep.t_start], ep.observed, ep.expected,
                                            ep.upper, ep.level_shift, int(after),
                                            after > ep.expected * horizon_weeks))
    followed = sum(a.followed for a in alerts) / len(alerts) if alerts else None
    return Backtest(region_id, month, method, horizon_weeks, len(by), decided, alarm_weeks,
                    tuple(sorted(alerts, key=lambda a: (a.week, a.dataset, a.attack_type, a.target_type))),
                    followed, time.perf_counter() - t0)
