"""Quantal-response attacker (BRQR, Yang et al. 2011): bounded rationality for robust patrols.

The attacker picks target t with probability q_t(c) = exp(lam U_a(t, c)) / sum_s exp(lam U_a(s, c)); lam = 0 is
a uniformly random attacker, lam -> inf the perfectly rational one of the SSE. The defender maximises

    V(c) = sum_t q_t(c) U_d(t, c)     s.t.  sum_t c_t <= m,  0 <= c_t <= 1,

whose gradient is dV/dc_j = q_j g_j - lam d_j q_j (U_d(j, c) - V) (g = Dc - Du, d = Au - Ac). V is smooth but not
concave in general, so (as in BRQR) it is solved by a local method, SciPy's SLSQP with the exact gradient,
from several starts (the SSE coverage, uniform, and coverage proportional to Au); the best local optimum
is returned. Intended for patrol-sized games (hundreds of targets).
"""

from __future__ import annotations

import logging
import time

import numpy as np
from scipy.optimize import minimize

from bastion.algorithms._typing import FloatArray
from bastion.algorithms.games.evaluation import proportional_coverage
from bastion.algorithms.games.evaluation import uniform_coverage
from bastion.algorithms.games.game import GameSolution
from bastion.algorithms.games.game import SecurityGame
from bastion.algorithms.games.origami import solve_origami
from bastion.kernel.errors import InvalidInput
from bastion.kernel.errors import SolverError

log = logging.getLogger(__name__)


def quantal_response(game: SecurityGame, coverage: FloatArray, lam: float) -> FloatArray:
    """The attacker's attack probabilities under quantal response."""
    z = lam * game.attacker_utilities(coverage)
    z -= z.max()
    e = np.exp(z)
    p: FloatArray = e / e.sum()
    return p


def quantal_value(game: SecurityGame, coverage: FloatArray, lam: float) -> float:
    """Defender's expected utility against a quantal-response attacker."""
    return float(quantal_response(game, coverage, lam) @ game.defender_utilities(coverage))


def solve_quantal(game: SecurityGame, *, lam: float, max_iterations: int = 500) -> GameSolution:
    """Defender's best coverage against a quantal-response attacker with rationality ``lam`` (1/utility unit)."""
    if not np.isfinite(lam) or lam < 0:
        raise InvalidInput(f"lam must be a finite number >= 0 (0 = random attacker), got {lam}", field="lam")
    t0 = time.perf_counter()
    n, m = game.n_targets, game.n_resources
    gain = game.defender_covered - game.defender_uncovered
    drop = game.attacker_uncovered - game.attacker_covered

    def neg(c: FloatArray) -> tuple[float, FloatArray]:
        q = quantal_response(game, c, lam)
        ud = game.defender_utilities(c)
        v = float(q @ ud)
        grad = q * gain - lam * drop * q * (ud - v)
        return -v, -grad

    starts = [
        solve_origami(game).coverage,
        uniform_coverage(n, m),
        proportional_coverage(game.attacker_uncovered - game.attacker_uncovered.min() + 1e-9, m),
    ]
    cons = [{"type": "ineq", "fun": lambda c: m - c.sum(), "jac": lambda c: -np.ones_like(c)}]
    best: tuple[float, FloatArray, str] | None = None
    messages = []
    for x0 in starts:
        res = minimize(neg, x0, jac=True, method="SLSQP", bounds=[(0.0, 1.0)] * n, constraints=cons,
                       options={"maxiter": max_iterations, "ftol": 1e-12})
        c = np.clip(res.x, 0.0, 1.0)
        if c.sum() > m:
            c *= m / c.sum()
        messages.append(str(res.message))
        if not res.success:
            continue
        v = quantal_value(game, c, lam)
        if best is None or v > best[0]:
            best = (v, c, str(res.message))
    if best is None:
        raise SolverError(f"quantal-response optimisation failed from every start: {messages}")
    v, c, msg = best
    q = quantal_response(game, c, lam)
    runtime = time.perf_counter() - t0
    log.debug("quantal n=%d lam=%g value=%.6g (%s) in %.3fs", n, lam, v, msg, runtime)
    return GameSolution(
        coverage=c,
        attacked_target=int(np.argmax(q)),
        defender_utility=v,
        attacker_utility=float(q @ game.attacker_utilities(c)),
        status="local-optimum",
        runtime_s=runtime,
        method="quantal-response-slsqp",
        objective=v,
        bound=float("nan"),
        gap=float("nan"),
    )
