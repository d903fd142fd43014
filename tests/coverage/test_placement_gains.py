"""Each proposed unit's gain, as the page shows it ("Unit 1: +3 places"): hand-checked on a tiny case, and on
Monaco the gains add up to the coverage change the placement reports."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.coverage import placement
from bastion.coverage.placement import _marginal_gains


def test_gains_are_greedy_and_count_only_what_is_new() -> None:
    # 5 sites (weights 1, 2, 3, 4, 5), standard 60 s; site 0 is already covered by an existing unit.
    # candidate 0 reaches sites 0, 1; candidate 1 reaches 1, 2, 3; candidate 2 reaches 3, 4.
    inf = np.inf
    t = np.array([[10, inf, inf], [20, 30, inf], [inf, 40, inf], [inf, 50, 10], [inf, inf, 20]], dtype=float)
    w = np.array([1, 2, 3, 4, 5], dtype=float)
    covered = np.array([True, False, False, False, False])
    out = _marginal_gains(t, w, covered, [0, 1, 2], 60.0)
    # candidate 1 adds 2+3+4 = 9 first; then candidate 2 adds only site 4 (5); candidate 0 adds nothing new
    assert out == [(1, 9.0, 3), (2, 5.0, 1), (0, 0.0, 0)]
    assert sum(g for _, g, _ in out) == w[~covered].sum()


def test_no_chosen_candidate_gives_no_gain() -> None:
    assert _marginal_gains(np.zeros((2, 1)), np.ones(2), np.array([True, True]), [], 60.0) == []


def test_monaco_gains_add_up_to_the_reported_change(monaco_sf: sessionmaker[Session]) -> None:
    p = placement.place(monaco_sf, "Monaco", standard_s=60, add=4)
    gains_sites = [u.gain_sites for u in p.proposed]
    assert sum(gains_sites) == p.after_sites - p.before_sites
    assert abs(sum(u.gain_weight for u in p.proposed) - (p.after_weight - p.before_weight)) < 1e-6
    assert [u.gain_weight for u in p.proposed] == sorted((u.gain_weight for u in p.proposed), reverse=True)
