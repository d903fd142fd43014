"""Hostile-vehicle tables: OSM street barriers per region, and stored vehicle assessments with their approaches.

An assessment is one site x one vehicle class x one scenario (wrong_way = one-way rules ignored); its
approaches are the worst path into each entry point, fastest first. Paths are WKB LineStrings (lon/lat).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class OsmBarrier(Base):
    """An OSM barrier=bollard|block|jersey_barrier. OSM records no crash rating: always unrated."""

    __tablename__ = "osm_barriers"
    __table_args__ = (UniqueConstraint("region_id", "osm_type", "osm_id", name="uq_osm_barriers_natural_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    osm_type: Mapped[str] = mapped_column(String(10))  # node | way
    osm_id: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(30))  # bollard | block | jersey_barrier
    geom_type: Mapped[str] = mapped_column(String(20))
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)
    tags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    osm_version: Mapped[int | None] = mapped_column(Integer)
    content_hash: Mapped[str] = mapped_column(String(64))


class VehicleAssessment(Base):
    """One site, one vehicle class, one scenario. Natural key: (site, vehicle, wrong_way)."""

    __tablename__ = "vehicle_assessments"
    __table_args__ = (
        UniqueConstraint("site_id", "vehicle", "wrong_way", name="uq_vehicle_assessments_key"),
        Index("ix_vehicle_assessments_region_vehicle", "region_id", "vehicle", "wrong_way"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    vehicle: Mapped[str] = mapped_column(String(30))  # car | pickup | van | medium_truck | hgv
    wrong_way: Mapped[bool] = mapped_column(Boolean)  # one-way restrictions ignored (attacker drives the wrong way)
    status: Mapped[str] = mapped_column(String(30))  # ok | no_road_access
    entry_points: Mapped[int] = mapped_column(Integer)
    worst_speed_kph: Mapped[float | None] = mapped_column(Float)
    gaps: Mapped[int] = mapped_column(Integer)  # approaches with no barrier meeting their need
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)  # every assumption used, with units
    result_hash: Mapped[str] = mapped_column(String(64))
    runtime_s: Mapped[float] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    approaches: Mapped[list[VehicleApproach]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True,
        order_by="VehicleApproach.rank",
    )


class VehicleApproach(Base):
    """The worst approach into one entry point of an assessed site."""

    __tablename__ = "vehicle_approaches"
    __table_args__ = (UniqueConstraint("assessment_id", "rank", name="uq_vehicle_approaches_rank"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("vehicle_assessments.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(Integer)  # 0 = fastest
    entry_lon: Mapped[float] = mapped_column(Float)
    entry_lat: Mapped[float] = mapped_column(Float)
    way_id: Mapped[int] = mapped_column(BigInteger)  # OSM way the vehicle arrives on
    wrong_way: Mapped[bool] = mapped_column(Boolean)  # this path drives against a one-way somewhere
    speed_kph: Mapped[float] = mapped_column(Float)  # central impact speed
    speed_low_kph: Mapped[float] = mapped_column(Float)
    speed_high_kph: Mapped[float] = mapped_column(Float)
    kinetic_energy_kj: Mapped[float] = mapped_column(Float)
    run_up_m: Mapped[float] = mapped_column(Float)
    path_length_m: Mapped[float] = mapped_column(Float)
    limited_by: Mapped[str] = mapped_column(String(20))  # run_up | bend | top_speed
    limiting_radius_m: Mapped[float | None] = mapped_column(Float)
    limiting_lon: Mapped[float | None] = mapped_column(Float)
    limiting_lat: Mapped[float | None] = mapped_column(Float)
    path_wkb: Mapped[bytes] = mapped_column(LargeBinary)
    bends: Mapped[list[Any]] = mapped_column(default=list)  # [[station_m, radius_m], ...] of the central profile
    needs: Mapped[list[Any]] = mapped_column(default=list)  # per standard: label, coverable, test speed, ...
    barriers: Mapped[list[Any]] = mapped_column(default=list)  # barriers at this entry and whether they meet it
    status: Mapped[str] = mapped_column(String(20))  # protected | gap | not_coverable
    min_detection_m: Mapped[float | None] = mapped_column(Float)  # active barrier: detect at least this far out

    assessment: Mapped[VehicleAssessment] = relationship(back_populates="approaches")
