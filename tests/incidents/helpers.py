"""Shared helpers for the incident tests (Monaco)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm import sessionmaker

from bastion.incidents import service as svc

NOW = dt.datetime(2026, 11, 30, 14, 5, tzinfo=dt.UTC)
ACTOR = svc.Actor("test:dispatcher", None)
CASINO = (7.4286, 43.7393)  # Place du Casino, Monte-Carlo


def open_incident(sf: sessionmaker[Session], **kw: Any) -> Any:
    spec: dict[str, Any] = dict(region="Monaco", incident_type="marauding_firearms", severity="severe",
                                title="Shots heard near the casino", lon=CASINO[0], lat=CASINO[1],
                                casualties={"immediate": 2, "urgent": 1})
    spec.update(kw)
    return svc.create_incident(sf, svc.IncidentSpec(**spec), actor=ACTOR, now=kw.pop("now", NOW))
