"""The domain registry: the one list a new domain is added to.

Adding a domain = a folder `bastion/<name>/` with a `manifest.py`, one line below, and a migration. The app factory
registers the routers, the CLI the commands, the web shell the scripts and translations, all from the manifests.
"""

from __future__ import annotations

import importlib
from functools import cache

from bastion.kernel.domain import DomainSpec

DOMAINS: tuple[str, ...] = (
    "access",
    "regions",
    "sites",
    "imports",
    "units",
    "coverage",
    "patrol",
    "vehicle",
    "risk",
    "supervision",
    "reports",
    "warning",
    "incidents",
    "preparedness",
    "jobs",
    "office",
    "posture",
    "batch",
)


@cache
def specs() -> tuple[DomainSpec, ...]:
    """Every registered domain's manifest, in registry order."""
    out = []
    for name in DOMAINS:
        spec = importlib.import_module(f"bastion.{name}.manifest").SPEC
        if not isinstance(spec, DomainSpec) or spec.name != name:
            raise RuntimeError(f"bastion.{name}.manifest.SPEC must be a DomainSpec named {name!r}")
        out.append(spec)
    return tuple(out)
