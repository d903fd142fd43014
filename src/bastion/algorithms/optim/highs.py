"""The one HiGHS adapter: a plain-array MILP/LP, one solve, one status policy, one gap formula.

Models are built with numpy/scipy.sparse (no per-coefficient Python loops), so that other backends (CBC
through an MPS file, :mod:`bastion.algorithms.optim.cbc`) can solve the very same model.

Status policy of :func:`solve` (and of every backend that follows the :class:`MilpBackend` contract):

* optimal -> :attr:`SolveStatus.OPTIMAL`;
* time limit (or interrupt) with an incumbent -> :attr:`SolveStatus.TIME_LIMIT`, the incumbent, its bound and gap;
* time limit without an incumbent -> :class:`SolverError` carrying HiGHS's status text;
* infeasible -> :class:`Infeasible`;
* anything else -> :class:`SolverError` carrying HiGHS's status text.

:class:`LpSession` is the small helper for column generation: one HiGHS LP kept alive and re-solved as
columns are added, each solve optimal or a :class:`SolverError`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from dataclasses import field
from enum import StrEnum
from typing import Protocol
from typing import TypedDict

import highspy
import numpy as np
import scipy.sparse as sp

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.kernel.errors import Infeasible
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import SolverError

log = logging.getLogger(__name__)

INF = highspy.kHighsInf
"""HiGHS's infinity (bounds at or beyond it are free)."""


class Tolerances(TypedDict, total=False):
    mip_rel_gap: float
    mip_abs_gap: float
    feasibility_tol: float


EXACT: Tolerances = {"mip_rel_gap": 1e-9, "mip_abs_gap": 1e-10, "feasibility_tol": 1e-9}
"""Tolerances for exact answers (the games compare MILP equilibria with ORIGAMI to 1e-9): ``**EXACT``."""


class SolveStatus(StrEnum):
    OPTIMAL = "optimal"
    TIME_LIMIT = "time_limit"  # stopped by the time limit with an incumbent; see ``gap``


@dataclass(frozen=True)
class MilpModel:
    """min (or max) c x + offset  s.t.  row_lower <= A x <= row_upper, col_lower <= x <= col_upper, x_j integer
    where ``integer[j]``. Infinite bounds may be given as +-inf or +-:data:`INF`."""

    c: FloatArray  # (n,)
    a: sp.sparray | sp.spmatrix = field(repr=False)  # (m, n)
    row_lower: FloatArray
    row_upper: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    integer: BoolArray | None = None  # (n,) bool; None: all continuous (an LP)
    offset: float = 0.0
    maximize: bool = False

    @property
    def n_cols(self) -> int:
        return len(self.c)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    @property
    def is_mip(self) -> bool:
        return self.integer is not None and bool(np.any(self.integer))


@dataclass(frozen=True)
class MilpSolution:
    status: str  # a SolveStatus value: "optimal" | "time_limit" (with an incumbent)
    x: FloatArray
    objective: float  # of the incumbent, in the model's sense, offset included
    bound: float  # proven bound in the model's sense (lower when minimising, upper when maximising)
    gap: float  # relative_gap(objective, bound)
    runtime_s: float
    solver: str
    nodes: int = 0


class MilpBackend(Protocol):
    """(model, time_limit_s, warm_start) -> MilpSolution, following the status policy of :func:`solve`."""

    def __call__(
        self, model: MilpModel, time_limit_s: float | None = None, warm_start: FloatArray | None = None, /
    ) -> MilpSolution: ...


def relative_gap(objective: float, bound: float, *, maximize: bool = False) -> float:
    """The one gap formula: how far the proven ``bound`` is from ``objective``, relative to |objective|
    (floored at 1e-9); 0 when proven optimal, inf when no finite bound is known."""
    if not np.isfinite(bound):
        return float("inf")
    diff = bound - objective if maximize else objective - bound
    return max(0.0, diff / max(abs(objective), 1e-9))


def check_time_limit(time_limit_s: float | None) -> None:
    if time_limit_s is not None and not time_limit_s > 0:
        raise InvalidInput(f"time_limit_s must be > 0 seconds or None, got {time_limit_s}", field="time_limit_s")


