"""Response-unit status as a state machine.

available -> dispatched -> en_route -> on_scene -> returning -> available; a dispatched or en-route unit may be
stood down (back to available, or returning when it has left); a returning unit may be re-tasked (dispatched);
any state may go out of service, and an out-of-service unit comes back only as available.
"""

from __future__ import annotations

from enum import StrEnum

from bastion.kernel.errors import Conflict


class UnitStatus(StrEnum):
    AVAILABLE = "available"
    DISPATCHED = "dispatched"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    OUT_OF_SERVICE = "out_of_service"


S = UnitStatus
TRANSITIONS: frozenset[tuple[UnitStatus, UnitStatus]] = frozenset({
    (S.AVAILABLE, S.DISPATCHED),
    (S.DISPATCHED, S.EN_ROUTE), (S.DISPATCHED, S.AVAILABLE),
    (S.EN_ROUTE, S.ON_SCENE), (S.EN_ROUTE, S.RETURNING), (S.EN_ROUTE, S.AVAILABLE),
    (S.ON_SCENE, S.RETURNING),
    (S.RETURNING, S.AVAILABLE), (S.RETURNING, S.DISPATCHED),
    *((s, S.OUT_OF_SERVICE) for s in S if s is not S.OUT_OF_SERVICE),
    (S.OUT_OF_SERVICE, S.AVAILABLE),
})
# states in which a unit may be recommended for a new incident / counts as committed to one
DISPATCHABLE: frozenset[UnitStatus] = frozenset({S.AVAILABLE, S.RETURNING})
COMMITTED: frozenset[UnitStatus] = frozenset({S.DISPATCHED, S.EN_ROUTE, S.ON_SCENE})
del S


def allowed_next(status: UnitStatus) -> frozenset[UnitStatus]:
    return frozenset(b for a, b in TRANSITIONS if a is status)


def transition(current: str, target: str) -> UnitStatus:
    """The new status, or Conflict naming the allowed ones (unknown names: Conflict too, naming every status)."""
    try:
        a, b = UnitStatus(current), UnitStatus(target)
    except ValueError:
        raise Conflict(f"status must be one of {', '.join(UnitStatus)}, got {current!r} -> {target!r}") from None
    if (a, b) not in TRANSITIONS:
        nxt = ", ".join(sorted(allowed_next(a)))
        raise Conflict(f"a unit cannot go from {a.value} to {b.value}; from {a.value} it may go to {nxt}")
    return b
