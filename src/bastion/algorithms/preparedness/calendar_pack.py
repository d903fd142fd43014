"""Exercise-calendar rule packs: the frequency rules as data (a YAML document, like posture's rule packs).

A pack is ``{id, version, rules: [...]}``; each rule holds ``id, standard_id, tiers, period, min_count`` and
optionally ``types`` (default: the operations-based types), ``label``; it must cite its ``source``, and
``assumption: true`` marks a frequency chosen by the pack's author rather than stated by the source. Every
error names the rule and the field (``rules[uk_enhanced_annual].period``); unknown keys are refused, so a typo
cannot silently drop a requirement.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bastion.algorithms.preparedness.calendar import EXERCISE_TYPES
from bastion.algorithms.preparedness.calendar import OPERATIONS_TYPES
from bastion.algorithms.preparedness.calendar import PERIODS
from bastion.algorithms.preparedness.calendar import CalendarRule
from bastion.kernel.errors import InvalidInput

RULE_KEYS = frozenset({"id", "standard_id", "tiers", "period", "min_count", "types", "label", "source",
                       "assumption"})
PACK_KEYS = frozenset({"id", "version", "rules"})
MAX_RULES = 200


@dataclass(frozen=True)
class CalendarPack:
    id: str
    version: str
    rules: tuple[CalendarRule, ...]


def _text(d: Mapping[str, Any], key: str, where: str, *, required: bool = True, max_len: int = 500) -> str:
    v = d.get(key)
    if v is None or (isinstance(v, str) and not v.strip()):
        if required:
            raise InvalidInput(f"{where}.{key} is required", field=f"{where}.{key}")
        return ""
    if not isinstance(v, str | int | float) or isinstance(v, bool) or len(str(v)) > max_len:
        raise InvalidInput(f"{where}.{key} must be text of at most {max_len} characters, got {v!r}",
                           field=f"{where}.{key}")
    return str(v).strip()


def _names(d: Mapping[str, Any], key: str, where: str, default: tuple[str, ...] | None = None) -> tuple[str, ...]:
    v = d.get(key)
    if v is None and default is not None:
        return default
    if not isinstance(v, list) or not v or not all(isinstance(x, str) and x for x in v):
        raise InvalidInput(f"{where}.{key} must be a non-empty list of names, got {v!r}", field=f"{where}.{key}")
    return tuple(v)


def parse_rule(r: object, i: int) -> CalendarRule:
    where = f"rules[{i}]"
    if not isinstance(r, Mapping):
        raise InvalidInput(f"{where} must be a mapping", field=where)
    rid = _text(r, "id", where, max_len=80)
    where = f"rules[{rid}]"
    unknown = sorted(set(r) - RULE_KEYS)
    if unknown:
        raise InvalidInput(f"{where}: unknown keys {unknown}; a rule holds {sorted(RULE_KEYS)}",
                           field=f"{where}.{unknown[0]}")
    period = _text(r, "period", where)
    if period not in PERIODS:
        raise InvalidInput(f"{where}.period must be one of {list(PERIODS)}, got {period!r}", field=f"{where}.period")
    n = r.get("min_count")
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= 52:
        raise InvalidInput(f"{where}.min_count must be a whole number from 1 to 52, got {n!r}",
                           field=f"{where}.min_count")
    types = _names(r, "types", where, OPERATIONS_TYPES)
    bad = [t for t in types if t not in EXERCISE_TYPES]
    if bad:
        raise InvalidInput(f"{where}.types has {bad}; exercise types are {list(EXERCISE_TYPES)}",
                           field=f"{where}.types")
    assumption = r.get("assumption", False)
    if not isinstance(assumption, bool):
        raise InvalidInput(f"{where}.assumption must be true or false, got {assumption!r}",
                           field=f"{where}.assumption")
    return CalendarRule(rid, _text(r, "standard_id", where, max_len=80), _names(r, "tiers", where), period, n,
                        types, _text(r, "label", where, required=False), _text(r, "source", where), assumption)


def parse_pack(doc: object) -> CalendarPack:
    """Validate a loaded YAML/JSON document; every message names the rule and field."""
    if not isinstance(doc, Mapping):
        raise InvalidInput("a calendar rule pack must be a mapping with id, version and rules", field="pack")
    unknown = sorted(set(doc) - PACK_KEYS)
    if unknown:
        raise InvalidInput(f"pack: unknown keys {unknown}; a pack holds {sorted(PACK_KEYS)}",
                           field=f"pack.{unknown[0]}")
    pid = _text(doc, "id", "pack", max_len=100)
    version = _text(doc, "version", "pack", required=False, max_len=40) or "1"
    rules_in = doc.get("rules")
    if not isinstance(rules_in, list) or not rules_in:
        raise InvalidInput("pack.rules must be a non-empty list of rules", field="pack.rules")
    if len(rules_in) > MAX_RULES:
        raise InvalidInput(f"pack.rules holds at most {MAX_RULES} rules, got {len(rules_in)}", field="pack.rules")
    rules = []
    seen: set[str] = set()
    for i, r in enumerate(rules_in):
        rule = parse_rule(r, i)
        if rule.id in seen:
            raise InvalidInput(f"rules[{rule.id}]: duplicate rule id", field=f"rules[{rule.id}].id")
        seen.add(rule.id)
        rules.append(rule)
    return CalendarPack(pid, version, tuple(rules))


def pack_document(pack: CalendarPack) -> dict[str, Any]:
    """The pack as plain data (what a region stores; parse_pack(pack_document(p)) == p)."""
    return {"id": pack.id, "version": pack.version, "rules": [
        {"id": r.id, "standard_id": r.standard_id, "tiers": list(r.tiers), "period": r.period,
         "min_count": r.min_count, "types": list(r.types), "label": r.label, "source": r.source,
         "assumption": r.assumption} for r in pack.rules]}
