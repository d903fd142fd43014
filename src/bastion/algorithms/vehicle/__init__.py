"""Hostile-vehicle assessment: approach speeds to protected perimeters and the barrier ratings they need.

Typical use (service layer):
    net = VehicleNetwork(extract.roads)                      # once per region; reuse for every site
    result = assess_perimeter(net, site.geometry, vehicle("car"))
    result.worst.impact_speed_kph, result.worst.needs         # fastest approach and its rating needs
See docs/models/vehicle.md.
"""

from bastion.algorithms.vehicle.approach import (
    DEFAULT_MAX_DISTANCE_M,
    ApproachPath,
    worst_path,
)
from bastion.algorithms.vehicle.assess import Approach, SiteAssessment, assess_perimeter
from bastion.algorithms.vehicle.network import Entry, VehicleNetwork
from bastion.algorithms.vehicle.physics import (
    Dynamics,
    ImpactSpeedProfile,
    impact_profile,
    polyline_profile,
    travel_time_s,
)
from bastion.algorithms.vehicle.ratings import (
    ASTM_F2656,
    ISO_22343,
    IWA_14,
    PAS_68,
    STANDARDS,
    BarrierRating,
    RatingNeed,
    meets,
    parse_rating,
    required_rating,
)
from bastion.algorithms.vehicle.timing import (
    TimingCheck,
    check_approach,
    min_detection_distance_m,
    timing_check,
)
from bastion.algorithms.vehicle.vehicles import VEHICLES, VehicleClass, vehicle

__all__ = [
    "ASTM_F2656", "DEFAULT_MAX_DISTANCE_M", "ISO_22343", "IWA_14", "PAS_68", "STANDARDS", "VEHICLES",
    "Approach", "ApproachPath", "BarrierRating", "Dynamics", "Entry", "ImpactSpeedProfile", "RatingNeed",
    "SiteAssessment", "TimingCheck", "VehicleClass", "VehicleNetwork", "assess_perimeter", "check_approach",
    "impact_profile", "meets", "min_detection_distance_m", "parse_rating", "polyline_profile",
    "required_rating", "timing_check", "travel_time_s", "vehicle", "worst_path",
]
