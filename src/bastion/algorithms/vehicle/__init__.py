"""Hostile-vehicle assessment: approach speeds to protected perimeters and the barrier ratings they need.

Typical use (service layer):
    net = VehicleNetwork(extract.roads)                      # once per region; reuse for every site
    result = assess_perimeter(net, site.geometry, vehicle("car"))
    result.worst.impact_speed_kph, result.worst.needs         # fastest approach and its rating needs
See docs/models/vehicle.md.
"""

from bastion.algorithms.vehicle.approach import DEFAULT_MAX_DISTANCE_M
from bastion.algorithms.vehicle.approach import ApproachPath
from bastion.algorithms.vehicle.approach import worst_path
from bastion.algorithms.vehicle.assess import Approach
from bastion.algorithms.vehicle.assess import SiteAssessment
from bastion.algorithms.vehicle.assess import assess_perimeter
from bastion.algorithms.vehicle.network import Entry
from bastion.algorithms.vehicle.network import VehicleNetwork
from bastion.algorithms.vehicle.physics import Dynamics
from bastion.algorithms.vehicle.physics import ImpactSpeedProfile
from bastion.algorithms.vehicle.physics import impact_profile
from bastion.algorithms.vehicle.physics import polyline_profile
from bastion.algorithms.vehicle.physics import travel_time_s
from bastion.algorithms.vehicle.ratings import ASTM_F2656
from bastion.algorithms.vehicle.ratings import ISO_22343
from bastion.algorithms.vehicle.ratings import IWA_14
from bastion.algorithms.vehicle.ratings import PAS_68
from bastion.algorithms.vehicle.ratings import STANDARDS
from bastion.algorithms.vehicle.ratings import BarrierRating
from bastion.algorithms.vehicle.ratings import RatingNeed
from bastion.algorithms.vehicle.ratings import meets
from bastion.algorithms.vehicle.ratings import parse_rating
from bastion.algorithms.vehicle.ratings import required_rating
from bastion.algorithms.vehicle.timing import TimingCheck
from bastion.algorithms.vehicle.timing import check_approach
from bastion.algorithms.vehicle.timing import min_detection_distance_m
from bastion.algorithms.vehicle.timing import timing_check
from bastion.algorithms.vehicle.vehicles import VEHICLES
from bastion.algorithms.vehicle.vehicles import VehicleClass
from bastion.algorithms.vehicle.vehicles import vehicle

__all__ = [
    "ASTM_F2656", "DEFAULT_MAX_DISTANCE_M", "ISO_22343", "IWA_14", "PAS_68", "STANDARDS", "VEHICLES",
    "Approach", "ApproachPath", "BarrierRating", "Dynamics", "Entry", "ImpactSpeedProfile", "RatingNeed",
    "SiteAssessment", "TimingCheck", "VehicleClass", "VehicleNetwork", "assess_perimeter", "check_approach",
    "impact_profile", "meets", "min_detection_distance_m", "parse_rating", "polyline_profile",
    "required_rating", "timing_check", "travel_time_s", "vehicle", "worst_path",
]
