from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.risk.consequence import consequences
from bastion.algorithms.risk.consequence import mean_weekly_occupancy
from bastion.algorithms.risk.consequence import occupancy_fraction
from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.scoring import assess_site
from bastion.algorithms.risk.scoring import cell_rating
from bastion.algorithms.risk.scoring import level
from bastion.algorithms.risk.scoring import matrix_counts
from bastion.algorithms.risk.scoring import rank_sites
from bastion.algorithms.risk.scoring import total_risk
from bastion.algorithms.risk.site import CATEGORIES
from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.threat import GTD_0718_TARGET_COUNTS
from bastion.algorithms.risk.threat import GTD_0718_WEAPON_COUNTS
from bastion.algorithms.risk.threat import THREATS
from bastion.algorithms.risk.threat import default_priors
from bastion.algorithms.risk.threat import threat_likelihoods
from bastion.kernel.errors import InvalidInput

KIND_CHOICES = [(c, k) for c, ks in CATEGORIES.items() for k in ks]
MON_9_TO_17 = ((9 * 60, 17 * 60),)


def test_published_aggregates_are_consistent() -> None:
    assert sum(GTD_0718_TARGET_COUNTS.values()) == 181_691
    assert sum(GTD_0718_WEAPON_COUNTS.values()) == 181_691
    pri = default_priors()
    assert pri.target_shares[14] == pytest.approx(43511 / 181691)
    assert sum(pri.mix[0].values()) == pytest.approx(1.0)
    assert min(pri.mix[0].values()) >= 0.02 / (1 + 6 * 0.02) - 1e-12  # floor kept after renormalising
    raw = default_priors(mix_floor=0.0).mix[0]
    assert raw["ied"] == pytest.approx(92426 / (92426 + 58524 + 3655 + 11135 + 321 + 35 + 14 + 136))


def test_threat_level_scales_linearly() -> None:
    pri = default_priors()
    lo = threat_likelihoods("retail", "mall", priors=pri, threat_level="LOW")
    cr = threat_likelihoods("retail", "mall", priors=pri, threat_level="CRITICAL")
    assert all(cr[t] == pytest.approx(16 * lo[t]) for t in THREATS)
    with pytest.raises(InvalidInput, match="threat_level"):
        threat_likelihoods("retail", "mall", priors=pri, threat_level="PURPLE")


def test_occupancy_by_hour() -> None:
    assert occupancy_fraction(MON_9_TO_17, 10 * 60) == 0.7
    assert occupancy_fraction(MON_9_TO_17, 8 * 60) == 0.05
    assert occupancy_fraction(MON_9_TO_17, 17 * 60) == 0.05  # end is exclusive
    assert occupancy_fraction(None, 3) == 0.5
    assert mean_weekly_occupancy(MON_9_TO_17) == pytest.approx((480 * 0.7 + (10080 - 480) * 0.05) / 10080)
    s = SiteProfile("m", "retail", "mall", capacity=1000, open_intervals=MON_9_TO_17)
    c_open = consequences(s, minute_of_week=600)
    assert c_open["ied"] == pytest.approx(1000 * 0.7 * 0.08)
    assert consequences(s, minute_of_week=0)["ied"] == pytest.approx(1000 * 0.05 * 0.08)
    plant = SiteProfile("p", "infrastructure", "power_plant", capacity=10)
    assert consequences(plant)["cyber"] == pytest.approx(2000 * 0.5)


def test_levels_and_matrix() -> None:
    assert [level(x, (1.0, 10.0, 50.0)) for x in (0.5, 1.0, 1.01, 10, 49, 50, 51)] == [1, 1, 2, 2, 3, 3, 4]
    assert cell_rating(1, 2) == "low" and cell_rating(2, 2) == "medium" and cell_rating(3, 3) == "high"
    assert cell_rating(3, 4) == "very high"


def test_assessment_gaps_are_the_missing_measures_and_their_reduction() -> None:
    s = SiteProfile("a", "venue", "arena", capacity=5000)
    ms = MeasureSet.of(["cctv", "lockdown_procedure"])
    a = assess_site(s, ms)
    assert a.total_risk == pytest.approx(total_risk(s, ms))
    assert {g.measure for g in a.gaps}.isdisjoint({"cctv", "lockdown_procedure"})
    top = a.gaps[0]
    assert top.risk_reduction == pytest.approx(sum(top.reduction_by_threat.values()))
    assert [g.risk_reduction for g in a.gaps] == sorted((g.risk_reduction for g in a.gaps), reverse=True)
    b = assess_site(SiteProfile("b", "retail", "supermarket", capacity=100), MeasureSet())
    assert [x.site_id for x in rank_sites([b, a])] == ["a", "b"]
    assert sum(matrix_counts([a, b]).values()) == 2 * len(THREATS)


@settings(max_examples=80, derandomize=True, deadline=None)
@given(st.sampled_from(KIND_CHOICES), st.integers(0, 100_000), st.integers(0, 100_000),
       st.lists(st.sampled_from(["cctv", "guards", "screening", "hvm_barrier", "lockdown_procedure"]), unique=True),
       st.one_of(st.none(), st.integers(0, 10079)))
def test_risk_monotone_in_capacity(ck: tuple[str, str], a: int, b: int, kinds: list[str],
                                   minute: int | None) -> None:
    lo, hi = sorted((a, b))
    ms = MeasureSet.of(kinds)
    r_lo = total_risk(SiteProfile("x", ck[0], ck[1], capacity=lo, open_intervals=MON_9_TO_17), ms,
                      minute_of_week=minute)
    r_hi = total_risk(SiteProfile("x", ck[0], ck[1], capacity=hi, open_intervals=MON_9_TO_17), ms,
                      minute_of_week=minute)
    assert r_lo <= r_hi + 1e-12


def test_site_profile_validation() -> None:
    with pytest.raises(InvalidInput, match="kind 'stadium' does not belong"):
        SiteProfile("x", "retail", "stadium")
    with pytest.raises(InvalidInput, match="open_intervals"):
        SiteProfile("x", "retail", "mall", open_intervals=((100, 50),))
    with pytest.raises(InvalidInput, match="unknown keys"):
        SiteProfile("x", "worship", "place_of_worship", facts={"religion": "x"})
