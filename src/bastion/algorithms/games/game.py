"""Security games (Kiekintveld et al. AAMAS 2009): the problem value and the solution value.

A defender spreads ``n_resources`` over ``n_targets``; ``coverage[t]`` in [0, 1] is the probability that
target ``t`` is protected. An attacker who observes the coverage attacks one target; the payoffs are

    attacker: U_a(t, c) = c_t * attacker_covered[t] + (1 - c_t) * attacker_uncovered[t]
    defender: U_d(t, c) = c_t * defender_covered[t] + (1 - c_t) * defender_uncovered[t]

The attacker prefers the target uncovered, the defender prefers it covered (checked at construction).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bastion.algorithms._typing import FloatArray
from bastion.kernel.errors import InvalidInput


def as_payoff_vector(name: str, values: npt.ArrayLike, n: int | None = None) -> FloatArray:
    """A finite 1-D float vector, with ``n`` entries when given; InvalidInput naming ``name`` otherwise."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1:
        raise InvalidInput(f"{name} must be a 1-D array (one value per target), got shape {arr.shape}", field=name)
    if n is not None and arr.shape[0] != n:
        raise InvalidInput(
            f"{name} must have one value per target ({n}), got {arr.shape[0]}; pass arrays of equal length",
            field=name,
        )
    if not np.all(np.isfinite(arr)):
        bad = int(np.flatnonzero(~np.isfinite(arr))[0])
        raise InvalidInput(f"{name}[{bad}] must be finite, got {arr[bad]}; replace NaN/inf by a payoff", field=name)
    return arr


@dataclass(frozen=True)
class SecurityGame:
    """A validated security game. Build with :meth:`from_arrays`."""

    defender_covered: FloatArray
    defender_uncovered: FloatArray
    attacker_covered: FloatArray
    attacker_uncovered: FloatArray
    n_resources: float

    @classmethod
    def from_arrays(
        cls,
        defender_covered: npt.ArrayLike,
        defender_uncovered: npt.ArrayLike,
        attacker_covered: npt.ArrayLike,
        attacker_uncovered: npt.ArrayLike,
        n_resources: float,
    ) -> SecurityGame:
        dc = as_payoff_vector("defender_covered", defender_covered)
        n = dc.shape[0]
        if n == 0:
            raise InvalidInput(
                "defender_covered must hold at least one target, got an empty array", field="defender_covered"
            )
        du = as_payoff_vector("defender_uncovered", defender_uncovered, n)
        ac = as_payoff_vector("attacker_covered", attacker_covered, n)
        au = as_payoff_vector("attacker_uncovered", attacker_uncovered, n)
        bad = np.flatnonzero(~(au > ac))
        if bad.size:
            t = int(bad[0])
            raise InvalidInput(
                f"attacker_uncovered[{t}] must be greater than attacker_covered[{t}] (the attacker prefers an "
                f"unprotected target), got {au[t]} <= {ac[t]}; raise attacker_uncovered or lower attacker_covered",
                field="attacker_uncovered",
            )
        bad = np.flatnonzero(~(dc > du))
        if bad.size:
            t = int(bad[0])
            raise InvalidInput(
                f"defender_covered[{t}] must be greater than defender_uncovered[{t}] (the defender prefers a "
                f"protected target), got {dc[t]} <= {du[t]}; raise defender_covered or lower defender_uncovered",
                field="defender_covered",
            )
        m = float(n_resources)
        if not np.isfinite(m) or m < 1 or m > n:
            raise InvalidInput(
                f"n_resources must be between 1 and {n} (the number of targets), got {n_resources}",
                field="n_resources",
            )
        for arr in (dc, du, ac, au):
            arr.setflags(write=False)
        return cls(dc, du, ac, au, m)

    @property
    def n_targets(self) -> int:
        return int(self.defender_covered.shape[0])

    def attacker_utilities(self, coverage: npt.ArrayLike) -> FloatArray:
        """U_a(t, c) for every target."""
        c = np.asarray(coverage, dtype=np.float64)
        return self.attacker_uncovered - c * (self.attacker_uncovered - self.attacker_covered)

    def defender_utilities(self, coverage: npt.ArrayLike) -> FloatArray:
        """U_d(t, c) for every target."""
        c = np.asarray(coverage, dtype=np.float64)
        return self.defender_uncovered + c * (self.defender_covered - self.defender_uncovered)

    def best_response(self, coverage: npt.ArrayLike, *, tol: float = 1e-9) -> tuple[int, float, float]:
        """The attacker's best response to ``coverage``, ties broken in the defender's favour (strong SSE).

        Returns (target, defender utility, attacker utility). ``tol`` is the relative tolerance under which two
        attacker utilities count as equal.
        """
        ua = self.attacker_utilities(coverage)
        ud = self.defender_utilities(coverage)
        k = float(ua.max())
        scale = max(1.0, abs(k))
        ties = np.flatnonzero(ua >= k - tol * scale)
        t = int(ties[np.argmax(ud[ties])])
        return t, float(ud[t]), k


@dataclass(frozen=True)
class GameSolution:
    """Result of any patrol solver: the defender's coverage and the attacker's (best) response."""

    coverage: FloatArray  # (n,) probability each target is protected, in [0, 1]
    attacked_target: int  # the target the attacker attacks (ties broken for the defender)
    defender_utility: float  # defender's expected utility
    attacker_utility: float  # attacker's expected utility at the attacked target
    status: str  # "optimal", or the solver's status text
    runtime_s: float
    method: str
    objective: float = float("nan")  # what the method optimised (defender utility unless stated)
    bound: float = float("nan")  # best proven bound on the objective (NaN when not applicable)
    gap: float = 0.0  # relative gap between objective and bound
