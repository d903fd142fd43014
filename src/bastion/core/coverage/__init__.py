"""Coverage core: response coverage analysis and placement of response units (LSCP, MCLP, backup, p-median)."""

from bastion.core.coverage.analysis import CoverageAnalysis, StandardCoverage, analyze_coverage
from bastion.core.coverage.covering import solve_lscp, solve_mclp
from bastion.core.coverage.greedy import greedy_lscp, greedy_mclp
from bastion.core.coverage.milp import MilpBackend, MilpModel, MilpSolution, solve_highs
from bastion.core.coverage.pmedian import solve_p_median, total_weighted_time
from bastion.core.coverage.problem import CoverageProblem
from bastion.core.coverage.result import PlacementResult

__all__ = [
    "CoverageAnalysis", "CoverageProblem", "MilpBackend", "MilpModel", "MilpSolution", "PlacementResult",
    "StandardCoverage", "analyze_coverage", "greedy_lscp", "greedy_mclp", "solve_highs", "solve_lscp",
    "solve_mclp", "solve_p_median", "total_weighted_time",
]
