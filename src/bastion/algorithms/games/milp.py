"""ERASER (Kiekintveld et al. AAMAS 2009) and its Bayesian form (DOBSS-style, Paruchuri et al. AAMAS 2008) on HiGHS.

For attacker types l with prior p_l (one type = the plain game), shared coverage c and binaries a^l_t:

    max  sum_l p_l d^l
    s.t. sum_t c_t <= m,                 0 <= c_t <= 1
         sum_t a^l_t = 1,                a^l_t in {0, 1}
         d^l <= U^l_d(t, c) + (1 - a^l_t) M^l_t                      (defender's value at the attacked target)
         0 <= k^l - U^l_a(t, c) <= (1 - a^l_t) M'^l_t                (attacked target is a best response)

with tight big-Ms M^l_t = max_s Dc^l_s - Du^l_t and M'^l_t = max_s Au^l_s - Ac^l_t. The solver picks a^l among the
attacker's best responses to maximise the defender's value: the strong Stackelberg equilibrium. This is the
correctness oracle for ORIGAMI (exact, but exponential in the worst case).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.games.game import GameSolution
from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.optim import highs
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BayesianGame:
    """Several attacker types over the same targets, with a prior over types. Build with :meth:`from_arrays`."""

    types: tuple[SecurityGame, ...]
    priors: FloatArray

    @classmethod
    def from_arrays(
        cls,
        defender_covered: npt.ArrayLike,
        defender_uncovered: npt.ArrayLike,
        attacker_covered: npt.ArrayLike,
        attacker_uncovered: npt.ArrayLike,
        priors: npt.ArrayLike,
        n_resources: float,
    ) -> BayesianGame:
        """Payoff arrays have shape (n_types, n_targets); ``priors`` has shape (n_types,) and sums to 1."""
        arrays = {}
        for name, val in (
            ("defender_covered", defender_covered),
            ("defender_uncovered", defender_uncovered),
            ("attacker_covered", attacker_covered),
            ("attacker_uncovered", attacker_uncovered),
        ):
            arr = np.asarray(val, dtype=np.float64)
            if arr.ndim != 2:
                raise InvalidInput(f"{name} must have shape (n_types, n_targets), got {arr.shape}", field=name)
            arrays[name] = arr
        shape = arrays["defender_covered"].shape
        for name, arr in arrays.items():
            if arr.shape != shape:
                raise InvalidInput(f"{name} must have shape {shape} like defender_covered, got {arr.shape}", field=name)
        p = np.asarray(priors, dtype=np.float64)
        if p.shape != (shape[0],) or not np.all(np.isfinite(p)) or np.any(p < 0) or abs(p.sum() - 1.0) > 1e-9:
            raise InvalidInput(
                f"priors must be {shape[0]} non-negative numbers summing to 1 (one per attacker type), "
                f"got {p.tolist()}",
                field="priors",
            )
        types = tuple(
            SecurityGame.from_arrays(
                arrays["defender_covered"][i], arrays["defender_uncovered"][i],
                arrays["attacker_covered"][i], arrays["attacker_uncovered"][i], n_resources,
            )
            for i in range(shape[0])
        )
        p.setflags(write=False)
        return cls(types, p)

    @property
    def n_targets(self) -> int:
        return self.types[0].n_targets

    @property
    def n_resources(self) -> float:
        return self.types[0].n_resources


@dataclass(frozen=True)
class BayesianSolution:
    coverage: FloatArray  # (n,)
    attacked_targets: IntArray  # (n_types,) the target each attacker type attacks
    defender_utility: float  # expected over the prior
    attacker_utilities: FloatArray  # (n_types,)
    status: str
    runtime_s: float
    objective: float
    bound: float
    gap: float


def solve_bayesian_milp(game: BayesianGame, *, time_limit_s: float | None = None) -> BayesianSolution:
    """Strong Stackelberg equilibrium of a Bayesian security game (DOBSS/ERASER MILP on HiGHS)."""
    t0 = time.perf_counter()
    n = game.n_targets
    n_types = len(game.types)
    n_cols = n + n_types * (n + 2)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    vals: list[FloatArray] = []
    lo: list[FloatArray] = []
    hi: list[FloatArray] = []
    n_rows = 0
    tgt = np.arange(n, dtype=np.int64)
    inf = highs.INF

    def add(r: IntArray, c: IntArray, v: FloatArray) -> None:
        rows.append(r)
        cols.append(c)
        vals.append(np.asarray(v, dtype=np.float64))

    # sum c <= m
    add(np.zeros(n, dtype=np.int64), tgt, np.ones(n))
    lo.append(np.array([-inf]))
    hi.append(np.array([game.n_resources]))
    n_rows = 1
    cost = np.zeros(n_cols)
    col_lo = np.zeros(n_cols)
    col_hi = np.ones(n_cols)
    integer = np.zeros(n_cols, dtype=bool)
    for lt, g in enumerate(game.types):
        base = n + lt * (n + 2)
        a_idx = base + tgt
        d_idx, k_idx = base + n, base + n + 1
        integer[a_idx] = True
        gain = g.defender_covered - g.defender_uncovered
        drop = g.attacker_uncovered - g.attacker_covered
        m_d = g.defender_covered.max() - g.defender_uncovered
        m_a = g.attacker_uncovered.max() - g.attacker_covered
        cost[d_idx] = game.priors[lt]
        col_lo[d_idx], col_hi[d_idx] = g.defender_uncovered.min(), g.defender_covered.max()
        col_lo[k_idx], col_hi[k_idx] = g.attacker_covered.min(), g.attacker_uncovered.max()
        # d - gain_t c_t + M_t a_t <= Du_t + M_t
        r = n_rows + tgt
        add(r, np.full(n, d_idx), np.ones(n))
        add(r, tgt, -gain)
        add(r, a_idx, m_d)
        lo.append(np.full(n, -inf))
        hi.append(g.defender_uncovered + m_d)
        n_rows += n
        # k + drop_t c_t >= Au_t
        r = n_rows + tgt
        add(r, np.full(n, k_idx), np.ones(n))
        add(r, tgt, drop)
        lo.append(g.attacker_uncovered.copy())
        hi.append(np.full(n, inf))
        n_rows += n
        # k + drop_t c_t + M'_t a_t <= Au_t + M'_t
        r = n_rows + tgt
        add(r, np.full(n, k_idx), np.ones(n))
        add(r, tgt, drop)
        add(r, a_idx, m_a)
        lo.append(np.full(n, -inf))
        hi.append(g.attacker_uncovered + m_a)
        n_rows += n
        # sum a = 1
        add(np.full(n, n_rows), a_idx, np.ones(n))
        lo.append(np.array([1.0]))
        hi.append(np.array([1.0]))
        n_rows += 1
    a_mat = sp.coo_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n_cols)
    )
    model = highs.MilpModel(cost, a_mat, np.concatenate(lo), np.concatenate(hi), col_lo, col_hi, integer, maximize=True)
    res = highs.solve(model, time_limit_s=time_limit_s, what="ERASER/DOBSS MILP", **highs.EXACT)
    coverage = np.clip(res.x[:n], 0.0, 1.0)
    attacked = np.empty(n_types, dtype=np.int64)
    ua = np.empty(n_types)
    for lt, g in enumerate(game.types):
        base = n + lt * (n + 2)
        attacked[lt] = int(np.argmax(res.x[base : base + n]))
        ua[lt] = float(g.attacker_utilities(coverage)[attacked[lt]])
    runtime = time.perf_counter() - t0
    log.debug("bayesian milp n=%d types=%d obj=%.6g in %.3fs", n, n_types, res.objective, runtime)
    return BayesianSolution(
        coverage=coverage,
        attacked_targets=attacked,
        defender_utility=res.objective,
        attacker_utilities=ua,
        status=res.status,
        runtime_s=runtime,
        objective=res.objective,
        bound=res.bound,
        gap=res.gap,
    )


def solve_eraser(game: SecurityGame, *, time_limit_s: float | None = None) -> GameSolution:
    """ERASER MILP for a single attacker type: the exact SSE, used as the oracle for :func:`solve_origami`."""
    bayes = BayesianGame((game,), np.ones(1))
    sol = solve_bayesian_milp(bayes, time_limit_s=time_limit_s)
    return GameSolution(
        coverage=sol.coverage,
        attacked_target=int(sol.attacked_targets[0]),
        defender_utility=sol.defender_utility,
        attacker_utility=float(sol.attacker_utilities[0]),
        status=sol.status,
        runtime_s=sol.runtime_s,
        method="eraser-milp",
        objective=sol.objective,
        bound=sol.bound,
        gap=sol.gap,
    )
