"""Settings: environment variables prefixed BASTION_. Built by factories, never read at import time."""

from __future__ import annotations

import hashlib
from pathlib import Path

from pydantic import Field
from pydantic import ValidationInfo
from pydantic import field_validator
from pydantic_settings import BaseSettings
from pydantic_settings import SettingsConfigDict

from bastion.kernel.errors import InvalidInput

DEFAULT_DATA_DIR = Path.home() / ".local" / "share" / "bastion"
DEFAULT_SECRET_KEY = "insecure-development-key-change-me"
AUDIT_KEY_LABEL = b"bastion audit chain v1\x00"


def derive_audit_key(secret_key: str) -> bytes:
    """The audit chain's HMAC key when BASTION_AUDIT_KEY is unset: sha256(label + BASTION_SECRET_KEY)."""
    return hashlib.sha256(AUDIT_KEY_LABEL + secret_key.encode()).digest()


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
    routing_cache_dir: Path | None = Field(
        default=None,
        description="Directory where routing graphs and their hierarchies are kept, keyed by the road network's "
        "content hash, the speed profile and the routing code's version; shared by API workers, job workers and "
        "the CLI. Unset: <data_dir>/routing-cache. Safe to delete (rebuilt on demand).",
    )
    tile_url: str | None = Field(
        default=None,
        description="Optional XYZ base-map tile URL template, e.g. https://tile.example/{z}/{x}/{y}.png. "
        "Unset: the map draws the region's own roads from Bastion's data.",
    )
    tile_attribution: str = Field(default="© OpenStreetMap contributors")
    tile_labels_url: str | None = Field(
        default=None,
        description="Optional XYZ tile URL template of a transparent labels overlay (place and street names drawn "
        "over the base map, e.g. https://tile.example/labels/{z}/{x}/{y}.png), switched on and off in the page's "
        "Layers box; its host is added to the CSP's img-src. Unset: no overlay (the page names the sites on the "
        "map itself from zoom 16).",
    )
    default_language: str = Field(default="en", description="UI language: en or zh-CN.")
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    # --- access control and hardening (docs/security.md) ---
    env: str = Field(default="development", description="development or production. Production refuses to start "
                     "without a strong BASTION_SECRET_KEY and sends cookies with the Secure flag.")
    secret_key: str = Field(default=DEFAULT_SECRET_KEY, description="Key for hashing session and API tokens "
                            "(HMAC-SHA256). Changing it signs everyone out. At least 32 characters in production.")
    audit_key: str | None = Field(default=None, min_length=16, max_length=500, description="HMAC-SHA256 key of "
                                  "the audit chain; it is never stored in the database. Unset: derived from "
                                  "BASTION_SECRET_KEY (then changing the secret key breaks `bastion audit verify`: "
                                  "set this to keep the chain's key when rotating the secret).")
    session_ttl_s: int = Field(default=12 * 3600, ge=60, le=30 * 86400, description="Web session lifetime, s.")
    token_ttl_days: int = Field(default=90, ge=1, le=3650, description="Default API token lifetime, days.")
    login_max_failures: int = Field(default=5, ge=1, le=100,
                                    description="Failed passwords for one account from one client address within "
                                    "BASTION_LOCKOUT_S that lock that account for that address (other addresses "
                                    "are not locked out: a stranger cannot lock the owner out).")
    lockout_s: int = Field(default=900, ge=1, le=7 * 86400, description="How long a locked account stays locked, s.")
    login_account_failures_per_hour: int = Field(
        default=50, ge=1, le=100_000,
        description="Failed passwords for one account from all addresses in an hour; above it, only addresses that "
        "signed in to the account before (in the last 30 days) may still try (slows distributed guessing).")
    require_if_match: bool = Field(
        default=False, description="Refuse (428) a write to a versioned record that names no version (If-Match "
        "header or `version` in the body). Off: such a write applies to the version read in the same transaction.")
    login_rate_per_minute: int = Field(default=20, ge=1, le=10_000,
                                       description="Login attempts allowed per client address per minute.")
    max_body_bytes: int = Field(default=2_000_000, ge=1024, description="Largest accepted request body, bytes.")
    cookie_secure: bool | None = Field(default=None, description="Secure flag on cookies; unset: on in production.")
    trusted_proxies: str = Field(
        default="", max_length=2000,
        description="Comma-separated addresses or CIDR networks of reverse proxies whose X-Forwarded-For is believed "
        "(e.g. 127.0.0.1 when nginx runs on the same host). Empty: X-Forwarded-For is ignored.")

    # --- background jobs (docs/jobs.md) ---
    job_workers: int = Field(default=2, ge=0, le=64, description="Job worker threads `bastion serve` runs in "
                             "process (0: none; then run `bastion worker`).")
    job_heartbeat_s: float = Field(default=5.0, gt=0, le=600, description="How often a worker marks its running "
                                   "jobs alive, s.")
    job_stale_s: float = Field(default=60.0, gt=0, le=86400, description="A running job whose heartbeat is older "
                               "than this is marked interrupted (its worker stopped), s.")
    job_retention_days: float = Field(
        default=30.0, ge=0, le=3650,
        description="Finished jobs (succeeded, failed, cancelled, interrupted) older than this, counted from when they "
        "finished, are deleted with their files by the job workers (hourly) or `bastion jobs purge`, days; queued "
        "and running jobs are never deleted. 0: keep every job.")

    @field_validator("default_language")
    @classmethod
    def _lang(cls, v: str) -> str:
        if v not in ("en", "zh-CN"):
            raise ValueError("default_language must be 'en' or 'zh-CN'")
        return v

    @field_validator("tile_url", "tile_labels_url")
    @classmethod
    def _tiles(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None or not v.strip():
            return None
        v = v.strip()
        name = f"BASTION_{str(info.field_name).upper()}"
        if not v.startswith(("https://", "http://")) or any(k not in v for k in ("{z}", "{x}", "{y}")):
            raise ValueError(f"{name} must be an http(s) URL template with {{z}}, {{x}} and {{y}}, got {v!r}")
        return v

    @field_validator("env")
    @classmethod
    def _env(cls, v: str) -> str:
        if v not in ("development", "production"):
            raise ValueError("env must be 'development' or 'production'")
        return v

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.production if self.cookie_secure is None else self.cookie_secure

    def check_production(self) -> None:
        """Refuse to run in production with the default or a weak secret key."""
        if self.production and (self.secret_key == DEFAULT_SECRET_KEY or len(self.secret_key) < 32):
            raise InvalidInput("BASTION_ENV=production needs BASTION_SECRET_KEY set to a random value of at least "
                               "32 characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`",
                               field="secret_key")

    def audit_secret(self) -> bytes:
        """The key the audit chain is sealed with (BASTION_AUDIT_KEY, or derived from BASTION_SECRET_KEY)."""
        return self.audit_key.encode() if self.audit_key else derive_audit_key(self.secret_key)

    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'bastion.db'}"


def get_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (used by tests and the CLI)."""
    return Settings(**overrides)  # type: ignore[arg-type]
