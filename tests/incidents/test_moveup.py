"""Move-ups: the MILP plan equals exhaustive search over every way to move at most K idle units, on random small
cases (hypothesis), and a hand-checked case."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.dispatch.moveup import MoveUpProblem
from bastion.algorithms.dispatch.moveup import exhaustive_best
from bastion.algorithms.dispatch.moveup import plan_moveups


def test_hand_checked_case() -> None:
    # posts 0,1,2; sites A (100 people) covered only from post 0, B (30) only from post 1, C (50) only from 2.
    cover = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1]], dtype=bool)
    # idle units at posts 0 and 1; the unit committed to the incident stood at post 2
    pr = MoveUpProblem.from_arrays(cover, [100, 30, 50], idle_post=[0, 1], committed_post=[2])
    plan = plan_moveups(pr, 1)
    assert plan.before_weight == 180 and plan.committed_weight == 130
    assert list(plan.lost_sites) == [2]
    # one move: the unit at post 1 (covers 30) goes to post 2 (covers 50); never the one guarding 100 people
    assert [(m.from_post, m.to_post) for m in plan.moves] == [(1, 2)]
    assert plan.after_weight == 150 and list(plan.restored_sites) == [2]
    assert plan_moveups(pr, 0).moves == ()


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(0, 2**32 - 1), st.integers(0, 3))
def test_equals_exhaustive_search(seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    n_sites, n_posts, n_idle = int(rng.integers(2, 10)), int(rng.integers(2, 6)), int(rng.integers(1, 4))
    pr = MoveUpProblem.from_arrays(rng.random((n_sites, n_posts)) < 0.35, rng.integers(0, 60, n_sites),
                                   rng.choice(n_posts, n_idle), rng.choice(n_posts, int(rng.integers(0, 3))))
    plan = plan_moveups(pr, k)
    assert len(plan.moves) <= k
    assert abs(plan.after_weight - exhaustive_best(pr, k)) < 1e-9
    assert plan.after_weight >= plan.committed_weight
    # the reported after-weight is what the moves produce
    posts = pr.idle_post.copy()
    for m in plan.moves:
        assert posts[m.unit] == m.from_post
        posts[m.unit] = m.to_post
    assert abs(pr.covered_weight(posts) - plan.after_weight) < 1e-9
