"""How a drill result changes the site's vulnerability (a documented, versioned rule; RULE_VERSION).

Input: the procedure drilled (evacuation, invacuation, lockdown, communication), the measured completion time
and its target. The rule acts on the site's measures on record, which drive V in the risk model
(algorithms/risk/vulnerability.py):
- observed <= target: PASS. The drill date is added to the site's ``drills`` measure (drills cut V for the
  threats in its effectiveness row while held within 365 days, provided a procedure is on record) and the
  procedure is recorded as present.
- target < observed <= 2 x target: MARGINAL. The date is not counted (no credit), nothing is removed.
- observed > 2 x target: FAIL. The procedure's measure is removed from the record (the procedure did not work
  as drilled: V rises by the procedure's effectiveness, e.g. a lockdown drill of 6 min against 2 min removes
  ``lockdown_procedure`` and V(marauding_attack) is multiplied by 1 / (1 - 0.3)), and the date is not counted.
A later passing drill restores the procedure.
"""

from __future__ import annotations

from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput

RULE_VERSION = "drill-v1"
PROCEDURES = ("evacuation", "invacuation", "lockdown", "communication")
FAIL_FACTOR = 2.0


@dataclass(frozen=True)
class DrillEffect:
    outcome: str  # pass | marginal | fail
    measure: str  # the procedure's measure kind
    record_drill_date: bool
    record_procedure: bool
    remove_procedure: bool
    ratio: float  # observed / target
    rule_version: str = RULE_VERSION


def drill_effect(procedure: str, observed_s: float, target_s: float) -> DrillEffect:
    if procedure not in PROCEDURES:
        raise InvalidInput(f"procedure must be one of {list(PROCEDURES)}, got {procedure!r}", field="procedure")
    if not observed_s > 0 or not target_s > 0:
        raise InvalidInput("observed_s and target_s must be positive seconds", field="observed_s")
    ratio = observed_s / target_s
    measure = f"{procedure}_procedure"
    if ratio <= 1.0:
        return DrillEffect("pass", measure, True, True, False, ratio)
    if ratio <= FAIL_FACTOR:
        return DrillEffect("marginal", measure, False, False, False, ratio)
    return DrillEffect("fail", measure, False, False, True, ratio)
