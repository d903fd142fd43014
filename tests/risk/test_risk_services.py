"""Risk services on the real Monaco import, on SQLite and PostgreSQL: every site tiered under the three regimes
and scored; stored assessments; threat levels; measures and facts; the portfolio (exact >= greedy)."""

from __future__ import annotations

import collections

import pytest
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.kernel.errors import InvalidInput
from bastion.risk import service as svc
from bastion.risk.models import RiskAssessment


def _stade(s: Session) -> int:
    from bastion.sites.models import Site

    return int(s.scalar(select(Site.id).where(Site.name == "Stade Louis-II")))


def test_monaco_all_sites_tiered_and_scored(monaco_sf: sessionmaker[Session]) -> None:
    rr = svc.store_region_assessment(monaco_sf, 1)
    assert len(rr.ranking) == len(rr.tiers) == 153
    counts = collections.Counter((t.standard_id, t.tier or t.status) for ts in rr.tiers.values() for t in ts)
    assert {k: v for k, v in counts.items() if k[0] == "uk_ppa_2025"} == {
        ("uk_ppa_2025", "not_in_scope"): 86, ("uk_ppa_2025", "enhanced"): 19, ("uk_ppa_2025", "standard"): 48}
    assert counts[("us_isc_fsl", "I")] == 47 and counts[("us_isc_fsl", "II")] == 106
    assert counts[("cn_key_target", "grade_1")] == 6 and counts[("cn_key_target", "grade_2")] == 61
    assert counts[("cn_key_target", "grade_3")] == 47 and counts[("cn_key_target", "not_in_scope")] == 39
    assert sum(rr.matrix.values()) == 153 * 6 and rr.matrix[(4, 4)] == 1
    with monaco_sf() as s:
        assert s.scalar(select(func.count()).select_from(RiskAssessment)) == 153 * 6
        assert int(rr.ranking[0].site_id) == _stade(s)
        stored = svc.stored_assessments(s, _stade(s))
        assert {a.threat for a in stored} == {r.threat for r in rr.ranking[0].by_threat}
        assert stored[0].standard_versions == {
            "uk_ppa_2025": "2025",
            "us_isc_fsl": "2021",
            "cn_key_target": "bastion-1",
        }
    # re-scoring replaces rows, never duplicates them
    svc.store_region_assessment(monaco_sf, 1)
    with monaco_sf() as s:
        assert s.scalar(select(func.count()).select_from(RiskAssessment)) == 153 * 6


def test_measures_lower_risk_and_threat_level_raises_it(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        sid = _stade(s)
        site = svc.SiteRepo(s).get(sid)
        before = svc.assess(s, site).total_risk
    svc.record_measure(monaco_sf, sid, "hvm_barrier", {"standard": "IWA 14-1", "rating": "V/7200[N3C]/80/90:0.0"})
    svc.record_measure(monaco_sf, sid, "screening", {"coverage": "all"})
    with monaco_sf() as s:
        rows = svc.site_measures(s, sid)
        assert rows[0].params == {"standard": "IWA 14-1", "rating": "V/7200[N3C]/80/90:0.0"}  # verbatim
        after = svc.assess(s, svc.SiteRepo(s).get(sid)).total_risk
    assert after < before
    svc.set_threat_level(monaco_sf, 1, uk_threat_level="SEVERE")
    with monaco_sf() as s:
        severe = svc.assess(s, svc.SiteRepo(s).get(sid))
    assert severe.threat_level == "SEVERE" and severe.total_risk == pytest.approx(2 * after)
    # China heightened level 2 raises the cn requirements (guards count 4)
    svc.set_threat_level(monaco_sf, 1, cn_heightened_level="level_2")
    with monaco_sf() as s:
        cn = next(t for t in svc.site_tiers(s, svc.SiteRepo(s).get(sid)) if t.standard_id == "cn_key_target")
    assert cn.heightened_level == "level_2"
    assert next(r for r in cn.requirements if r.measure == "guards").params["count"] >= 4
    with pytest.raises(InvalidInput) as e:
        svc.set_threat_level(monaco_sf, 1, uk_threat_level="HIGH")
    assert e.value.field == "uk_threat_level"
    with pytest.raises(InvalidInput) as e:
        svc.record_measure(monaco_sf, sid, "cctv", {"retention_days": -1})
    assert e.value.field == "cctv.retention_days"


def test_portfolio_exact_not_below_greedy_and_facts(monaco_sf: sessionmaker[Session]) -> None:
    with monaco_sf() as s:
        pc = svc.portfolio(s, 1, 200_000, max_candidates=3)
    assert pc.exact.status == "optimal" and pc.exact.total_cost <= 200_000
    assert pc.exact.objective >= pc.greedy.objective - 1e-9 and pc.difference >= -1e-9
    assert 0 < pc.exact.objective < pc.base_risk
    with monaco_sf() as s, pytest.raises(InvalidInput) as e:
        svc.portfolio(s, 1, -5)
    assert e.value.field == "budget"

    # facts change tiers and are validated before they are written
    with monaco_sf() as s:
        sid = _stade(s)
    facts = svc.set_facts(monaco_sf, sid, {"mission_criticality": 4, "symbolism": 4, "threat_to_tenants": 4,
                                           "floor_area_sqft": 300_000})
    assert facts["symbolism"] == 4
    with monaco_sf() as s:
        fsl = next(t for t in svc.site_tiers(s, svc.SiteRepo(s).get(sid)) if t.standard_id == "us_isc_fsl")
    assert fsl.score == 20 and fsl.tier == "IV"
    with pytest.raises(InvalidInput) as e:
        svc.set_facts(monaco_sf, sid, {"symbolism": 9})
    assert e.value.field == "facts.symbolism"
    with pytest.raises(InvalidInput):
        svc.set_facts(monaco_sf, sid, {"religion": "x"})  # unknown keys are refused
    svc.set_facts(monaco_sf, sid, {"symbolism": None})
    with monaco_sf() as s:
        assert "symbolism" not in svc.site_facts(s, sid)
