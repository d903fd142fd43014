"""Lead-office tables: responsibility rules and per-site exceptions, duties, supervision campaigns, escalation
steps fired, notifications and their receipts, agency endpoints and per-account preferences.

Owners are agencies, never persons. An account id appears only as the author of a write or as a preference
holder; notification addresses are agency endpoints (a duty mailbox or a webhook), not personal contacts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Date
from sqlalchemy import Float
from sqlalchemy import ForeignKey
from sqlalchemy import Index
from sqlalchemy import Integer
from sqlalchemy import String
from sqlalchemy import Text
from sqlalchemy import UniqueConstraint
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from bastion.kernel.db.base import Base
from bastion.kernel.db.base import utcnow


class ResponsibilityRule(Base):
    """role (operator | supervising | lead) -> agency, for sites matching region / category / tier (null = any)."""

    __tablename__ = "office_rules"
    __table_args__ = (UniqueConstraint("natural_key", name="uq_office_rules_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    natural_key: Mapped[str] = mapped_column(String(300))  # role|region|category|tier
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"))
    category: Mapped[str | None] = mapped_column(String(40))
    tier: Mapped[str | None] = mapped_column(String(80))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SiteResponsibility(Base):
    """A per-site exception: this site's role is held by this agency whatever the rules say."""

    __tablename__ = "office_site_exceptions"
    __table_args__ = (UniqueConstraint("site_id", "role", name="uq_office_site_exceptions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="RESTRICT"))
    reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Duty(Base):
    """One duty of one site for one period: natural key (site, code, period) makes generation idempotent."""

    __tablename__ = "office_duties"
    __table_args__ = (UniqueConstraint("site_id", "code", "period", name="uq_office_duties_key"),
                      Index("ix_office_duties_agency_period", "agency_id", "period"),
                      Index("ix_office_duties_agency_due", "agency_id", "due_on"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(80))
    period: Mapped[str] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(Integer)
    due_on: Mapped[dt.date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(300))
    evidence: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="open")  # open | done | withdrawn (posture dropped)
    done_at: Mapped[dt.datetime | None] = mapped_column()
    evidence_given: Mapped[str | None] = mapped_column(String(500))  # what closed it: a record reference or count
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Campaign(Base):
    """A supervision campaign (督导检查): one inspection per site in scope, assigned to the supervising agency."""

    __tablename__ = "office_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    categories: Mapped[list[Any]] = mapped_column(default=list)
    tiers: Mapped[list[Any]] = mapped_column(default=list)
    checklist: Mapped[list[Any]] = mapped_column(default=list)  # measures to check; empty = every tier requirement
    deadline_days: Mapped[int] = mapped_column(Integer)
    clock: Mapped[str] = mapped_column(String(20))  # calendar | business
    holiday_region: Mapped[str] = mapped_column(String(20))  # holidays package country[/subdivision]
    deadline: Mapped[dt.datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20), default="active")
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CampaignSite(Base):
    __tablename__ = "office_campaign_sites"
    __table_args__ = (UniqueConstraint("campaign_id", "site_id", name="uq_office_campaign_sites"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("office_campaigns.id", ondelete="CASCADE"), index=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    inspection_id: Mapped[int | None] = mapped_column(Integer)
    supervising_agency_id: Mapped[int | None] = mapped_column(Integer)


class EscalationStep(Base):
    """An escalation ladder step fired for a task (rectification task or duty): never fired twice."""

    __tablename__ = "office_escalations"
    __table_args__ = (UniqueConstraint("task_kind", "task_id", "level", name="uq_office_escalations"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_kind: Mapped[str] = mapped_column(String(20))  # rectification | duty
    task_id: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    target: Mapped[str] = mapped_column(String(20))
    agency_id: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[dt.datetime] = mapped_column()
    fired_at: Mapped[dt.datetime] = mapped_column()


class Notification(Base):
    """One message to one agency on one channel, with its delivery receipt."""

    __tablename__ = "office_notifications"
    __table_args__ = (Index("ix_office_notifications_agency", "agency_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    event: Mapped[str] = mapped_column(String(60))  # what triggered it: escalation:<kind>:<id>:<level>, digest, ...
    agency_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(20))  # inpage | email | webhook
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    tlp: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending | sent | failed | read
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    receipt: Mapped[str | None] = mapped_column(String(300))  # SMTP reply / HTTP status of the delivery
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column()
    claimed_at: Mapped[dt.datetime | None] = mapped_column()  # being sent since (notify.deliver_pending)


class Endpoint(Base):
    """Where an agency receives messages: a duty mailbox or a webhook URL (never a person's contact)."""

    __tablename__ = "office_endpoints"
    __table_args__ = (UniqueConstraint("agency_id", "channel", name="uq_office_endpoints"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300))


class Preference(Base):
    """Per-account choices: which channels to use for the account's agency and whether to get the daily digest."""

    __tablename__ = "office_preferences"

    account_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    channels: Mapped[list[Any]] = mapped_column(default=list)
    digest: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class RegionLevel(Base):
    """A posture level in force in a region for one scheme, published by the posture domain when a declaration is
    approved (withdrawn when it ends). Office reads it without importing posture: posture sits above office.
    ``previous_level`` is what the region falls back to once ``expires_at`` has passed (even before the periodic
    check has ended the declaration)."""

    __tablename__ = "office_region_levels"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    scheme: Mapped[str] = mapped_column(String(10), primary_key=True)  # uk | cn | ntas
    level: Mapped[str] = mapped_column(String(20))
    previous_level: Mapped[str] = mapped_column(String(20))
    expires_at: Mapped[dt.datetime | None] = mapped_column()
    declaration_id: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SiteCoverage(Base):
    """The coverage domain's result for one site, stored when the office refreshes a region: the fastest response
    unit's travel time (None: no unit reaches it or the site is off the road graph). Scorecards read this."""

    __tablename__ = "office_site_coverage"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), index=True)
    time_s: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LadderSetting(Base):
    """A jurisdiction's escalation ladder, edited from the page, API or CLI; no row = the default ladder."""

    __tablename__ = "office_ladders"

    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id", ondelete="CASCADE"), primary_key=True)
    spec: Mapped[str] = mapped_column(String(300))  # e.g. -24h:owner,2bd:supervising,5bd:lead
    updated_by: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class EscalationDue(Base):
    """The next ladder step of one open task and when it falls due: the periodic check reads only the rows due
    (index on ``next_due_at``) instead of scanning every open task. A row leaves when the task closes or its last
    step fires; changing a region's ladder recomputes the region's rows."""

    __tablename__ = "office_escalation_due"
    __table_args__ = (Index("ix_office_escalation_due_next", "next_due_at"),
                      Index("ix_office_escalation_due_region", "region_id"))

    task_kind: Mapped[str] = mapped_column(String(20), primary_key=True)  # rectification | duty
    task_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    region_id: Mapped[int] = mapped_column(Integer)
    site_id: Mapped[int] = mapped_column(Integer)
    owner_agency_id: Mapped[int | None] = mapped_column(Integer)
    deadline: Mapped[dt.datetime] = mapped_column()
    fired_level: Mapped[int] = mapped_column(Integer)  # highest ladder level fired so far (0: none)
    next_due_at: Mapped[dt.datetime] = mapped_column()


class EscalationMark(Base):
    """How far the periodic check has enrolled tasks: the last task id seen per kind, and the latest rectification
    update seen (a changed deadline or a reopened task is re-read), and per region the ladder the due rows were
    computed with."""

    __tablename__ = "office_escalation_marks"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)  # rectification | duty | ladder:<region id>
    last_id: Mapped[int] = mapped_column(Integer, default=0)
    last_at: Mapped[dt.datetime | None] = mapped_column()
    spec: Mapped[str | None] = mapped_column(String(400))  # ladder:<region>: the ladder, zone and holidays used