def _finite_or_inf(v: FloatArray, sign: float) -> FloatArray:
    v = np.asarray(v, dtype=np.float64)
    return np.where(np.isinf(v), sign * INF, v)


def highs_from_model(model: MilpModel) -> highspy.Highs:
    """A silent HiGHS instance holding ``model`` (also used to write MPS for other solvers)."""
    h = _new_highs()
    a = sp.csc_matrix(model.a)
    a.sort_indices()
    integer = np.zeros(model.n_cols, dtype=np.int32) if model.integer is None else model.integer.astype(np.int32)
    status = h.passModel(
        model.n_cols, model.n_rows, int(a.nnz), 1, -1 if model.maximize else 1, float(model.offset),
        np.asarray(model.c, dtype=np.float64),
        _finite_or_inf(model.col_lower, -1.0), _finite_or_inf(model.col_upper, 1.0),
        _finite_or_inf(model.row_lower, -1.0), _finite_or_inf(model.row_upper, 1.0),
        a.indptr.astype(np.int32), a.indices.astype(np.int32), a.data.astype(np.float64),
        integer,
    )
    if status == highspy.HighsStatus.kError:
        raise SolverError("HiGHS rejected the model (passModel returned kError)")
    return h


def _new_highs() -> highspy.Highs:
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    return h


def _set_options(
    h: highspy.Highs, *, time_limit_s: float | None, mip_rel_gap: float, mip_abs_gap: float | None,
    feasibility_tol: float | None, presolve: bool, threads: int,
) -> None:
    h.setOptionValue("mip_rel_gap", float(mip_rel_gap))
    if mip_abs_gap is not None:
        h.setOptionValue("mip_abs_gap", float(mip_abs_gap))
    if feasibility_tol is not None:
        for name in ("mip_feasibility_tolerance", "primal_feasibility_tolerance", "dual_feasibility_tolerance"):
            h.setOptionValue(name, float(feasibility_tol))
    h.setOptionValue("threads", int(threads))
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("presolve", "on" if presolve else "off")
    if time_limit_s is not None:
        h.setOptionValue("time_limit", float(time_limit_s))


def solve(
    model: MilpModel,
    *,
    time_limit_s: float | None = None,
    warm_start: FloatArray | None = None,
    mip_rel_gap: float = 0.0,
    mip_abs_gap: float | None = None,
    feasibility_tol: float | None = None,
    presolve: bool = True,
    threads: int = 1,
    what: str = "model",
) -> MilpSolution:
    """Solve ``model`` with HiGHS under the status policy of this module (see the module docstring).

    ``mip_abs_gap`` and ``feasibility_tol`` (MIP, primal and dual feasibility) keep HiGHS's defaults when None;
    ``what`` names the model in log lines and error messages. presolve=False skips HiGHS's MIP presolve: the
    covering solvers already reduce their models exactly, and on the 10,000 x 1,000 MCLP bench HiGHS presolve
    took 5.1 s of a 5.7 s solve (0.5 s without)."""
    check_time_limit(time_limit_s)
    t0 = time.perf_counter()
    h = highs_from_model(model)
    _set_options(h, time_limit_s=time_limit_s, mip_rel_gap=mip_rel_gap, mip_abs_gap=mip_abs_gap,
                 feasibility_tol=feasibility_tol, presolve=presolve, threads=threads)
    if warm_start is not None:
        h.setSolution(model.n_cols, np.arange(model.n_cols, dtype=np.int32), np.asarray(warm_start, dtype=np.float64))
    h.run()
    ms = h.getModelStatus()
    info = h.getInfo()
    runtime = time.perf_counter() - t0
    text = h.modelStatusToString(ms)
    log.debug("HiGHS %s %dx%d nnz=%d mip=%s: %s in %.3f s", what, model.n_rows, model.n_cols, model.a.nnz,
              model.is_mip, text, runtime)
    if ms == highspy.HighsModelStatus.kOptimal:
        status = SolveStatus.OPTIMAL
    elif ms in (highspy.HighsModelStatus.kTimeLimit, highspy.HighsModelStatus.kInterrupt):
        if info.primal_solution_status != 2:  # kSolutionStatusFeasible
            raise SolverError(f"{what}: no solution within the time limit (HiGHS status: {text})")
        status = SolveStatus.TIME_LIMIT
    elif ms == highspy.HighsModelStatus.kInfeasible:
        raise Infeasible(f"{what} is infeasible (HiGHS status: {text})")
    else:
        raise SolverError(f"{what} was not solved (HiGHS status: {text})")
    x = np.asarray(h.getSolution().col_value, dtype=np.float64)
    objective = float(info.objective_function_value)
    bound = float(info.mip_dual_bound) if model.is_mip else objective
    gap = relative_gap(objective, bound, maximize=model.maximize)
    return MilpSolution(status.value, x, objective, bound, gap, runtime, "highs", int(info.mip_node_count))


