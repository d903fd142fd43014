"""Result of a placement solve."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PlacementResult:
    model: str  # "lscp" | "mclp" | "mclp_backup" | "p_median"
    status: str  # "optimal" | "time_limit" (incumbent returned, gap > 0 possible)
    objective: float  # lscp: units added; mclp: covered weight incl. existing units;
    #                   mclp_backup: covered + backup_weight * covered-twice weight; p_median: sum w*t (s)
    bound: float  # proven bound on the objective (same sense): >= objective for max, <= for min
    gap: float  # relative gap between objective and bound, 0 when proven optimal
    chosen: tuple[int, ...]  # candidate indices of the new units (fixed ones excluded), sorted
    open: tuple[int, ...]  # fixed + chosen, sorted
    covered_weight: float  # demand weight within standard_s of an open unit
    covered_share: float  # covered_weight / total weight (1.0 if total weight is 0)
    runtime_s: float  # reductions + warm start + solve, seconds
    solver: str  # "highs", "cbc", "trivial" (no MILP needed)
    model_rows: int  # demand rows left after reductions
    model_candidates: int  # candidate columns left after reductions
    heuristic_objective: float | None = None  # greedy(+swap) warm start objective, same sense
    backup_covered_weight: float | None = None  # mclp_backup: weight covered at least twice
