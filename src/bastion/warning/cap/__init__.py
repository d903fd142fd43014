"""CAP 1.2 export of early-warning alerts (OASIS Common Alerting Protocol v1.2, scope Restricted).

Every message is validated against the OASIS CAP 1.2 schema (bastion.kernel.cap) before it leaves Bastion.
Counts below the small-count threshold are shown as "<3".
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from typing import Any

from bastion.algorithms.surveillance.disclosure import suppress
from bastion.algorithms.surveillance.disclosure import suppressed_label
from bastion.kernel.cap import NS
from bastion.kernel.cap import cap_time
from bastion.kernel.cap import schema_errors
from bastion.kernel.errors import DataIntegrityError
from bastion.warning.enums import site_categories
from bastion.warning.enums import target_label

RESTRICTION = "TLP:AMBER - counter-terrorism partners of the issuing office only; aggregate counts, no persons"


def validate(xml: str) -> None:
    """Raise DataIntegrityError unless ``xml`` is a valid CAP 1.2 message."""
    errors = schema_errors(xml)
    if errors:
        raise DataIntegrityError(f"CAP message fails the CAP 1.2 schema: {errors[0]}")


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    e = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if text is not None:
        e.text = text
    return e


def alert_xml(alert: Any, region_name: str, *, sent: dt.datetime, sender: str = "bastion-early-warning",
              status: str = "Actual") -> str:
    """One CAP 1.2 <alert> for a stored WarningAlert (validated before it is returned)."""
    ET.register_namespace("", NS)
    raise_ = alert.recommended_action == "raise"
    root = ET.Element(f"{{{NS}}}alert")
    _sub(root, "identifier", f"bastion-warning-{alert.region_id}-{alert.id}-{alert.week.isoformat()}")
    _sub(root, "sender", sender)
    _sub(root, "sent", cap_time(sent))
    _sub(root, "status", status)
    _sub(root, "msgType", "Alert")
    _sub(root, "scope", "Restricted")
    _sub(root, "restriction", RESTRICTION)
    info = _sub(root, "info")
    _sub(info, "language", "en")
    _sub(info, "category", "Security")
    attack = alert.attack_type.replace("_", " ")
    target = target_label(alert.target_type)
    _sub(info, "event", f"Rise in {attack} events against {target} targets")
    _sub(info, "responseType", "Prepare" if raise_ else "Monitor")
    _sub(info, "urgency", "Expected" if raise_ else "Future")
    _sub(info, "severity", "Severe" if raise_ else "Moderate")
    _sub(info, "certainty", "Likely" if alert.level_shift else "Possible")
    _sub(info, "effective", cap_time(dt.datetime.combine(alert.week, dt.time(), dt.UTC)))
    _sub(info, "expires", cap_time(dt.datetime.combine(alert.suppressed_until, dt.time(), dt.UTC)
                                    + dt.timedelta(days=21)))
    _sub(info, "senderName", "Bastion aggregate early warning")
    _sub(info, "headline", f"{attack.capitalize()} against {target}: above expected ({alert.method})")
    obs = suppressed_label(suppress(alert.observed))
    cats = ", ".join(site_categories(alert.target_type)) or "other"
    _sub(info, "description",
         f"Week of {alert.week.isoformat()}: {obs} events observed against {alert.expected:.1f} expected per week "
         f"(threshold {alert.upper:.1f}) in the {alert.dataset.upper()} series for {region_name}. Site categories: "
         f"{cats}. {'A sustained level shift. ' if alert.level_shift else ''}"
         "Counts below 3 are shown as <3.")
    _sub(info, "instruction",
         f"Recommendation only: {'raise' if raise_ else 'keep'} the posture "
         f"{'to ' + alert.recommended_level if raise_ else 'at ' + alert.current_level} for these site categories, "
         "subject to approval by an authorised person.")
    params = {"method": alert.method, "expected_per_week": f"{alert.expected:.3f}", "upper": f"{alert.upper:.1f}",
              "observed": obs, "p_value": "" if alert.p_value is None else f"{alert.p_value:.2e}",
              "recommended_action": alert.recommended_action, "recommended_level": alert.recommended_level,
              "current_level": alert.current_level, "decision": alert.decision}
    for k, v in params.items():
        p = _sub(info, "parameter")
        _sub(p, "valueName", k)
        _sub(p, "value", v or "n/a")
    area = _sub(info, "area")
    _sub(area, "areaDesc", region_name)
    xml = '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")
    validate(xml)
    return xml
