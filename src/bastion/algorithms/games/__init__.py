"""Patrol planning with Stackelberg security games (pure core). See docs/models/patrol.md."""

from bastion.algorithms.games.evaluation import EvaluationRow
from bastion.algorithms.games.evaluation import EvaluationTable
from bastion.algorithms.games.evaluation import compare_with_baselines
from bastion.algorithms.games.evaluation import evaluate_strategies
from bastion.algorithms.games.evaluation import proportional_coverage
from bastion.algorithms.games.evaluation import uniform_coverage
from bastion.algorithms.games.game import GameSolution
from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.milp import BayesianGame
from bastion.algorithms.games.milp import BayesianSolution
from bastion.algorithms.games.milp import solve_bayesian_milp
from bastion.algorithms.games.milp import solve_eraser
from bastion.algorithms.games.origami import solve_origami
from bastion.algorithms.games.pricing import best_joint_schedules
from bastion.algorithms.games.pricing import best_routes
from bastion.algorithms.games.quantal import quantal_response
from bastion.algorithms.games.quantal import quantal_value
from bastion.algorithms.games.quantal import solve_quantal
from bastion.algorithms.games.routes import JointSchedule
from bastion.algorithms.games.routes import PatrolProblem
from bastion.algorithms.games.routes import Route
from bastion.algorithms.games.routes import RouteTable
from bastion.algorithms.games.routes import Stop
from bastion.algorithms.games.routes import enumerate_routes
from bastion.algorithms.games.routes import route_table
from bastion.algorithms.games.routes import visit_times
from bastion.algorithms.games.sampling import IDLE
from bastion.algorithms.games.sampling import comb_route_coverage
from bastion.algorithms.games.sampling import comb_sample
from bastion.algorithms.games.sampling import comb_sample_routes
from bastion.algorithms.games.sampling import fill_slack
from bastion.algorithms.games.sampling import sample_plans
from bastion.algorithms.games.schedules import ScheduleSolution
from bastion.algorithms.games.schedules import solve_schedules
from bastion.algorithms.games.schedules import solve_schedules_milp
from bastion.algorithms.games.timeslots import default_payoffs
from bastion.algorithms.games.timeslots import slot_consequences

__all__ = [
    "IDLE", "BayesianGame", "JointSchedule", "RouteTable", "best_joint_schedules", "route_table", "sample_plans",
    "BayesianSolution", "EvaluationRow", "EvaluationTable", "GameSolution",
    "PatrolProblem", "Route", "ScheduleSolution", "SecurityGame", "Stop", "best_routes", "comb_route_coverage",
    "comb_sample", "comb_sample_routes", "compare_with_baselines", "default_payoffs", "enumerate_routes",
    "evaluate_strategies", "fill_slack", "proportional_coverage", "quantal_response", "quantal_value",
    "slot_consequences", "solve_bayesian_milp", "solve_eraser", "solve_origami", "solve_quantal",
    "solve_schedules", "solve_schedules_milp", "uniform_coverage", "visit_times",
]
