"""Timing check for active (operable) barriers: detection + response must not exceed the delay.

GB 50348 principle (detection time + response time <= delay time of the barrier and layout); response =
guard reaction + barrier deployment, with UFC 4-022-01 minimums of 3 s guard reaction and 2 s deploy.
The delay is the time the hostile vehicle needs from the point where it is detected to the barrier,
taken from its (fastest, no braking) speed profile, so the check is conservative.
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion.algorithms.vehicle.physics import Dynamics
from bastion.algorithms.vehicle.physics import ImpactSpeedProfile
from bastion.algorithms.vehicle.physics import travel_time_s
from bastion.kernel.errors import InvalidInput

GUARD_REACTION_S = 3.0  # UFC 4-022-01 minimum guard reaction time, s
BARRIER_DEPLOY_S = 2.0  # UFC 4-022-01 minimum emergency deployment time, s


@dataclass(frozen=True)
class TimingCheck:
    detection_s: float
    guard_reaction_s: float
    deploy_s: float
    delay_s: float

    @property
    def required_s(self) -> float:
        return self.detection_s + self.guard_reaction_s + self.deploy_s

    @property
    def margin_s(self) -> float:
        return self.delay_s - self.required_s

    @property
    def ok(self) -> bool:
        return self.margin_s >= 0.0


def timing_check(
    delay_s: float, *, detection_s: float, guard_reaction_s: float = GUARD_REACTION_S,
    deploy_s: float = BARRIER_DEPLOY_S,
) -> TimingCheck:
    for name, val in (("delay_s", delay_s), ("detection_s", detection_s),
                      ("guard_reaction_s", guard_reaction_s), ("deploy_s", deploy_s)):
        if not val >= 0:
            raise InvalidInput(f"{name} must be >= 0 seconds, got {val}")
    return TimingCheck(detection_s, guard_reaction_s, deploy_s, delay_s)


def check_approach(
    profile: ImpactSpeedProfile, dynamics: Dynamics, detection_distance_m: float, *, detection_s: float = 0.0,
    guard_reaction_s: float = GUARD_REACTION_S, deploy_s: float = BARRIER_DEPLOY_S,
) -> TimingCheck:
    """Timing check for a barrier at the perimeter when the vehicle is detected detection_distance_m before it."""
    d = min(detection_distance_m, profile.length_m)
    return timing_check(travel_time_s(profile, dynamics, d), detection_s=detection_s,
                        guard_reaction_s=guard_reaction_s, deploy_s=deploy_s)


def min_detection_distance_m(
    profile: ImpactSpeedProfile, dynamics: Dynamics, *, detection_s: float = 0.0,
    guard_reaction_s: float = GUARD_REACTION_S, deploy_s: float = BARRIER_DEPLOY_S, tol_m: float = 0.01,
) -> float | None:
    """Shortest distance before the barrier at which detection must happen; None if even the whole path is short."""
    need = detection_s + guard_reaction_s + deploy_s
    if travel_time_s(profile, dynamics, profile.length_m) < need:
        return None
    lo, hi = 0.0, profile.length_m
    while hi - lo > tol_m:  # travel time over the last d metres is increasing in d
        mid = 0.5 * (lo + hi)
        if travel_time_s(profile, dynamics, mid) >= need:
            hi = mid
        else:
            lo = mid
    return hi
