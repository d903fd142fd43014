"""Stored rows -> wire dicts and CSV, with small-count suppression applied (every shared output goes here)."""

from __future__ import annotations

import csv
import io
from typing import Any

from bastion.algorithms.surveillance.disclosure import suppress
from bastion.algorithms.surveillance.disclosure import suppressed_label
from bastion.kernel.csvsafe import LINE_TERMINATOR
from bastion.kernel.csvsafe import cell
from bastion.warning.enums import site_categories
from bastion.warning.enums import target_label
from bastion.warning.models import WarningAlert
from bastion.warning.service import SeriesData


def _sup_evidence(ev: dict[str, Any]) -> dict[str, Any]:
    out = dict(ev)
    if isinstance(out.get("observed"), int):
        out["observed"] = suppress(out["observed"])
    if isinstance(out.get("peak_observed"), int):
        out["peak_observed"] = suppress(out["peak_observed"])
    if isinstance(out.get("recent_weeks"), list):
        out["recent_weeks"] = [[w, suppress(int(c))] for w, c in out["recent_weeks"]]
    return out


def alert_dict(a: WarningAlert) -> dict[str, Any]:
    return {
        "id": a.id, "region_id": a.region_id, "dataset": a.dataset, "attack_type": a.attack_type,
        "target_type": a.target_type, "target_label": target_label(a.target_type),
        "site_categories": list(site_categories(a.target_type)), "method": a.method, "week": a.week,
        "last_week": a.last_week, "alarm_weeks": len(a.alarm_weeks), "observed": suppress(a.observed),
        "expected": a.expected, "upper": a.upper, "p_value": a.p_value, "level_shift": a.level_shift,
        "suppressed_until": a.suppressed_until, "status": a.status, "current_level": a.current_level,
        "recommended_action": a.recommended_action, "recommended_level": a.recommended_level,
        "decision": a.decision, "evidence": _sup_evidence(a.evidence),
    }


def series_csv(data: SeriesData) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=LINE_TERMINATOR)
    w.writerow(["week", "dataset", "attack_type", "target_type", "events"])
    for wk, c in zip(data.weeks, data.events, strict=True):
        w.writerow([wk.isoformat(), cell(data.key[0]), cell(data.key[1]), data.key[2], suppressed_label(suppress(c))])
    return buf.getvalue()
