from __future__ import annotations

import pytest

from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.standards import Standard
from bastion.algorithms.risk.tiering import NOT_IN_SCOPE
from bastion.algorithms.risk.tiering import TIERED
from bastion.algorithms.risk.tiering import UNKNOWN
from bastion.algorithms.risk.tiering import tier_all
from bastion.algorithms.risk.tiering import tier_site
from bastion.kernel.errors import InvalidInput


def site(category: str, kind: str, capacity: int | None, **facts: object) -> SiteProfile:
    return SiteProfile("s1", category, kind, capacity=capacity, facts=facts)


# ---- UK Terrorism (Protection of Premises) Act 2025 -------------------------------------------------

@pytest.mark.parametrize(("capacity", "status", "tier"), [
    (199, NOT_IN_SCOPE, None), (200, TIERED, "standard"), (799, TIERED, "standard"), (800, TIERED, "enhanced"),
])
def test_uk_capacity_boundaries(standards: dict[str, Standard], capacity: int, status: str, tier: str | None) -> None:
    r = tier_site(site("retail", "supermarket", capacity), standards["uk_ppa_2025"])
    assert (r.status, r.tier) == (status, tier)


@pytest.mark.parametrize(("category", "kind"), [
    ("worship", "place_of_worship"), ("education", "school"), ("education", "kindergarten"),
    ("education", "childcare"),
])
def test_uk_worship_childcare_school_always_standard(standards: dict[str, Standard], category: str, kind: str) -> None:
    uk = standards["uk_ppa_2025"]
    assert tier_site(site(category, kind, 5000), uk).tier == "standard"
    assert tier_site(site(category, kind, 800), uk).tier == "standard"
    assert tier_site(site(category, kind, 199), uk).status == NOT_IN_SCOPE


def test_uk_university_is_not_overridden(standards: dict[str, Standard]) -> None:
    assert tier_site(site("education", "university", 800), standards["uk_ppa_2025"]).tier == "enhanced"


def test_uk_standard_tier_requires_the_four_s5_procedures_only(standards: dict[str, Standard]) -> None:
    r = tier_site(site("venue", "cinema", 300), standards["uk_ppa_2025"])
    assert {q.measure for q in r.requirements} == {
        "evacuation_procedure", "invacuation_procedure", "lockdown_procedure", "communication_procedure"}
    enhanced = tier_site(site("venue", "cinema", 900), standards["uk_ppa_2025"])
    kinds = {q.measure for q in enhanced.requirements}
    assert {"designated_senior_individual", "security_plan", "evacuation_procedure"} <= kinds
    assert any("s10" in q.clause for q in enhanced.requirements if q.measure == "designated_senior_individual")


@pytest.mark.parametrize(("capacity", "checks", "tier"), [(799, True, None), (800, True, "enhanced"),
                                                           (800, False, None), (20000, False, None)])
def test_uk_events_need_800_and_entry_checks(standards: dict[str, Standard], capacity: int, checks: bool,
                                             tier: str | None) -> None:
    r = tier_site(site("public_space", "square", capacity, is_event=True, entry_checks=checks),
                  standards["uk_ppa_2025"])
    assert r.tier == tier


def test_uk_non_qualifying_and_unknown(standards: dict[str, Standard]) -> None:
    uk = standards["uk_ppa_2025"]
    assert tier_site(site("infrastructure", "substation", 5000), uk).status == NOT_IN_SCOPE
    assert tier_site(site("hotel", "hotel", 5000), uk).status == NOT_IN_SCOPE
    assert tier_site(site("hotel", "hotel", 5000, uk_qualifying_use=True), uk).tier == "enhanced"
    r = tier_site(site("retail", "mall", None), uk)
    assert r.status == UNKNOWN and "capacity unknown" in r.reasons[-1]


# ---- US ISC Facility Security Level ---------------------------------------------------------------

def fsl(
    standards: dict[str, Standard], mc: int, sym: int, pop: int, sqft: float, ttt: int, **facts: object
) -> tuple[int, str]:
    r = tier_site(site("government", "government_office", pop, mission_criticality=mc, symbolism=sym,
                       floor_area_sqft=sqft, threat_to_tenants=ttt, **facts), standards["us_isc_fsl"])
    assert r.score is not None and r.tier is not None
    return r.score, r.tier


