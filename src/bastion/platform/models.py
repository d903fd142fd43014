"""Every domain's tables on the one metadata (for migrations and the schema test)."""

from __future__ import annotations

import importlib
import importlib.util

from sqlalchemy import MetaData

from bastion.kernel.db.base import Base
from bastion.platform.registry import DOMAINS


def load_all() -> MetaData:
    """Import each registered domain's `models` module (if it has one) and return the shared metadata."""
    for name in DOMAINS:
        if importlib.util.find_spec(f"bastion.{name}.models") is not None:
            importlib.import_module(f"bastion.{name}.models")
    return Base.metadata
