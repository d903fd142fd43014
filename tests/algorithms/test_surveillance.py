"""Outbreak detection, alert hygiene, the Dirichlet-multinomial prior update and small-count suppression:
hand-checked cases, the synthetic detection benchmark with fixed seeds, properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from scipy import stats

from bastion.algorithms.risk.threat import default_priors
from bastion.algorithms.surveillance.detect import DetectorOptions
from bastion.algorithms.surveillance.detect import cusum_series
from bastion.algorithms.surveillance.detect import farrington_week
from bastion.algorithms.surveillance.disclosure import suppress
from bastion.algorithms.surveillance.disclosure import suppress_all
from bastion.algorithms.surveillance.disclosure import suppress_total
from bastion.algorithms.surveillance.monitor import Resume
from bastion.algorithms.surveillance.monitor import monitor
from bastion.algorithms.surveillance.priors import dirichlet_update
from bastion.algorithms.surveillance.priors import update_priors
from bastion.algorithms.surveillance.synthetic import BenchmarkSpec
from bastion.algorithms.surveillance.synthetic import Scenario
from bastion.algorithms.surveillance.synthetic import benchmark
from bastion.algorithms.surveillance.synthetic import make_series


def test_constant_series_threshold_is_the_poisson_quantile() -> None:
    """Every baseline week has 5 events: mu0 = 5, phi = 1 (floored), threshold = Poisson 99.5 % quantile = 12
    (P(X <= 11) = 0.99455 < 0.995 <= P(X <= 12) = 0.99798); 13 alarms, 12 does not."""
    counts = np.full(300, 5, dtype=np.int64)
    assert stats.poisson.cdf(11, 5.0) == pytest.approx(0.99455, abs=1e-5)
    assert stats.poisson.cdf(12, 5.0) == pytest.approx(0.99798, abs=1e-5)
    counts[-1] = 12
    d = farrington_week(counts, 299)
    assert d.decided and d.expected == pytest.approx(5.0, rel=1e-6) and d.dispersion == 1.0
    assert d.upper == 12 and not d.alarm
    counts[-1] = 13
    d = farrington_week(counts, 299)
    assert d.alarm and d.p_value == pytest.approx(1 - 0.99798, abs=1e-5)


def test_too_short_a_baseline_decides_nothing() -> None:
    d = farrington_week(np.full(60, 3, dtype=np.int64), 59)
    assert not d.decided and not d.alarm


def test_min_count_rule() -> None:
    """Near-zero baseline: one event is above the threshold but below min_count (2), so no alarm."""
    counts = np.zeros(300, dtype=np.int64)
    counts[::50] = 1
    counts[-1] = 1
    assert not farrington_week(counts, 299).alarm
    counts[-1] = 2
    assert farrington_week(counts, 299).alarm


def test_baselines_exclude_past_alarms() -> None:
    """A past outbreak (40 a week for 8 weeks) in the baseline raises the expected count unless it is excluded."""
    rng = np.random.default_rng(1)
    counts = rng.poisson(5.0, 300).astype(np.int64)
    counts[200:208] = 40
    ex = np.zeros(300, dtype=bool)
    ex[200:208] = True
    opts = DetectorOptions(n_periods=1)
    with_outbreak = farrington_week(counts, 299, options=opts)
    excluded = farrington_week(counts, 299, excluded=ex, options=opts)
    clean = rng.poisson(5.0, 300)
    assert excluded.expected == pytest.approx(float(np.delete(counts[:274], range(200, 208))[-265:].mean()), rel=0.1)
    assert with_outbreak.upper > excluded.upper
    assert clean.size == 300


@pytest.mark.slow
def test_detection_figures_on_synthetic_rises() -> None:
    """Series with mean 2-20 events/week, dispersion 1-2, seasonal, one rise of +4 SD for 3 weeks in the monitored
    last year, fixed seed: >= 90 % of rises detected with <= 1 % false alarms per series-week (Farrington on 60
    series, CUSUM on 200, to stay fast; bench/warning_detect.py runs 500 and docs/models/warning.md has the
    figures)."""
    f = benchmark(np.random.default_rng(20261130), BenchmarkSpec(n_series=60))
    assert f.detection_rate >= 0.90, f
    assert f.false_alarm_rate <= 0.01, f
    c = benchmark(np.random.default_rng(20261130), BenchmarkSpec(n_series=200), method="cusum")
    assert c.detection_rate >= 0.90, c
    assert c.false_alarm_rate <= 0.01, c


def test_a_level_shift_gives_at_most_one_alert_per_7_days() -> None:
    """The mean rises 2.5-fold at week 260 and stays: the raw detector alarms in 31 of the 52 following weeks, yet
    at most one alert per series per 7 days is raised, and in all only 2 (the second becomes a level-shift
    episode that absorbs every later alarm)."""
    rng = np.random.default_rng(3)
    s = make_series(rng, Scenario(weeks=312, mean=6.0, phi=1.0, amplitude=0.0, shift_from=260, shift_factor=2.5))
    res = monitor(s.counts, 208)
    alarms = [d.t for d in res.decisions if d.alarm]
    assert len(alarms) == 31  # the shift keeps exceeding the old baseline
    assert len(res.alerts) == 2
    assert res.alerts[-1].level_shift and res.alerts[0].t_start >= 260
    assert res.alerts[-1].t_last == alarms[-1]  # every later alarm went into the level-shift episode
    starts = [a.t_start for a in res.alerts]
    assert all(b - a >= 1 for a, b in zip(starts, starts[1:], strict=False))  # weeks: >= 7 days apart


def test_rerunning_a_week_adds_nothing() -> None:
    """Monitoring the same weeks again with the previous run's state creates no new alert (idempotent runs)."""
    s = make_series(np.random.default_rng(5), Scenario(rise_start=300, rise_weeks=3, rise_sd=6.0))
    first = monitor(s.counts, 290)
    assert len(first.alerts) == 1
    again = monitor(s.counts, 290, excluded=first.excluded,
                    resume=Resume(first.episode, first.alerts[0].t_start, first.alerts[-1].t_last))
    assert again.alerts == ()


