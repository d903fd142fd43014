"""Preparedness vocabularies: the one source for schemas, CLI options and /meta."""

from __future__ import annotations

from bastion.algorithms.preparedness.calendar import EXERCISE_TYPES
from bastion.algorithms.preparedness.drills import PROCEDURES as DRILL_PROCEDURES
from bastion.algorithms.preparedness.plans import POSITIONS
from bastion.algorithms.preparedness.plans import PROCEDURES

# FEMA National Preparedness Goal core capabilities most exercised for terrorist attacks on crowded places
CORE_CAPABILITIES: tuple[str, ...] = (
    "planning", "public_information_and_warning", "operational_coordination", "intelligence_and_information_sharing",
    "interdiction_and_disruption", "screening_search_and_detection", "access_control_and_identity_verification",
    "physical_protective_measures", "on_scene_security_protection_and_law_enforcement", "operational_communications",
    "public_health_healthcare_and_ems", "mass_search_and_rescue", "situational_assessment", "mass_care_services",
    "critical_transportation", "fire_management_and_suppression", "environmental_response_health_and_safety",
)
# HSEEP performance ratings: Performed without challenges / with Some challenges / with Major challenges / Unable
RATINGS: tuple[str, ...] = ("P", "S", "M", "U")
WEAK_RATINGS = frozenset({"M", "U"})
POETE: tuple[str, ...] = ("planning", "organization", "equipment", "training", "exercises")
EXERCISE_STATUSES: tuple[str, ...] = ("planned", "evaluated", "finalised")
MODE = "EXERCISE"
LATE_FACTOR = 2.0  # a unit arriving later than twice its modelled travel time is flagged

__all__ = ["CORE_CAPABILITIES", "DRILL_PROCEDURES", "EXERCISE_STATUSES", "EXERCISE_TYPES", "LATE_FACTOR", "MODE",
           "POETE", "POSITIONS", "PROCEDURES", "RATINGS", "WEAK_RATINGS"]
