"""Risk and supervision tables: measures and facts recorded per site, region threat settings, stored
assessments, inspections, rectification tasks and their history.

Only properties of places are stored. An inspector is a user account id (when accounts exist) or the name of
an inspecting agency; owners of tasks are agencies. No names, contact details or footage anywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class RegionThreatSetting(Base):
    """The threat level a region is under: the UK national level and China's heightened protection level."""

    __tablename__ = "region_threat_settings"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency
    uk_threat_level: Mapped[str] = mapped_column(String(20), default="SUBSTANTIAL")
    cn_heightened_level: Mapped[str | None] = mapped_column(String(20))  # level_3 | level_2 | level_1 | None
    scoring_scale: Mapped[str] = mapped_column(String(4), default="uk")  # which level scales T: uk | cn
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RiskAssessment(Base):
    """The latest stored assessment of one site against one threat type."""

    __tablename__ = "risk_assessments"
    __table_args__ = (UniqueConstraint("site_id", "threat", name="uq_risk_assessments_site_threat"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    threat: Mapped[str] = mapped_column(String(30))
    threat_index: Mapped[float] = mapped_column(Float)
    vulnerability: Mapped[float] = mapped_column(Float)
    consequence: Mapped[float] = mapped_column(Float)
    risk: Mapped[float] = mapped_column(Float)
    likelihood_level: Mapped[int] = mapped_column(Integer)
    impact_level: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(20))
    threat_level: Mapped[str] = mapped_column(String(20))
    minute_of_week: Mapped[int | None] = mapped_column(Integer)
    standard_versions: Mapped[dict[str, Any]] = mapped_column(default=dict)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
