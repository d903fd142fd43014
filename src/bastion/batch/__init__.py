"""Batch runs over many regions on Dask distributed (the facade other domains and the platform may import).

Loaded on first use (PEP 562): the platform reads ``bastion.batch.manifest`` for every command, and that must not
import the batch service.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING
from typing import Any

if TYPE_CHECKING:
    from bastion.batch.enums import STEPS
    from bastion.batch.service import BatchReport
    from bastion.batch.service import ClusterOptions
    from bastion.batch.service import RegionFile
    from bastion.batch.service import RegionResult
    from bastion.batch.service import parse_region_files
    from bastion.batch.service import parse_steps
    from bastion.batch.service import run_batch

__all__ = ["STEPS", "BatchReport", "ClusterOptions", "RegionFile", "RegionResult", "parse_region_files", "parse_steps",
           "run_batch"]


def __getattr__(name: str) -> Any:
    if name == "STEPS":
        return importlib.import_module("bastion.batch.enums").STEPS
    if name in __all__:
        return getattr(importlib.import_module("bastion.batch.service"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
