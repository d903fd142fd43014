"""Move-ups: when units are committed to an incident, which crowded places lose their coverage, and which at
most K moves of idle units restore the most.

Covering model (MCLP with a move budget, in the line of the dynamic redeployment models of Gendreau, Laporte and
Semet 2001 and the MEXCLP family): positions are candidate posts (the idle units' current positions first);
sites are demand points weighted by the people expected there; ``cover[j, p]`` says whether a unit at post p
reaches site j within the standard (3 minutes). The committed units are simply absent. Idle units are
interchangeable for coverage, so a plan is: which idle units leave their post (at most K) and which posts they
take. Solved exactly as a MILP with the HiGHS adapter (algorithms/optim/highs.py):

    max  sum_j w_j y_j
    s.t. y_j <= sum_i a_j,cur(i) stay_i + sum_p a_j,p open_p     (site j covered by a kept or a new post)
         sum_i (1 - stay_i) <= K,   sum_p open_p = sum_i (1 - stay_i)
         stay, open binary; 0 <= y <= 1

Which unit goes to which new post: the assignment minimising the total travel time (scipy linear_sum_assignment).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csc_array
from scipy.sparse import csr_array
from scipy.sparse import eye
from scipy.sparse import hstack
from scipy.sparse import vstack

from bastion.algorithms._typing import BoolArray
from bastion.algorithms._typing import FloatArray
from bastion.algorithms._typing import IntArray
from bastion.algorithms.optim import highs
from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class MoveUpProblem:
    cover: csr_array  # (n_sites, n_posts) bool: a unit at post p covers site j within the standard
    weight: FloatArray  # (n_sites,) people expected (>= 0)
    idle_post: IntArray  # (n_idle,) post index of each idle unit
    committed_post: IntArray  # (n_committed,) posts of the units committed (for the "lost" report)

    @classmethod
    def from_arrays(cls, cover: npt.ArrayLike, weight: npt.ArrayLike, idle_post: npt.ArrayLike,
                    committed_post: npt.ArrayLike = ()) -> MoveUpProblem:
        a = csr_array(cover, dtype=bool) if not isinstance(cover, csr_array) else csr_array(cover, dtype=bool)
        w = np.asarray(weight, dtype=np.float64)
        if a.ndim != 2 or w.shape != (a.shape[0],):
            raise InvalidInput(f"weight must have one entry per site ({a.shape[0]}), got shape {w.shape}",
                               field="weight")
        if not np.isfinite(w).all() or (w < 0).any():
            raise InvalidInput("weight must be finite people counts >= 0", field="weight")
        idle = np.asarray(idle_post, dtype=np.int64)
        com = np.asarray(committed_post, dtype=np.int64)
        for name, v in (("idle_post", idle), ("committed_post", com)):
            if v.size and (v.min() < 0 or v.max() >= a.shape[1]):
                raise InvalidInput(f"{name} must be post indices in [0, {a.shape[1]})", field=name)
        return cls(a, w, idle, com)

    @property
    def n_posts(self) -> int:
        return int(self.cover.shape[1])

    def covered(self, posts: npt.ArrayLike) -> BoolArray:
        p = np.unique(np.asarray(posts, dtype=np.int64))
        if p.size == 0:
            return np.zeros(self.cover.shape[0], dtype=bool)
        return np.asarray(self.cover[:, p].sum(axis=1) > 0).ravel()

    def covered_weight(self, posts: npt.ArrayLike) -> float:
        return float(self.weight[self.covered(posts)].sum())


@dataclass(frozen=True)
class Move:
    unit: int  # index into idle_post
    from_post: int
    to_post: int


@dataclass(frozen=True)
class MoveUpPlan:
    moves: tuple[Move, ...]
    before_weight: float  # covered with every unit (idle + committed) at its post
    committed_weight: float  # covered by the idle units alone (after the commitment)
    after_weight: float  # covered after the moves
    lost_sites: IntArray  # sites covered before the commitment and not after it (before moves)
    restored_sites: IntArray  # of those, covered again after the moves
    status: str
    runtime_s: float


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= 1000:
        raise InvalidInput(f"max_moves must be a whole number from 0 to 1000, got {k!r}", field="max_moves")


def plan_moveups(problem: MoveUpProblem, max_moves: int, *, time_limit_s: float | None = None,
                 travel_s: FloatArray | None = None) -> MoveUpPlan:
    """The at most ``max_moves`` moves that maximise the weight covered by the idle units. ``travel_s``
    (n_idle, n_posts) seconds, optional: which unit takes which new post (least total travel)."""
    _check_k(max_moves)
    pr = problem
    n_sites, n_posts = pr.cover.shape
    idle = pr.idle_post
    n = len(idle)
    before = pr.covered(np.concatenate([idle, pr.committed_post]))
    now = pr.covered(idle)
    k = min(int(max_moves), n)
    if k == 0 or n == 0:
        return _plan(pr, (), before, now, now, "optimal", 0.0)
    a = pr.cover.astype(np.float64)
    a_cur = csr_array(a[:, idle])  # (sites, n_idle)
    rows = np.flatnonzero(pr.weight > 0)
    w = pr.weight[rows]
    a_cur, a_all = csr_array(a_cur[rows]), csr_array(a[rows])
    g = len(rows)
    # columns: stay (n) | open (n_posts) | y (g)
    c = np.concatenate([np.zeros(n + n_posts), w])
    cover_rows = hstack([-a_cur, -a_all, eye(g)])  # y - sum stay - sum open <= 0
    budget = hstack([csr_array(-np.ones((1, n))), csr_array((1, n_posts)), csr_array((1, g))])  # -sum stay <= K - n
    balance = hstack([csr_array(np.ones((1, n))), csr_array(np.ones((1, n_posts))), csr_array((1, g))])  # = n
    model = highs.MilpModel(
        c=c, a=csc_array(vstack([cover_rows, budget, balance])),
        row_lower=np.concatenate([np.full(g, -np.inf), [-np.inf], [float(n)]]),
        row_upper=np.concatenate([np.zeros(g), [float(k - n)], [float(n)]]),
        col_lower=np.zeros(n + n_posts + g), col_upper=np.ones(n + n_posts + g),
        integer=np.concatenate([np.ones(n + n_posts, bool), np.zeros(g, bool)]), maximize=True)
    warm = np.concatenate([np.ones(n), np.zeros(n_posts), (a_cur.sum(axis=1) > 0).astype(np.float64)])
    sol = highs.solve(model, time_limit_s=time_limit_s, warm_start=warm, presolve=False, what="move-up", **highs.EXACT)
    stay = sol.x[:n] > 0.5
    opened = np.flatnonzero(sol.x[n:n + n_posts] > 0.5)
    leaving = np.flatnonzero(~stay)
    moves = _assign(leaving, opened.tolist(), idle, travel_s)
    moves = tuple(m for m in moves if m.from_post != m.to_post)  # vacated and re-taken: no move at all
    final = np.concatenate([idle[stay], np.asarray([m.to_post for m in moves], dtype=np.int64),
                            idle[np.asarray(_unmoved(leaving, moves), dtype=np.int64)]])
    return _plan(pr, moves, before, now, pr.covered(final), sol.status, sol.runtime_s)


def _unmoved(leaving: IntArray, moves: tuple[Move, ...]) -> list[int]:
    moved = {m.unit for m in moves}
    return [int(i) for i in leaving if int(i) not in moved]


def _assign(leaving: IntArray, targets: list[int], idle: IntArray, travel_s: FloatArray | None) -> tuple[Move, ...]:
    if not len(leaving) or not targets:
        return ()
    if travel_s is None:
        cost = np.where(idle[leaving][:, None] == np.asarray(targets)[None, :], 0.0, 1.0)
    else:
        cost = np.nan_to_num(travel_s[np.ix_(leaving, np.asarray(targets, dtype=np.int64))], posinf=1e12)
        cost = np.where(idle[leaving][:, None] == np.asarray(targets)[None, :], -1.0, cost)
    r, cidx = linear_sum_assignment(cost)
    return tuple(Move(int(leaving[i]), int(idle[leaving[i]]), int(targets[j])) for i, j in zip(r, cidx, strict=True))


def _plan(pr: MoveUpProblem, moves: tuple[Move, ...], before: BoolArray, now: BoolArray, after: BoolArray,
          status: str, runtime_s: float) -> MoveUpPlan:
    lost = np.flatnonzero(before & ~now)
    return MoveUpPlan(moves, float(pr.weight[before].sum()), float(pr.weight[now].sum()),
                      float(pr.weight[after].sum()), lost.astype(np.int64),
                      lost[after[lost]].astype(np.int64), status, runtime_s)


def exhaustive_best(problem: MoveUpProblem, max_moves: int) -> float:
    """The best covered weight over every way to move at most ``max_moves`` idle units (tests only: tiny cases)."""
    idle = problem.idle_post
    best = problem.covered_weight(idle)
    for m in range(1, min(max_moves, len(idle)) + 1):
        for leave in itertools.combinations(range(len(idle)), m):
            keep = np.delete(idle, list(leave))
            for dest in itertools.combinations_with_replacement(range(problem.n_posts), m):
                best = max(best, problem.covered_weight(np.concatenate([keep, np.asarray(dest, dtype=np.int64)])))
    return best
