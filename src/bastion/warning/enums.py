"""Early-warning vocabularies and limits: the one source for schemas, CLI options and the web page."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

from bastion.algorithms.risk.threat import CATEGORY_TARGET_TYPE
from bastion.algorithms.risk.threat import GTD_TARGET_TYPES
from bastion.algorithms.risk.threat import KIND_TARGET_TYPE
from bastion.algorithms.risk.threat import THREATS

DATASETS: Final = ("gtd", "acled", "manual")
FILE_FORMATS: Final = ("gtd", "acled")
ATTACK_TYPES: Final = (*THREATS, "other")  # Bastion's threat catalogue, plus everything it does not model
UNKNOWN_TARGET = 20  # GTD targtype1 20 = Unknown
ALERT_STATUSES: Final = ("open", "acknowledged", "closed")
DECISIONS: Final = ("pending", "approved", "rejected")
ACTIONS: Final = ("monitor", "raise")
METHODS: Final = ("farrington", "cusum")
UK_LEVELS: Final = ("LOW", "MODERATE", "SUBSTANTIAL", "SEVERE", "CRITICAL")

MAX_UPLOAD_BYTES: Final = 200 * 1024 * 1024  # a CSV posted to the API (the CLI reads files of any size)
MAX_WEEKLY_COUNT: Final = 100_000  # events in one manual cell
LICENCE_NOTE: Final = MappingProxyType({
    "gtd": "user-held GTD export (START): terms forbid redistribution; only aggregates are kept",
    "acled": "user-held ACLED export: terms forbid redistribution; only aggregates are kept",
})

# GTD attacktype1 -> Bastion threat, used when weaptype1 does not map (ASSUMPTION, editable): 1 assassination and
# 2 armed assault are marauding attacks, 3 bombing an IED, 7 facility/infrastructure attack mostly arson.
GTD_ATTACK_TO_THREAT: Final = MappingProxyType({1: "marauding_attack", 2: "marauding_attack", 3: "ied",
                                                7: "fire_as_weapon"})
# ACLED sub_event_type -> Bastion threat (ASSUMPTION, editable); every other sub-event type is "other".
ACLED_SUB_EVENT_TO_THREAT: Final = MappingProxyType({
    "suicide bomb": "ied", "remote explosive/landmine/ied": "ied", "grenade": "ied", "attack": "marauding_attack",
    "mob violence": "marauding_attack", "chemical weapon": "cbr", "arson": "fire_as_weapon",
})
# ACLED has no target type: "Civilian targeting" -> GTD 14 (private citizens & property), else 20 (unknown).
ACLED_CIVILIAN_TARGET = 14


def site_categories(target_type: int) -> tuple[str, ...]:
    """Bastion site categories and kinds the risk domain maps to this GTD target type (the inverse mapping)."""
    cats = [c for c, t in CATEGORY_TARGET_TYPE.items() if t == target_type]
    kinds = [k for k, t in KIND_TARGET_TYPE.items() if t == target_type]
    return (*cats, *kinds)


def target_label(target_type: int) -> str:
    return GTD_TARGET_TYPES.get(target_type, "Unknown")
