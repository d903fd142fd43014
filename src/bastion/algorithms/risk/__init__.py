"""Risk and protection-standards core (pure): tiering under standards-as-data, T x V x C scoring,
budget allocation and inspection checklists. See docs/models/risk.md and docs/models/standards.md."""

from bastion.algorithms.risk.checklist import (
    Checklist,
    evaluate,
    generate_checklist,
    prefill,
    requirements_by_item,
)
from bastion.algorithms.risk.measures import CATALOGUE, Measure, MeasureSet, proposed
from bastion.algorithms.risk.portfolio import (
    PortfolioProblem,
    PortfolioResult,
    build_portfolio,
    solve_brute_force,
    solve_greedy,
    solve_portfolio,
)
from bastion.algorithms.risk.scoring import (
    RiskParameters,
    SiteRisk,
    assess_site,
    matrix_counts,
    rank_sites,
    total_risk,
)
from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.standards import Standard, parse_standard
from bastion.algorithms.risk.threat import THREATS, ThreatPriors, default_priors
from bastion.algorithms.risk.tiering import (
    TierResult,
    required_for,
    tier_all,
    tier_site,
)

__all__ = [
    "CATALOGUE", "THREATS", "Checklist", "Measure", "MeasureSet", "PortfolioProblem", "PortfolioResult",
    "RiskParameters", "SiteProfile", "SiteRisk", "Standard", "ThreatPriors", "TierResult", "assess_site",
    "build_portfolio", "default_priors", "evaluate", "generate_checklist", "matrix_counts", "parse_standard",
    "prefill", "proposed", "rank_sites", "required_for", "requirements_by_item", "solve_brute_force",
    "solve_greedy", "solve_portfolio", "tier_all", "tier_site", "total_risk",
]
