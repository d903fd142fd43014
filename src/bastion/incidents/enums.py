"""Incident vocabularies: the one source for schemas, CLI options, services and GET /api/v1/meta."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from bastion.algorithms.dispatch.states import UnitStatus as UnitStatus


class IncidentType(StrEnum):
    """Threat types; each maps onto the risk catalogue's threat (algorithms.risk.threat.THREATS)."""

    VEHICLE_AS_WEAPON = "vehicle_as_weapon"
    MARAUDING_BLADES = "marauding_blades"
    MARAUDING_FIREARMS = "marauding_firearms"
    PERSON_BORNE_IED = "person_borne_ied"
    VEHICLE_BORNE_IED = "vehicle_borne_ied"
    PLACED_IED = "placed_ied"
    SUSPICIOUS_ITEM = "suspicious_item"
    ARSON = "arson"
    CBRN = "cbrn"
    HOSTAGE = "hostage"
    DRONE = "drone"


T = IncidentType
RISK_THREAT: Mapping[IncidentType, str] = MappingProxyType({
    T.VEHICLE_AS_WEAPON: "vehicle_as_weapon", T.MARAUDING_BLADES: "marauding_attack",
    T.MARAUDING_FIREARMS: "marauding_attack", T.PERSON_BORNE_IED: "ied", T.VEHICLE_BORNE_IED: "ied",
    T.PLACED_IED: "ied", T.SUSPICIOUS_ITEM: "ied", T.ARSON: "fire_as_weapon", T.CBRN: "cbr",
    T.HOSTAGE: "marauding_attack", T.DRONE: "ied",
})
EXPLOSIVE: frozenset[IncidentType] = frozenset({T.PERSON_BORNE_IED, T.VEHICLE_BORNE_IED, T.PLACED_IED,
                                                T.SUSPICIOUS_ITEM})


class Capability(StrEnum):
    ARMED = "armed"
    EOD = "eod"
    FIRE = "fire"
    MEDICAL = "medical"


C = Capability
# what a response to each type needs (ASSUMPTION, editable): the recommender ranks units having all of it first
REQUIRED_CAPABILITIES: Mapping[IncidentType, frozenset[Capability]] = MappingProxyType({
    T.VEHICLE_AS_WEAPON: frozenset({C.ARMED, C.MEDICAL}), T.MARAUDING_BLADES: frozenset({C.ARMED}),
    T.MARAUDING_FIREARMS: frozenset({C.ARMED}), T.PERSON_BORNE_IED: frozenset({C.ARMED, C.EOD}),
    T.VEHICLE_BORNE_IED: frozenset({C.EOD}), T.PLACED_IED: frozenset({C.EOD}), T.SUSPICIOUS_ITEM: frozenset({C.EOD}),
    T.ARSON: frozenset({C.FIRE}), T.CBRN: frozenset({C.FIRE, C.MEDICAL}), T.HOSTAGE: frozenset({C.ARMED}),
    T.DRONE: frozenset({C.ARMED}),
})
# a unit type's capabilities until set on the unit (ASSUMPTION, editable per unit)
DEFAULT_CAPABILITIES: Mapping[str, frozenset[Capability]] = MappingProxyType({
    "special_unit": frozenset({C.ARMED}), "fire_engine": frozenset({C.FIRE, C.MEDICAL}),
    "fire_station": frozenset({C.FIRE, C.MEDICAL}),
})
del T, C


class Mode(StrEnum):
    """Real incidents, exercises and tests never mix: boards, counts and reports show REAL unless asked."""

    REAL = "real"
    EXERCISE = "exercise"
    TEST = "test"


class Severity(StrEnum):
    """CAP 1.2 severity values, lower-cased."""

    MINOR = "minor"
    MODERATE = "moderate"
    SEVERE = "severe"
    EXTREME = "extreme"


class MajorIncident(StrEnum):
    """M of M/ETHANE (JESIP): has a major incident been declared?"""

    NOT_DECLARED = "not_declared"
    STANDBY = "standby"
    DECLARED = "declared"
    STAND_DOWN = "stand_down"
    CANCELLED = "cancelled"


class Triage(StrEnum):
    """Casualty counts by triage category (counts only, never persons)."""

    IMMEDIATE = "immediate"  # P1
    URGENT = "urgent"  # P2
    DELAYED = "delayed"  # P3
    EXPECTANT = "expectant"
    DEAD = "dead"


class Service(StrEnum):
    POLICE = "police"
    ARMED_POLICE = "armed_police"
    FIRE = "fire"
    AMBULANCE = "ambulance"
    EOD = "eod"
    HAZMAT = "hazmat"
    COASTGUARD = "coastguard"
    MILITARY = "military"
    LOCAL_AUTHORITY = "local_authority"


class IncidentStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class EntryKind(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    NOTE = "note"
    UNIT_STATUS = "unit_status"
    DISPATCH = "dispatch"
    CORDON = "cordon"
    WARNING = "warning"
    CLOSED = "closed"
    SITREP = "sitrep"  # a situation-report schedule set or stopped, or a scheduled report generated


TEXT_MAX = 2000  # characters of one free-text field
