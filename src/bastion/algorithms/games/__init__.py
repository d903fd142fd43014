"""Patrol planning with Stackelberg security games (pure core). See docs/models/patrol.md."""

from bastion.algorithms.games.evaluation import (
    EvaluationRow,
    EvaluationTable,
    compare_with_baselines,
    evaluate_strategies,
    proportional_coverage,
    uniform_coverage,
)
from bastion.algorithms.games.game import GameSolution, SecurityGame
from bastion.algorithms.games.milp import (
    BayesianGame,
    BayesianSolution,
    solve_bayesian_milp,
    solve_eraser,
)
from bastion.algorithms.games.origami import solve_origami
from bastion.algorithms.games.pricing import best_joint_schedules, best_routes
from bastion.algorithms.games.quantal import (
    quantal_response,
    quantal_value,
    solve_quantal,
)
from bastion.algorithms.games.routes import (
    JointSchedule,
    PatrolProblem,
    Route,
    RouteTable,
    Stop,
    enumerate_routes,
    route_table,
    visit_times,
)
from bastion.algorithms.games.sampling import (
    IDLE,
    comb_route_coverage,
    comb_sample,
    comb_sample_routes,
    fill_slack,
    sample_plans,
)
from bastion.algorithms.games.schedules import (
    ScheduleSolution,
    solve_schedules,
    solve_schedules_milp,
)
from bastion.algorithms.games.timeslots import default_payoffs, slot_consequences

__all__ = [
    "IDLE", "BayesianGame", "JointSchedule", "RouteTable", "best_joint_schedules", "route_table", "sample_plans",
    "BayesianSolution", "EvaluationRow", "EvaluationTable", "GameSolution",
    "PatrolProblem", "Route", "ScheduleSolution", "SecurityGame", "Stop", "best_routes", "comb_route_coverage",
    "comb_sample", "comb_sample_routes", "compare_with_baselines", "default_payoffs", "enumerate_routes",
    "evaluate_strategies", "fill_slack", "proportional_coverage", "quantal_response", "quantal_value",
    "slot_consequences", "solve_bayesian_milp", "solve_eraser", "solve_origami", "solve_quantal",
    "solve_schedules", "solve_schedules_milp", "uniform_coverage", "visit_times",
]
