"""The unit status machine, by property: 100,000 random status sequences (1,000 per hypothesis example x 100
examples) through the pure transition function; no sequence reaches a state it should not, checked against the
lifecycle's meaning (not the table): a unit is on scene only after it went en route after being dispatched,
out of service comes back only as available, and every refusal names the allowed next states."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from bastion.algorithms.dispatch.states import TRANSITIONS
from bastion.algorithms.dispatch.states import UnitStatus
from bastion.algorithms.dispatch.states import transition
from bastion.kernel.errors import Conflict

S = UnitStatus
ALL = list(S)
SEQUENCES_PER_EXAMPLE = 1000
LENGTH = 12
NEXT = {a: {b.value for x, b in TRANSITIONS if x is a} for a in S}


def _check_sequence(rng: random.Random) -> int:
    state = S.AVAILABLE
    dispatched = en_route = False  # since the unit was last available
    illegal = 0
    for _ in range(LENGTH):
        target = rng.choice(ALL)
        if target is state:
            continue
        try:
            new = transition(state, target)
        except Conflict as e:
            assert (state, target) not in TRANSITIONS
            msg = str(e)
            assert all(b in msg for b in NEXT[state])
            illegal += 1
            continue
        assert new is target
        if new is S.DISPATCHED:
            assert state in (S.AVAILABLE, S.RETURNING)
        if new is S.EN_ROUTE:
            assert state is S.DISPATCHED and dispatched
        if new is S.ON_SCENE:
            assert state is S.EN_ROUTE and dispatched and en_route
        if state is S.OUT_OF_SERVICE:
            assert new is S.AVAILABLE
        if new is S.RETURNING:
            assert dispatched
        dispatched = (dispatched or new is S.DISPATCHED) and new not in (S.AVAILABLE, S.OUT_OF_SERVICE)
        en_route = (en_route or new is S.EN_ROUTE) and dispatched
        if new is S.DISPATCHED:
            en_route = False
        state = new
    return illegal


@pytest.mark.slow  # ~3 s idle, up to 10 s on the shared 2-core machine
@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_100k_random_sequences_never_make_an_illegal_transition(seed: int) -> None:
    rng = random.Random(seed)
    refused = sum(_check_sequence(rng) for _ in range(SEQUENCES_PER_EXAMPLE))
    assert refused > 0  # the random walk does try illegal moves, and each was refused


def test_every_state_is_reachable_and_can_become_available_again() -> None:
    seen, frontier = {S.AVAILABLE}, [S.AVAILABLE]
    while frontier:
        a = frontier.pop()
        for x, b in TRANSITIONS:
            if x is a and b not in seen:
                seen.add(b)
                frontier.append(b)
    assert seen == set(S)
    back = {S.AVAILABLE}
    changed = True
    while changed:
        changed = False
        for a, b in TRANSITIONS:
            if b in back and a not in back:
                back.add(a)
                changed = True
    assert back == set(S)