def test_cusum_hand_case() -> None:
    """Baseline of alternating 4 and 6 (mean 5, variance ratio 0.2 -> phi 1): z = (y-5)/sqrt(5); with k = 0.5 and
    h = 5 the statistic passes h on the 3rd week of counts of 11 (z = 2.683: S = 2.18, 4.37, 6.55)."""
    base = np.tile([4, 6], 60).astype(np.int64)
    counts = np.concatenate([base, np.array([11, 11, 11], dtype=np.int64)])
    out = cusum_series(counts, 120)
    z = 6 / math.sqrt(5)
    assert [round(d.score, 3) for d in out] == [round(k * (z - 0.5), 3) for k in (1, 2, 3)]
    assert [d.alarm for d in out] == [False, False, True]
    assert cusum_series(np.concatenate([counts, [5]]), 120)[-1].score == 0.0  # reset after the alarm


def test_dirichlet_update_hand_case() -> None:
    """Prior (0.5, 0.5) with weight 10 and 10 local events all of kind a: posterior mean a = (5 + 10)/20 = 0.75."""
    u = {x.key: x for x in dirichlet_update({"a": 0.5, "b": 0.5}, {"a": 10}, 10.0)}
    assert u["a"].posterior == pytest.approx(0.75)
    assert u["b"].posterior == pytest.approx(0.25)
    assert u["a"].lower < 0.75 < u["a"].upper
    assert u["a"].lower == pytest.approx(stats.beta.ppf(0.05, 15, 5))


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(list("abcdef")), st.integers(0, 500), min_size=1),
       st.floats(0.1, 1e4))
def test_dirichlet_update_properties(counts: dict[str, int], weight: float) -> None:
    prior = {"a": 0.4, "b": 0.3, "c": 0.2, "d": 0.1}
    out = dirichlet_update(prior, counts, weight)
    assert sum(x.posterior for x in out) == pytest.approx(1.0)
    for x in out:
        assert 0.0 <= x.lower <= x.upper <= 1.0
        # the posterior lies between the prior share and the local share
        n = sum(counts.values())
        local = counts.get(x.key, 0) / n if n else x.prior
        assert min(x.prior, local) - 1e-9 <= x.posterior <= max(x.prior, local) + 1e-9


def test_priors_update_moves_towards_local_counts_and_feeds_risk() -> None:
    g = default_priors()
    upd = update_priors(g, {19: 300}, {19: {"ied": 300}})
    assert sum(upd.priors.target_shares.values()) == pytest.approx(1.0)
    assert upd.priors.target_shares[19] == pytest.approx((200 * g.target_shares[19] + 300) / 500)
    assert upd.priors.mix[19]["ied"] > g.mix[0]["ied"]
    assert sum(upd.priors.mix[19].values()) == pytest.approx(1.0)
    none = update_priors(g, {}, {})
    assert dict(none.priors.target_shares) == pytest.approx(dict(g.target_shares))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50), min_size=1, max_size=30), st.integers(1, 10))
def test_no_shared_cell_is_a_small_count(counts: list[int], k: int) -> None:
    shown = suppress_all(counts, k=k)
    assert all(v is None or v == 0 or v >= k for v in shown)
    assert [c for c, v in zip(counts, shown, strict=True) if v is None] == [c for c in counts if 0 < c < k]
    total = suppress_total(counts, k=k)
    hidden = [c for c in counts if 0 < c < k]
    if total is not None:  # a published total never reveals a single hidden cell
        assert len(hidden) != 1 and not 0 < sum(hidden) < k
        assert total == 0 or total >= k


def test_suppression_threshold_is_three() -> None:
    assert [suppress(c) for c in (0, 1, 2, 3, 4)] == [0, None, None, 3, 4]
