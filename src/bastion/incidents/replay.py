"""Replay: the incident's state after each timeline entry, rebuilt from the entries alone (casualty counts,
severity, major-incident state, units and their positions, cordon), for the map's replay and for checking that the
timeline tells the whole story (its last frame equals the stored state)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field
from typing import Any

from bastion.incidents.models import TimelineEntry


@dataclass(frozen=True)
class Frame:
    seq: int
    at: dt.datetime
    kind: str
    text: str
    casualties: dict[str, int]
    severity: str | None
    major_incident: str | None
    units: dict[int, dict[str, Any]] = field(default_factory=dict)  # unit id -> {call_sign, status, lon, lat}
    cordon: dict[str, Any] | None = None  # {inner_m, outer_m, active}


def frames(entries: Sequence[TimelineEntry]) -> list[Frame]:
    casualties: dict[str, int] = {}
    severity: str | None = None
    major: str | None = None
    units: dict[int, dict[str, Any]] = {}
    cordon: dict[str, Any] | None = None
    out = []
    for e in entries:
        d = e.details or {}
        if e.kind == "created":
            casualties = dict(d.get("casualties", {}))
            severity, major = d.get("severity", severity), d.get("major_incident", major)
        elif e.kind == "updated":
            ch = d.get("changes", {})
            if "casualties" in ch:
                casualties = dict(ch["casualties"]["to"])
            severity = ch.get("severity", {}).get("to", severity)
            major = ch.get("major_incident", {}).get("to", major)
        elif e.kind == "unit_status" and "unit_id" in d:
            units[int(d["unit_id"])] = {"call_sign": d.get("call_sign"), "status": d.get("to"), "lon": d.get("lon"),
                                        "lat": d.get("lat")}
        elif e.kind == "cordon":
            cordon = {"inner_m": d.get("inner_m"), "outer_m": d.get("outer_m"), "active": d.get("active", True)}
        out.append(Frame(e.seq, e.at, e.kind, e.text, dict(casualties), severity, major,
                         {k: dict(v) for k, v in units.items()}, None if cordon is None else dict(cordon)))
    return out
