"""The job kinds a process can run: filled from the domain manifests (``DomainSpec.jobs``) by the platform."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from bastion.kernel.domain import DomainSpec
from bastion.kernel.errors import NotFound
from bastion.kernel.jobs import JobKind

_KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> None:
    known = _KINDS.get(kind.name)
    if known is not None and known is not kind:
        raise RuntimeError(f"two job kinds are named {kind.name!r}")
    _KINDS[kind.name] = kind


def load(domain_specs: Iterable[DomainSpec]) -> dict[str, JobKind]:
    """Import every manifest's job modules and register their kinds; returns every kind by name."""
    for spec in domain_specs:
        for target in spec.jobs:
            module, _, attr = target.partition(":")
            for kind in getattr(importlib.import_module(module), attr or "KINDS"):
                register(kind)
    return dict(_KINDS)


def get(name: str) -> JobKind:
    kind = _KINDS.get(name)
    if kind is None:
        raise NotFound(f"job kind {name!r} is not known to this process")
    return kind


def names() -> list[str]:
    return sorted(_KINDS)
