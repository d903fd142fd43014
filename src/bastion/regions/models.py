"""SQLAlchemy 2 models. Geometries are stored as WKB (portable); bboxes as columns for spatial filters."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger
from sqlalchemy import Boolean
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import LargeBinary
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class Region(Base):
    """A jurisdiction (a city or country) that owns sites and roads."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    boundary_wkb: Mapped[bytes | None] = mapped_column(LargeBinary)
    boundary_source: Mapped[str | None] = mapped_column(String(200))
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    osm_file: Mapped[str | None] = mapped_column(String(300))
    osm_sha256: Mapped[str | None] = mapped_column(String(64))
    osm_timestamp: Mapped[str | None] = mapped_column(String(40))
    roads_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)



class RoadNode(Base):
    __tablename__ = "road_nodes"
    __table_args__ = (UniqueConstraint("region_id", "osm_id", name="uq_road_nodes_region_osm"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    osm_id: Mapped[int] = mapped_column(BigInteger)
    lon: Mapped[float] = mapped_column(Float)
    lat: Mapped[float] = mapped_column(Float)


class RoadEdge(Base):
    """A directed drivable road edge between two road nodes, with its full geometry (WKB LineString)."""

    __tablename__ = "road_edges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    u_osm_id: Mapped[int] = mapped_column(BigInteger)
    v_osm_id: Mapped[int] = mapped_column(BigInteger)
    way_id: Mapped[int] = mapped_column(BigInteger)
    highway: Mapped[str] = mapped_column(String(30))
    length_m: Mapped[float] = mapped_column(Float)
    speed_kph: Mapped[float] = mapped_column(Float)
    speed_tagged: Mapped[bool] = mapped_column(Boolean)
    oneway: Mapped[bool] = mapped_column(Boolean)
    # grade separation of the source way (bastion.algorithms.vehicle.grade.ROAD_GRADES): ground, tunnel, bridge,
    # covered, below, above. Rows stored before this column existed read "ground" until the next import.
    grade: Mapped[str] = mapped_column(String(10), default="ground", server_default="ground")
    geometry_wkb: Mapped[bytes] = mapped_column(LargeBinary)
