"""Risk = Threat x Vulnerability x Consequence per site and threat; 4x4 matrix cell; gaps and what each
missing measure would buy."""

from __future__ import annotations

import bisect
import datetime as dt
import logging
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType

from bastion.algorithms.risk.consequence import ConsequenceParameters
from bastion.algorithms.risk.consequence import consequences
from bastion.algorithms.risk.measures import CATALOGUE
from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.measures import proposed
from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.threat import THREATS
from bastion.algorithms.risk.threat import ThreatParameters
from bastion.algorithms.risk.threat import ThreatPriors
from bastion.algorithms.risk.threat import default_priors
from bastion.algorithms.risk.threat import threat_likelihoods
from bastion.algorithms.risk.vulnerability import VulnerabilityParameters
from bastion.algorithms.risk.vulnerability import vulnerabilities
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

LEVEL_NAMES = ("low", "medium", "high", "very high")


@dataclass(frozen=True)
class RiskParameters:
    """Every editable assumption of the risk model in one place."""

    priors: ThreatPriors = field(default_factory=default_priors)
    threat: ThreatParameters = field(default_factory=ThreatParameters)
    vulnerability: VulnerabilityParameters = field(default_factory=VulnerabilityParameters)
    consequence: ConsequenceParameters = field(default_factory=ConsequenceParameters)
    # Upper bounds of likelihood levels 1-3 on L = T x V (dimensionless index); above the last: level 4.
    likelihood_thresholds: tuple[float, float, float] = (0.005, 0.02, 0.08)
    # Upper bounds of impact levels 1-3 on C (people-equivalents); above the last: level 4.
    impact_thresholds: tuple[float, float, float] = (2.0, 20.0, 100.0)

    def __post_init__(self) -> None:
        for name in ("likelihood_thresholds", "impact_thresholds"):
            th = getattr(self, name)
            if len(th) != 3 or list(th) != sorted(th) or th[0] < 0:
                msg = f"{name} must be three increasing non-negative bounds, got {th!r}"
                raise InvalidInput(msg, field=name)


def level(value: float, thresholds: tuple[float, float, float]) -> int:
    """1..4: the number of thresholds strictly below ``value``, plus one (a value equal to a bound stays low)."""
    return bisect.bisect_left(thresholds, value) + 1


def cell_rating(likelihood_level: int, impact_level: int) -> str:
    """ProtectUK-style 4x4 rating from the product of the levels: 1-2 low, 3-4 medium, 6-9 high, 12-16 very
    high (an editable convention, not a ProtectUK figure)."""
    prod = likelihood_level * impact_level
    return "low" if prod <= 2 else "medium" if prod <= 4 else "high" if prod <= 9 else "very high"


@dataclass(frozen=True)
class ThreatRisk:
    threat: str
    threat_index: float  # T, dimensionless
    vulnerability: float  # V, probability
    consequence: float  # C, people-equivalents
    risk: float  # T x V x C
    likelihood_level: int  # 1-4 on T x V
    impact_level: int  # 1-4 on C
    rating: str


@dataclass(frozen=True)
class Gap:
    """A missing measure and the risk it would remove if installed with catalogue defaults."""

    measure: str
    risk_reduction: float
    reduction_by_threat: Mapping[str, float]
    cost: float


@dataclass(frozen=True)
class SiteRisk:
    site_id: str
    threat_level: str
    by_threat: tuple[ThreatRisk, ...]
    total_risk: float
    worst_rating: str
    gaps: tuple[Gap, ...]  # largest reduction first


def site_threat_risks(site: SiteProfile, measures: MeasureSet, *, params: RiskParameters | None = None,
                      threat_level: str = "SUBSTANTIAL", minute_of_week: int | None = None,
                      as_of: dt.date | None = None) -> tuple[ThreatRisk, ...]:
    p = params or RiskParameters()
    t = threat_likelihoods(site.category, site.kind, priors=p.priors, threat_level=threat_level, params=p.threat)
    v = vulnerabilities(measures, params=p.vulnerability, as_of=as_of)
    c = consequences(site, minute_of_week=minute_of_week, params=p.consequence)
    out = []
    for th in THREATS:
        ll, il = level(t[th] * v[th], p.likelihood_thresholds), level(c[th], p.impact_thresholds)
        out.append(ThreatRisk(th, t[th], v[th], c[th], t[th] * v[th] * c[th], ll, il, cell_rating(ll, il)))
    return tuple(out)


def total_risk(site: SiteProfile, measures: MeasureSet, *, params: RiskParameters | None = None,
               threat_level: str = "SUBSTANTIAL", minute_of_week: int | None = None,
               as_of: dt.date | None = None) -> float:
    """Sum over threat types of T x V x C."""
    return sum(r.risk for r in site_threat_risks(site, measures, params=params, threat_level=threat_level,
                                                 minute_of_week=minute_of_week, as_of=as_of))


def assess_site(site: SiteProfile, measures: MeasureSet, *, params: RiskParameters | None = None,
                threat_level: str = "SUBSTANTIAL", minute_of_week: int | None = None, as_of: dt.date | None = None,
                candidates: Iterable[str] | None = None) -> SiteRisk:
    """Risk per threat, the worst 4x4 rating, and the gaps: each missing candidate measure (default: the
    whole catalogue) with the risk reduction it would buy, largest first."""
    p = params or RiskParameters()
    kw = {"params": p, "threat_level": threat_level, "minute_of_week": minute_of_week, "as_of": as_of}
    risks = site_threat_risks(site, measures, **kw)  # type: ignore[arg-type]
    base = {r.threat: r.risk for r in risks}
    gaps = []
    for kind in candidates if candidates is not None else CATALOGUE:
        if kind in measures:
            continue
        after = site_threat_risks(site, measures.with_measure(proposed(kind)), **kw)  # type: ignore[arg-type]
        red = {r.threat: base[r.threat] - r.risk for r in after}
        total = sum(red.values())
        if total > 0:
            gaps.append(Gap(kind, total, MappingProxyType(red), CATALOGUE[kind].default_cost))
    gaps.sort(key=lambda g: (-g.risk_reduction, g.measure))
    worst = max(risks, key=lambda r: (r.likelihood_level * r.impact_level, r.risk)).rating
    log.debug("site %s: total risk %.4g, %d gaps", site.site_id, sum(base.values()), len(gaps))
    return SiteRisk(site.site_id, threat_level, risks, sum(base.values()), worst, tuple(gaps))


def rank_sites(assessments: Iterable[SiteRisk]) -> tuple[SiteRisk, ...]:
    """Highest total risk first (ties by site id)."""
    return tuple(sorted(assessments, key=lambda a: (-a.total_risk, a.site_id)))


def matrix_counts(assessments: Iterable[SiteRisk]) -> Mapping[tuple[int, int], int]:
    """How many (site, threat) pairs fall in each (likelihood, impact) cell, for the region's 4x4 chart."""
    counts: dict[tuple[int, int], int] = {}
    for a in assessments:
        for r in a.by_threat:
            key = (r.likelihood_level, r.impact_level)
            counts[key] = counts.get(key, 0) + 1
    return MappingProxyType(counts)
