"""Coverage core: response coverage analysis and placement of response units (LSCP, MCLP, backup, p-median)."""

from bastion.algorithms.coverage.analysis import CoverageAnalysis
from bastion.algorithms.coverage.analysis import StandardCoverage
from bastion.algorithms.coverage.analysis import analyze_coverage
from bastion.algorithms.coverage.covering import solve_lscp
from bastion.algorithms.coverage.covering import solve_mclp
from bastion.algorithms.coverage.greedy import greedy_lscp
from bastion.algorithms.coverage.greedy import greedy_mclp
from bastion.algorithms.coverage.pmedian import solve_p_median
from bastion.algorithms.coverage.pmedian import total_weighted_time
from bastion.algorithms.coverage.problem import CoverageProblem
from bastion.algorithms.coverage.result import PlacementResult
from bastion.algorithms.optim.highs import MilpBackend
from bastion.algorithms.optim.highs import MilpModel
from bastion.algorithms.optim.highs import MilpSolution

__all__ = [
    "CoverageAnalysis", "CoverageProblem", "MilpBackend", "MilpModel", "MilpSolution", "PlacementResult",
    "StandardCoverage", "analyze_coverage", "greedy_lscp", "greedy_mclp", "solve_lscp",
    "solve_mclp", "solve_p_median", "total_weighted_time",
]
