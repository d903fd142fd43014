"""A capacity estimate's band (low - high people) that spans a tier threshold is stated: confirm on site."""

from __future__ import annotations

import pytest

from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.standards import Standard
from bastion.algorithms.risk.tiering import tier_site
from bastion.kernel.errors import InvalidInput


def mall(capacity: int, band: tuple[int, int] | None) -> SiteProfile:
    return SiteProfile("s1", "retail", "mall", capacity=capacity, capacity_band=band)


def test_band_spanning_800_is_flagged(standards: dict[str, Standard]) -> None:
    r = tier_site(mall(500, (199, 850)), standards["uk_ppa_2025"])
    assert r.tier == "standard" and r.band_straddles  # the central figure still decides the tier
    assert r.reasons[-1] == "capacity band 199–850 people spans not in scope to enhanced: confirm on site"


def test_band_inside_one_tier_is_quiet(standards: dict[str, Standard]) -> None:
    r = tier_site(mall(500, (300, 700)), standards["uk_ppa_2025"])
    assert r.tier == "standard" and not r.band_straddles and "confirm on site" not in " ".join(r.reasons)
    firm = tier_site(mall(500, None), standards["uk_ppa_2025"])
    assert firm.reasons == r.reasons


def test_every_regime_checks_the_band(standards: dict[str, Standard]) -> None:
    flagged = {k: tier_site(mall(900, (450, 1350)), s).band_straddles for k, s in standards.items()}
    assert flagged["uk_ppa_2025"] and flagged["cn_key_target"]  # 800 (UK) and 1,000 (CN) inside the band


def test_bad_band_is_refused() -> None:
    with pytest.raises(InvalidInput, match="capacity_band"):
        mall(500, (700, 300))
