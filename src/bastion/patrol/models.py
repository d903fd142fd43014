"""Patrol plans: a stored randomized patrol strategy and the daily schedules sampled from it.

Teams are numbered ("Team 1"), never named people. Times are seconds after the shift start.
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
from sqlalchemy import String
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class PatrolPlan(Base):
    __tablename__ = "patrol_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    teams: Mapped[int] = mapped_column(Integer)
    shift_start: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    shift_end: Mapped[str] = mapped_column(String(5))
    days: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)  # 63 random bits (secrets) unless given
    parameters: Mapped[dict[str, Any]] = mapped_column(default=dict)  # every option, defaults included
    depot_lon: Mapped[float] = mapped_column(Float)
    depot_lat: Mapped[float] = mapped_column(Float)
    n_sites: Mapped[int] = mapped_column(Integer)
    n_targets: Mapped[int] = mapped_column(Integer)  # site x time slot (x weekday solved)
    solver_status: Mapped[str] = mapped_column(String(40))
    objective: Mapped[float] = mapped_column(Float)  # worst (lowest) defender utility over the solved slots, people
    attacker_utility: Mapped[float] = mapped_column(Float)  # attacker's best expected gain, people
    gap: Mapped[float] = mapped_column(Float)
    runtime_s: Mapped[float] = mapped_column(Float)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    schedules: Mapped[list[PatrolSchedule]] = relationship(
        back_populates="plan", cascade="all, delete-orphan", passive_deletes=True,
        order_by="(PatrolSchedule.day, PatrolSchedule.team)",
    )


class PatrolSchedule(Base):
    """One team's day: its stops (``PatrolStop``) and its road path (lon/lat pairs, depot legs included)."""

    __tablename__ = "patrol_schedules"
    __table_args__ = (UniqueConstraint("plan_id", "day", "team", name="uq_patrol_schedules_plan_day_team"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("patrol_plans.id", ondelete="CASCADE"), index=True)
    day: Mapped[int] = mapped_column(Integer)  # 1..days
    team: Mapped[int] = mapped_column(Integer)  # 1..teams
    path: Mapped[list[Any]] = mapped_column(default=list)  # [[lon, lat], ...] per sortie: list of lines

    plan: Mapped[PatrolPlan] = relationship(back_populates="schedules")
    stops: Mapped[list[PatrolStop]] = relationship(
        back_populates="schedule", cascade="all, delete-orphan", passive_deletes=True, order_by="PatrolStop.seq"
    )


class PatrolStop(Base):
    __tablename__ = "patrol_stops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("patrol_schedules.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1.. in visiting order
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    slot: Mapped[int] = mapped_column(Integer)  # sortie / time slot index, 0-based
    arrival_s: Mapped[float] = mapped_column(Float)  # seconds after shift start
    departure_s: Mapped[float] = mapped_column(Float)
    extra: Mapped[bool] = mapped_column(Boolean, default=False)  # a visit by a team the sampled plan left idle

    schedule: Mapped[PatrolSchedule] = relationship(back_populates="stops")


class PatrolCoverage(Base):
    """Probability that a target (site x slot on a weekday) is patrolled under the plan's strategy."""

    __tablename__ = "patrol_coverage"
    __table_args__ = (Index("ix_patrol_coverage_plan_weekday", "plan_id", "weekday"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("patrol_plans.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)  # 0 = Monday
    slot: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    coverage: Mapped[float] = mapped_column(Float)
    consequence: Mapped[float] = mapped_column(Float)  # people
