"""Thin, status-checking wrapper around highspy for models given as sparse arrays."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from bastion.kernel.errors import Infeasible, SolverError

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float64]
INF = highspy.kHighsInf


@dataclass(frozen=True)
class HighsResult:
    x: FloatArray
    row_dual: FloatArray
    objective: float
    bound: float
    gap: float
    status: str
    runtime_s: float


def new_highs(*, time_limit_s: float | None = None, tight: bool = True) -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))
    if tight:
        h.setOptionValue("mip_rel_gap", 1e-9)
        h.setOptionValue("mip_abs_gap", 1e-10)
        h.setOptionValue("mip_feasibility_tolerance", 1e-9)
        h.setOptionValue("primal_feasibility_tolerance", 1e-9)
        h.setOptionValue("dual_feasibility_tolerance", 1e-9)
    return h


def solve(
    cost: FloatArray,
    a: sp.spmatrix | sp.sparray,
    row_lower: FloatArray,
    row_upper: FloatArray,
    col_lower: FloatArray,
    col_upper: FloatArray,
    *,
    integer: npt.NDArray[np.bool_] | None = None,
    maximize: bool = False,
    time_limit_s: float | None = None,
    what: str = "model",
) -> HighsResult:
    """Solve min/max cost·x s.t. row_lower <= A x <= row_upper, col bounds, integrality. Raises on non-optimal."""
    t0 = time.perf_counter()
    csc = sp.csc_matrix(a)
    csc.sort_indices()
    lp = highspy.HighsLp()
    lp.num_col_ = int(csc.shape[1])
    lp.num_row_ = int(csc.shape[0])
    lp.col_cost_ = np.asarray(cost, dtype=np.float64)
    lp.col_lower_ = np.asarray(col_lower, dtype=np.float64)
    lp.col_upper_ = np.asarray(col_upper, dtype=np.float64)
    lp.row_lower_ = np.asarray(row_lower, dtype=np.float64)
    lp.row_upper_ = np.asarray(row_upper, dtype=np.float64)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
    lp.a_matrix_.index_ = csc.indices.astype(np.int32)
    lp.a_matrix_.value_ = csc.data.astype(np.float64)
    lp.a_matrix_.num_col_ = lp.num_col_
    lp.a_matrix_.num_row_ = lp.num_row_
    lp.sense_ = highspy.ObjSense.kMaximize if maximize else highspy.ObjSense.kMinimize
    is_mip = integer is not None and bool(np.any(integer))
    if is_mip:
        assert integer is not None
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in integer
        ]
    h = new_highs(time_limit_s=time_limit_s)
    h.passModel(lp)
    h.run()
    status = h.getModelStatus()
    text = h.modelStatusToString(status)
    runtime = time.perf_counter() - t0
    log.debug("highs %s: %d cols %d rows mip=%s -> %s in %.3fs", what, lp.num_col_, lp.num_row_, is_mip, text, runtime)
    if status == highspy.HighsModelStatus.kInfeasible:
        raise Infeasible(f"{what} is infeasible (HiGHS status: {text})")
    if status != highspy.HighsModelStatus.kOptimal:
        raise SolverError(f"{what} was not solved to optimality (HiGHS status: {text})")
    info = h.getInfo()
    sol = h.getSolution()
    objective = float(info.objective_function_value)
    if is_mip:
        bound = float(info.mip_dual_bound)
        gap = float(info.mip_gap)
        row_dual = np.full(lp.num_row_, np.nan)
    else:
        bound = objective
        gap = 0.0
        row_dual = np.asarray(sol.row_dual, dtype=np.float64)
    return HighsResult(np.asarray(sol.col_value, dtype=np.float64), row_dual, objective, bound, gap, text, runtime)
