"""Response units (teams, never named people): posts, patrol cars, special units, fire engines."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class ResponseUnit(Base):
    """A response unit. Natural key of seeded units: (region, source='osm_station', source_ref='node/123')."""

    __tablename__ = "response_units"
    __table_args__ = (UniqueConstraint("region_id", "source", "source_ref", name="uq_response_units_source_ref"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")  # optimistic concurrency
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    unit_type: Mapped[str] = mapped_column(String(30))  # post | patrol_car | motorcycle | foot_post | ...
    name: Mapped[str] = mapped_column(String(200))  # "Patrol car 3" or the station's name, never a person
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    snap_osm_node: Mapped[int | None] = mapped_column(BigInteger)  # road node the base snaps to (None: too far)
    snap_distance_m: Mapped[float | None] = mapped_column(Float)
    availability: Mapped[list[Any] | None] = mapped_column()  # [[start_min, end_min], ...] of the week; None = 24/7
    standard_s: Mapped[int] = mapped_column(Integer)  # 60 | 180 | 300
    speed_profile: Mapped[str] = mapped_column(String(30))  # patrol_car | motorcycle | foot
    source: Mapped[str] = mapped_column(String(20))  # osm_station | user
    source_ref: Mapped[str | None] = mapped_column(String(60))  # "node/123" for seeded units
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