def backend(**options: object) -> MilpBackend:
    """:func:`solve` with keyword ``options`` fixed (e.g. ``presolve=False``), as a :class:`MilpBackend`."""

    def run(
        model: MilpModel, time_limit_s: float | None = None, warm_start: FloatArray | None = None, /
    ) -> MilpSolution:
        return solve(model, time_limit_s=time_limit_s, warm_start=warm_start, **options)  # type: ignore[arg-type]

    return run


class LpSession:
    """One HiGHS LP kept alive for column generation: add rows and columns, change costs and bounds, re-solve
    (warm-started by HiGHS). Every :meth:`solve` is optimal or raises :class:`SolverError`."""

    def __init__(
        self,
        *,
        maximize: bool = False,
        presolve: bool = True,
        feasibility_tol: float | None = None,
        what: str = "LP",
    ) -> None:
        self.what = what
        self._h = _new_highs()
        _set_options(
            self._h,
            time_limit_s=None,
            mip_rel_gap=0.0,
            mip_abs_gap=None,
            feasibility_tol=feasibility_tol,
            presolve=presolve,
            threads=1,
        )
        if maximize:
            self._h.changeObjectiveSense(highspy.ObjSense.kMaximize)

    def add_empty_rows(self, lower: FloatArray, upper: FloatArray) -> None:
        lower, upper = _finite_or_inf(lower, -1.0), _finite_or_inf(upper, 1.0)
        self._h.addRows(len(lower), lower, upper, 0, np.zeros(0, np.int32), np.zeros(0, np.int32), np.zeros(0))

    def add_columns(self, cost: FloatArray, lower: FloatArray, upper: FloatArray, a: sp.sparray | sp.spmatrix) -> None:
        """Append len(cost) columns whose coefficients in the existing rows are the columns of ``a``."""
        csc = sp.csc_matrix(a)
        csc.sort_indices()
        k = len(cost)
        self._h.addCols(
            k,
            np.asarray(cost, dtype=np.float64),
            _finite_or_inf(lower, -1.0),
            _finite_or_inf(upper, 1.0),
            int(csc.nnz),
            csc.indptr[:-1].astype(np.int32),
            csc.indices.astype(np.int32),
            csc.data.astype(np.float64),
        )

    def set_costs(self, columns: IntArray, cost: FloatArray) -> None:
        idx = np.asarray(columns, dtype=np.int32)
        self._h.changeColsCost(len(idx), idx, np.asarray(cost, dtype=np.float64))

    def set_bounds(self, columns: IntArray, lower: FloatArray, upper: FloatArray) -> None:
        idx = np.asarray(columns, dtype=np.int32)
        self._h.changeColsBounds(len(idx), idx, _finite_or_inf(lower, -1.0), _finite_or_inf(upper, 1.0))

    def solve(self) -> tuple[float, FloatArray]:
        """Re-solve; (objective, row duals), or SolverError with HiGHS's status text."""
        self._h.run()
        ms = self._h.getModelStatus()
        if ms != highspy.HighsModelStatus.kOptimal:
            raise SolverError(f"{self.what} not optimal (HiGHS status: {self._h.modelStatusToString(ms)})")
        return float(self._h.getInfo().objective_function_value), np.asarray(self._h.getSolution().row_dual)

    def x(self) -> FloatArray:
        """Column values of the last solve."""
        return np.asarray(self._h.getSolution().col_value, dtype=np.float64)
