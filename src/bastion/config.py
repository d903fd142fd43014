"""Settings: environment variables prefixed BASTION_. Built by factories, never read at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "bastion"


class Settings(BaseSettings):
    """Runtime configuration. Every field can be set as BASTION_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="BASTION_", extra="ignore")

    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR,
        description="Directory for the embedded SQLite database, backups and exports.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL. Unset: sqlite:///<data_dir>/bastion.db. "
        "PostgreSQL: postgresql+psycopg://user:pass@host/db",
    )
    tile_url: str | None = Field(
        default=None,
        description="Optional XYZ base-map tile URL template, e.g. https://tile.example/{z}/{x}/{y}.png. "
        "Unset: the map draws the region's own roads from Bastion's data.",
    )
    tile_attribution: str = Field(default="© OpenStreetMap contributors")
    default_language: str = Field(default="en", description="UI language: en or zh-CN.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    @field_validator("default_language")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in ("en", "zh-CN"):
            raise ValueError("default_language must be 'en' or 'zh-CN'")
        return v

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'bastion.db'}"


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
