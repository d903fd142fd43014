"""Key-path aware validation helpers for the standards schema (errors name the path, the value and the fix)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bastion.kernel.errors import InvalidInput


class _P:
    """A key path inside the document, used to name where a value is wrong."""

    def __init__(self, path: str, where: str) -> None:
        self.path, self.where = path, where

    def __truediv__(self, key: str | int) -> _P:
        return _P(f"{self.path}[{key}]" if isinstance(key, int) else (f"{self.path}.{key}" if self.path else key),
                  self.where)

    def fail(self, value: object, fix: str) -> InvalidInput:
        return InvalidInput(f"{self.where}: {self.path or '<root>'} {fix}, got {value!r}", field=self.path)


def _get(d: Mapping[str, Any], key: str, p: _P, typ: type | tuple[type, ...], *, required: bool = True,
         default: Any = None) -> Any:
    if key not in d or d[key] is None:
        if required:
            raise (p / key).fail(None, f"is required ({_tname(typ)})")
        return default
    v = d[key]
    if isinstance(v, bool) and bool not in (typ if isinstance(typ, tuple) else (typ,)):
        raise (p / key).fail(v, f"must be {_tname(typ)}")
    if not isinstance(v, typ):
        raise (p / key).fail(v, f"must be {_tname(typ)}")
    return v


def _tname(typ: type | tuple[type, ...]) -> str:
    names = {"str": "a string", "int": "an integer", "list": "a list", "dict": "a mapping", "bool": "true/false",
             "float": "a number"}
    ts = typ if isinstance(typ, tuple) else (typ,)
    return " or ".join(names.get(t.__name__, t.__name__) for t in ts)


def _no_extra(d: Mapping[str, Any], allowed: set[str], p: _P) -> None:
    extra = sorted(set(d) - allowed)
    if extra:
        raise (p / extra[0]).fail(d[extra[0]], f"is not a known key here; allowed keys: {sorted(allowed)}")
