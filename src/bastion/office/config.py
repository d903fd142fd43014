"""The office's own settings (environment variables BASTION_OFFICE_*), built by a factory, never at import."""

from __future__ import annotations

from collections.abc import Container
from datetime import date
from functools import lru_cache

import holidays as holidays_lib
from pydantic import Field
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from bastion.kernel.errors import InvalidInput


class OfficeSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BASTION_OFFICE_", extra="ignore")

    timezone: str = Field(default="Europe/London", description="Local time zone of deadlines and business days.")
    holiday_region: str = Field(default="GB-ENG", description="Public holidays: country[-subdivision] of the "
                                "`holidays` package (GB-ENG, CN, US-NY, MC, ...).")
    smtp_host: str = Field(default="127.0.0.1", description="SMTP relay for e-mail notifications.")
    smtp_port: int = Field(default=25, description="SMTP port.")
    smtp_from: str = Field(default="bastion@localhost", description="Sender of notifications (a duty mailbox).")
    tick_s: float = Field(default=20.0, description="Seconds between periodic checks (posture expiry, "
                          "escalation ladders, deliveries); at most 30.")
    ticker: bool = Field(default=True, description="Run the periodic check inside the web server.")
    posture_pack: str | None = Field(default=None, description="Path of the posture rule pack (YAML); unset: the "
                                     "bundled example pack (public sources only).")


def settings() -> OfficeSettings:
    return OfficeSettings()


@lru_cache(maxsize=32)
def holiday_calendar(region: str, first_year: int, last_year: int) -> Container[date]:
    """Public holidays of ``region`` ("GB-ENG", "CN", "US-NY", "MC") for the years given."""
    country, _, subdiv = region.partition("-")
    try:
        return holidays_lib.country_holidays(country, subdiv=subdiv or None, years=range(first_year, last_year + 1))
    except NotImplementedError:
        raise InvalidInput(f"holiday_region {region!r} is not known to the holidays package; use e.g. GB-ENG, CN, "
                           "US-NY, MC", field="holiday_region") from None
