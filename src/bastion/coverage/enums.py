"""Coverage and placement vocabularies and limits: the one source for schemas, CLI options, services and /meta."""

from __future__ import annotations

from enum import StrEnum


class WeightBasis(StrEnum):
    """Demand weight of a site: 1 each, its capacity (people), or its stored total risk (needs an assessment)."""

    SITES = "sites"
    CAPACITY = "capacity"
    RISK = "risk"


DEFAULT_WEIGHT_BASIS = WeightBasis.CAPACITY


class PlacementModel(StrEnum):
    """Maximal covering (add k units), set covering (fewest units to cover all), p-median (least total time)."""

    MCLP = "mclp"
    LSCP = "lscp"
    P_MEDIAN = "p_median"


# the placement solver's time limit, seconds: the same default and bounds for the API, the CLI and the service
TIME_LIMIT_S = 30.0
MIN_TIME_LIMIT_S = 0.1
MAX_TIME_LIMIT_S = 600.0