@pytest.mark.parametrize(("factors", "total", "level"), [
    ((1, 1, 50, 5000, 1), 5, "I"),
    ((2, 1, 150, 5000, 1), 7, "I"),      # pop 150 -> 2
    ((2, 2, 150, 5000, 1), 8, "II"),
    ((3, 3, 300, 50000, 1), 12, "II"),   # pop 300 -> 3, size -> 2
    ((3, 3, 300, 50000, 2), 13, "III"),
    ((4, 3, 1000, 200000, 3), 17, "III"),  # pop 1000 -> 4, size -> 3
    ((4, 4, 1000, 200000, 3), 18, "IV"),
    ((4, 4, 1000, 300000, 4), 20, "IV"),
])
def test_fsl_total_boundaries(standards: dict[str, Standard], factors: tuple[int, int, int, float, int],
                              total: int, level: str) -> None:
    assert fsl(standards, *factors) == (total, level)


@pytest.mark.parametrize(("pop", "score"), [(99, 1), (100, 1), (101, 2), (250, 2), (251, 3), (750, 3), (751, 4)])
def test_fsl_population_bands(standards: dict[str, Standard], pop: int, score: int) -> None:
    total, _ = fsl(standards, 1, 1, pop, 1000, 1)
    assert total - 4 == score


def test_fsl_size_from_square_metres_and_adjustment(standards: dict[str, Standard]) -> None:
    # 10,000 m^2 = 107,639 sq ft -> size score 3
    r = tier_site(site("government", "townhall", 50, floor_area_m2=10_000.0, mission_criticality=1, symbolism=1,
                       threat_to_tenants=1), standards["us_isc_fsl"])
    assert r.score == 1 + 1 + 1 + 3 + 1
    assert fsl(standards, 2, 2, 150, 5000, 1, fsl_intangible_adjustment=1) == (8, "III")
    assert fsl(standards, 1, 1, 50, 5000, 1, fsl_intangible_adjustment=-1) == (5, "I")  # clamped at I
    with pytest.raises(InvalidInput, match="mission_criticality"):
        fsl(standards, 5, 1, 50, 5000, 1)


# ---- China-style key-target grading -----------------------------------------------------------------

def test_cn_rules_designation_and_heightened_levels(standards: dict[str, Standard]) -> None:
    cn = standards["cn_key_target"]
    assert tier_site(site("infrastructure", "power_plant", 30), cn).tier == "grade_1"
    assert tier_site(site("retail", "mall", 5000), cn).tier == "grade_1"
    assert tier_site(site("retail", "mall", 4999), cn).tier == "grade_2"
    assert tier_site(site("retail", "mall", 999), cn).tier == "grade_3"
    assert tier_site(site("retail", "mall", 199), cn).status == NOT_IN_SCOPE
    assert tier_site(site("retail", "mall", 199, key_target_grade=1), cn).tier == "grade_1"
    base = {r.measure: r for r in tier_site(site("retail", "mall", 999), cn).requirements}
    assert base["cctv"].params["retention_days"] == 90 and base["guards"].params["count"] == 1
    assert "patrol" not in base
    hi = {r.measure: r for r in tier_site(site("retail", "mall", 999), cn, heightened_level="level_1").requirements}
    assert hi["guards"].params["count"] == 6  # the highest minimum wins
    assert hi["patrol"].params["visits_per_day"] == 24
    assert {"hvm_barrier", "screening", "lockdown_procedure"} <= set(hi)
    with pytest.raises(InvalidInput, match="heightened level"):
        tier_site(site("retail", "mall", 999), cn, heightened_level="level_9")


def test_side_by_side(standards: dict[str, Standard]) -> None:
    rs = tier_all(site("venue", "stadium", 30000), standards.values())
    assert [(r.standard_id, r.tier) for r in rs] == [("uk_ppa_2025", "enhanced"), ("us_isc_fsl", "II"),
                                                     ("cn_key_target", "grade_1")]
