"""Risk and protection-standards core (pure): tiering under standards-as-data, T x V x C scoring,
budget allocation and inspection checklists. See docs/models/risk.md and docs/models/standards.md."""

from bastion.algorithms.risk.checklist import Checklist
from bastion.algorithms.risk.checklist import evaluate
from bastion.algorithms.risk.checklist import generate_checklist
from bastion.algorithms.risk.checklist import prefill
from bastion.algorithms.risk.checklist import requirements_by_item
from bastion.algorithms.risk.measures import CATALOGUE
from bastion.algorithms.risk.measures import Measure
from bastion.algorithms.risk.measures import MeasureSet
from bastion.algorithms.risk.measures import proposed
from bastion.algorithms.risk.portfolio import PortfolioProblem
from bastion.algorithms.risk.portfolio import PortfolioResult
from bastion.algorithms.risk.portfolio import build_portfolio
from bastion.algorithms.risk.portfolio import solve_brute_force
from bastion.algorithms.risk.portfolio import solve_greedy
from bastion.algorithms.risk.portfolio import solve_portfolio
from bastion.algorithms.risk.scoring import RiskParameters
from bastion.algorithms.risk.scoring import SiteRisk
from bastion.algorithms.risk.scoring import assess_site
from bastion.algorithms.risk.scoring import matrix_counts
from bastion.algorithms.risk.scoring import rank_sites
from bastion.algorithms.risk.scoring import total_risk
from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.standards import Standard
from bastion.algorithms.risk.standards import parse_standard
from bastion.algorithms.risk.threat import THREATS
from bastion.algorithms.risk.threat import ThreatPriors
from bastion.algorithms.risk.threat import default_priors
from bastion.algorithms.risk.tiering import TierResult
from bastion.algorithms.risk.tiering import required_for
from bastion.algorithms.risk.tiering import tier_all
from bastion.algorithms.risk.tiering import tier_site

__all__ = [
    "CATALOGUE", "THREATS", "Checklist", "Measure", "MeasureSet", "PortfolioProblem", "PortfolioResult",
    "RiskParameters", "SiteProfile", "SiteRisk", "Standard", "ThreatPriors", "TierResult", "assess_site",
    "build_portfolio", "default_priors", "evaluate", "generate_checklist", "matrix_counts", "parse_standard",
    "prefill", "proposed", "rank_sites", "required_for", "requirements_by_item", "solve_brute_force",
    "solve_greedy", "solve_portfolio", "tier_all", "tier_site", "total_risk",
]
