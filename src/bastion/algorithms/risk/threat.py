"""Threat: relative likelihood of an attack of each type against a site.

T(site, threat) = share of attacks on the site's GTD target type
                  x share of that threat among attacks on that target type
                  x threat-level multiplier
A dimensionless index (an expected share of attacks, scaled), not an annual probability.

Default priors are PUBLISHED AGGREGATE counts only (no incident rows): START, Global Terrorism Database,
release 0718dist (incidents 1970-2017, n = 181,691), tallied by ``targtype1`` and ``weaptype1``. Users may
recompute them from their own GTD-format file with ``bastion.risk.gtd``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType

from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

THREATS: tuple[str, ...] = ("marauding_attack", "vehicle_as_weapon", "ied", "fire_as_weapon", "cbr", "cyber")

# GTD codebook targtype1 codes and labels.
GTD_TARGET_TYPES: Mapping[int, str] = MappingProxyType({
    1: "Business", 2: "Government (General)", 3: "Police", 4: "Military", 5: "Abortion Related",
    6: "Airports & Aircraft", 7: "Government (Diplomatic)", 8: "Educational Institution",
    9: "Food or Water Supply", 10: "Journalists & Media", 11: "Maritime", 12: "NGO", 13: "Other",
    14: "Private Citizens & Property", 15: "Religious Figures/Institutions", 16: "Telecommunication",
    17: "Terrorists/Non-State Militia", 18: "Tourists", 19: "Transportation", 20: "Unknown", 21: "Utilities",
    22: "Violent Political Party",
})
# GTD codebook weaptype1 -> Bastion threat (codes not listed: fake weapons 7, sabotage equipment 11,
# other 12, unknown 13 are left out of the mix). Cyber attacks are not recorded in the GTD.
GTD_WEAPON_TO_THREAT: Mapping[int, str] = MappingProxyType({
    1: "cbr", 2: "cbr", 3: "cbr", 4: "cbr", 5: "marauding_attack", 6: "ied", 8: "fire_as_weapon",
    9: "marauding_attack", 10: "vehicle_as_weapon",
})

# Published aggregate: GTD 0718dist (1970-2017), incidents by targtype1 (sums to 181,691).
GTD_0718_TARGET_COUNTS: Mapping[int, int] = MappingProxyType({
    14: 43511, 4: 27984, 3: 24506, 2: 21283, 1: 20669, 19: 6799, 21: 6023, 20: 5898, 15: 4440, 8: 4322,
    7: 3573, 17: 3039, 10: 2948, 22: 1866, 6: 1343, 16: 1009, 12: 970, 18: 440, 11: 351, 9: 317, 5: 263,
    13: 137,
})
# Published aggregate: GTD 0718dist (1970-2017), incidents by weaptype1 (sums to 181,691).
GTD_0718_WEAPON_COUNTS: Mapping[int, int] = MappingProxyType({
    6: 92426, 5: 58524, 13: 15157, 8: 11135, 9: 3655, 2: 321, 11: 141, 10: 136, 12: 114, 1: 35, 7: 33, 3: 14,
})
GTD_0718_SOURCE = ("START (National Consortium for the Study of Terrorism and Responses to Terrorism), "
                   "Global Terrorism Database, release globalterrorismdb_0718dist, 1970-2017, 181,691 incidents; "
                   "aggregate counts by targtype1 and weaptype1")

# Site kind / category -> GTD target type (MODELLING ASSUMPTION, editable).
KIND_TARGET_TYPE: Mapping[str, int] = MappingProxyType({
    "airport": 6, "heliport": 6, "ferry_terminal": 11, "embassy": 7, "police": 3, "water_works": 9,
    "wastewater_plant": 9, "telecom": 16,
})
CATEGORY_TARGET_TYPE: Mapping[str, int] = MappingProxyType({
    "transport": 19, "retail": 1, "venue": 1, "education": 8, "health": 1, "worship": 15, "government": 2,
    "tourism": 1, "hotel": 1, "public_space": 14, "infrastructure": 21,
})

# UK national threat levels and China heightened protection levels -> multiplier on T (ASSUMPTION;
# SUBSTANTIAL = "an attack is likely" is the reference 1.0; each level doubles).
THREAT_LEVEL_MULTIPLIER: Mapping[str, float] = MappingProxyType({
    "LOW": 0.25, "MODERATE": 0.5, "SUBSTANTIAL": 1.0, "SEVERE": 2.0, "CRITICAL": 4.0,
    "cn_normal": 1.0, "level_3": 1.5, "level_2": 2.0, "level_1": 4.0,
})


@dataclass(frozen=True)
class ThreatPriors:
    """Target-type shares and per-target threat mixes (``mix[0]`` is the all-targets mix)."""

    target_shares: Mapping[int, float]
    mix: Mapping[int, Mapping[str, float]]
    n_incidents: int
    source: str


@dataclass(frozen=True)
class ThreatParameters:
    """Editable assumptions of the threat model."""

    kind_target_type: Mapping[str, int] = field(default_factory=lambda: KIND_TARGET_TYPE)
    category_target_type: Mapping[str, int] = field(default_factory=lambda: CATEGORY_TARGET_TYPE)
    level_multiplier: Mapping[str, float] = field(default_factory=lambda: THREAT_LEVEL_MULTIPLIER)


def _normalise_mix(counts: Mapping[str, float], floor: float) -> dict[str, float]:
    total = sum(counts.get(t, 0.0) for t in THREATS)
    raw = {t: (counts.get(t, 0.0) / total if total > 0 else 1.0 / len(THREATS)) for t in THREATS}
    floored = {t: max(v, floor) for t, v in raw.items()}
    s = sum(floored.values())
    return {t: v / s for t, v in floored.items()}


def priors_from_counts(target_counts: Mapping[int, int], weapon_counts: Mapping[int, Mapping[int, int]], *,
                       source: str, mix_floor: float = 0.02, min_incidents_for_mix: int = 30) -> ThreatPriors:
    """Build priors from counts: ``target_counts[targtype]`` and ``weapon_counts[targtype][weaptype]``
    (key 0 = all targets). A target type with fewer than ``min_incidents_for_mix`` incidents uses the
    all-targets mix."""
    if not 0.0 <= mix_floor < 1.0 / len(THREATS):
        msg = f"mix_floor must be in [0, {1 / len(THREATS):.3f}), got {mix_floor}"
        raise InvalidInput(msg, field="mix_floor")
    n = sum(target_counts.values())
    if n <= 0:
        msg = "target_counts must hold at least one incident; give a file with GTD rows"
        raise InvalidInput(msg, field="target_counts")
    shares = {k: v / n for k, v in target_counts.items()}

    def threat_counts(wc: Mapping[int, int]) -> dict[str, float]:
        out: dict[str, float] = {}
        for w, c in wc.items():
            t = GTD_WEAPON_TO_THREAT.get(w)
            if t is not None:
                out[t] = out.get(t, 0.0) + c
        return out

    if 0 not in weapon_counts:
        msg = "weapon_counts must include key 0 (all targets)"
        raise InvalidInput(msg, field="weapon_counts")
    mix = {0: MappingProxyType(_normalise_mix(threat_counts(weapon_counts[0]), mix_floor))}
    for tt, wc in weapon_counts.items():
        if tt != 0 and sum(wc.values()) >= min_incidents_for_mix:
            mix[tt] = MappingProxyType(_normalise_mix(threat_counts(wc), mix_floor))
    return ThreatPriors(MappingProxyType(shares), MappingProxyType(mix), n, source)


def default_priors(*, mix_floor: float = 0.02) -> ThreatPriors:
    """Priors from the published GTD 0718 aggregate counts (all-targets weapon mix for every target).

    ``mix_floor`` (dimensionless, ASSUMPTION): every threat keeps at least this share of the mix before
    renormalising. The GTD barely records vehicle ramming (136 of 181,691) and not cyber at all, yet both
    are on the ProtectUK threat register; 0.02 keeps them visible. 0 uses the GTD mix as is.
    """
    return priors_from_counts(GTD_0718_TARGET_COUNTS, {0: GTD_0718_WEAPON_COUNTS}, source=GTD_0718_SOURCE,
                              mix_floor=mix_floor)


def target_type(category: str, kind: str, *, params: ThreatParameters | None = None) -> int:
    """GTD target type standing for a site kind (kind mapping first, then category)."""
    p = params or ThreatParameters()
    if kind in p.kind_target_type:
        return p.kind_target_type[kind]
    if category in p.category_target_type:
        return p.category_target_type[category]
    msg = f"category {category!r} has no GTD target type; add it to ThreatParameters.category_target_type"
    raise InvalidInput(msg, field="category")


def level_multiplier(threat_level: str, *, params: ThreatParameters | None = None) -> float:
    p = params or ThreatParameters()
    if threat_level not in p.level_multiplier:
        msg = f"threat_level must be one of {list(p.level_multiplier)}, got {threat_level!r}"
        raise InvalidInput(msg, field="threat_level")
    return p.level_multiplier[threat_level]


def threat_likelihoods(category: str, kind: str, *, priors: ThreatPriors, threat_level: str = "SUBSTANTIAL",
                       params: ThreatParameters | None = None) -> dict[str, float]:
    """T for every threat type at a site of this category/kind (dimensionless index)."""
    tt = target_type(category, kind, params=params)
    share = priors.target_shares.get(tt, 0.0)
    mix = priors.mix.get(tt, priors.mix[0])
    mult = level_multiplier(threat_level, params=params)
    return {t: share * mix[t] * mult for t in THREATS}
