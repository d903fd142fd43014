"""Protection standards as data: parse and validate a plain dict into frozen dataclasses.

The YAML files under ``bastion/standards/`` (and user-added files) are read by
``bastion.risk.standards_files`` and handed here as plain dicts. Every error names the key path
(``tiers[1].requirements[0].measure``), the bad value and the fix. The schema is documented in
docs/models/standards.md.

Three methods of tiering are supported:
- ``capacity_bands``: tier from expected simultaneous attendance, with qualifying kinds, per-kind
  overrides (e.g. UK PPA 2025 places of worship always standard tier) and an event rule.
- ``factor_score``: factors scored 1-4 and summed, totals banded into levels (US ISC FSL).
- ``grade_rules``: first matching rule on kind/category/capacity gives a grade; a designation recorded as a
  fact overrides it; heightened protection levels add requirements (key-target grading).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType
from typing import Any

from bastion.algorithms.risk._schema import _P
from bastion.algorithms.risk._schema import _get
from bastion.algorithms.risk._schema import _no_extra
from bastion.algorithms.risk.measures import CATALOGUE
from bastion.algorithms.risk.site import CATEGORIES
from bastion.algorithms.risk.site import KIND_TO_CATEGORY
from bastion.algorithms.risk.site import KNOWN_FACTS
from bastion.kernel.errors import InvalidInput

SCHEMA_VERSION = 1
METHODS = ("capacity_bands", "factor_score", "grade_rules")


@dataclass(frozen=True)
class Requirement:
    """A measure a tier requires; ``params`` are minima (numbers), exact values (strings) or
    ``within_days`` (the latest dated occurrence must be at most that many days old)."""

    measure: str
    params: Mapping[str, Any]
    clause: str
    assumption: bool = False
    note: str = ""


@dataclass(frozen=True)
class Tier:
    id: str
    label: str
    clause: str
    requirements: tuple[Requirement, ...]


@dataclass(frozen=True)
class CapacityBand:
    min: int
    max: int | None
    tier: str
    clause: str
    assumption: bool = False


@dataclass(frozen=True)
class KindRule:
    """Matches a site by kind and/or category and capacity; sets ``tier`` or caps at ``max_tier``."""

    kinds: frozenset[str]
    categories: frozenset[str]
    min_capacity: int | None
    tier: str | None
    max_tier: str | None
    clause: str
    assumption: bool = False
    note: str = ""

    def matches(self, category: str, kind: str, capacity: int | None) -> bool:
        if self.kinds or self.categories:
            if kind not in self.kinds and category not in self.categories:
                return False
        if self.min_capacity is not None and (capacity is None or capacity < self.min_capacity):
            return False
        return True


@dataclass(frozen=True)
class EventRule:
    min_capacity: int
    requires_fact: str | None
    tier: str
    clause: str


@dataclass(frozen=True)
class ScoreBand:
    max: float | None  # inclusive upper bound of the input; None = no upper bound
    score: int


@dataclass(frozen=True)
class Factor:
    id: str
    label: str
    clause: str
    input: str  # "capacity" or a fact name
    bands: tuple[ScoreBand, ...]  # empty: the fact value itself is the score
    default_by_category: Mapping[str, int]
    default_score: int | None
    assumption: bool = False


@dataclass(frozen=True)
class TotalBand:
    min: int
    max: int
    tier: str
    clause: str


@dataclass(frozen=True)
class HeightenedLevel:
    id: str
    label: str
    clause: str
    requirements: tuple[Requirement, ...]
    assumption: bool = False


@dataclass(frozen=True)
class Standard:
    id: str
    name: str
    version: str
    jurisdiction: str
    source: str
    method: str
    tiers: tuple[Tier, ...]  # lowest to highest; requirements accumulate upwards
    capacity_bands: tuple[CapacityBand, ...] = ()
    qualifying_kinds: frozenset[str] | None = None
    qualifying_clause: str = ""
    overrides: tuple[KindRule, ...] = ()
    event_rule: EventRule | None = None
    factors: tuple[Factor, ...] = ()
    total_bands: tuple[TotalBand, ...] = ()
    adjustment_fact: str | None = None
    adjustment_clause: str = ""
    rules: tuple[KindRule, ...] = ()
    designation_fact: str | None = None
    designation_map: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))
    heightened_levels: tuple[HeightenedLevel, ...] = ()

    def tier(self, tier_id: str) -> Tier:
        for t in self.tiers:
            if t.id == tier_id:
                return t
        msg = f"tier must be one of {[t.id for t in self.tiers]} for standard {self.id!r}, got {tier_id!r}"
        raise InvalidInput(msg, field="tier")

    def tier_rank(self, tier_id: str) -> int:
        self.tier(tier_id)
        return [t.id for t in self.tiers].index(tier_id)

    def heightened(self, level_id: str) -> HeightenedLevel:
        for h in self.heightened_levels:
            if h.id == level_id:
                return h
        msg = (
            f"heightened level must be one of {[h.id for h in self.heightened_levels]} for standard "
            f"{self.id!r}, got {level_id!r}"
        )
        raise InvalidInput(msg, field="heightened_level")


def _kinds(v: Any, p: _P) -> frozenset[str]:
    if not isinstance(v, list) or not all(isinstance(k, str) for k in v):
        raise p.fail(v, "must be a list of site kinds")
    for i, k in enumerate(v):
        if k not in KIND_TO_CATEGORY:
            raise (p / i).fail(k, f"must be a known site kind ({sorted(KIND_TO_CATEGORY)})")
    return frozenset(v)


def _categories(v: Any, p: _P) -> frozenset[str]:
    if not isinstance(v, list):
        raise p.fail(v, "must be a list of site categories")
    for i, c in enumerate(v):
        if c not in CATEGORIES:
            raise (p / i).fail(c, f"must be a known site category ({sorted(CATEGORIES)})")
    return frozenset(v)


def _requirement(d: Any, p: _P) -> Requirement:
    if not isinstance(d, dict):
        raise p.fail(d, "must be a mapping with measure, clause and optional params/assumption/note")
    _no_extra(d, {"measure", "params", "clause", "assumption", "note"}, p)
    measure = _get(d, "measure", p, str)
    if measure not in CATALOGUE:
        raise (p / "measure").fail(measure, f"must be a catalogue measure ({sorted(CATALOGUE)})")
    params = _get(d, "params", p, dict, required=False, default={})
    allowed = set(CATALOGUE[measure].params) | {"within_days"}
    for k, v in params.items():
        if k not in allowed:
            raise (p / "params" / k).fail(v, f"is not a parameter of {measure}; allowed: {sorted(allowed)}")
        if isinstance(v, bool) or not isinstance(v, (int, float, str)):
            raise (p / "params" / k).fail(v, "must be a number (minimum) or a string (exact value)")
    return Requirement(measure, MappingProxyType(dict(params)), _get(d, "clause", p, str),
                       _get(d, "assumption", p, bool, required=False, default=False),
                       _get(d, "note", p, str, required=False, default=""))


def _requirements(v: Any, p: _P) -> tuple[Requirement, ...]:
    if v is None:
        return ()
    if not isinstance(v, list):
        raise p.fail(v, "must be a list of requirements")
    return tuple(_requirement(r, p / i) for i, r in enumerate(v))


def _list(d: Mapping[str, Any], key: str, p: _P, *, required: bool = False) -> list[Any]:
    v = _get(d, key, p, list, required=required, default=[])
    return list(v)


def _rule(d: Any, p: _P, tier_ids: list[str]) -> KindRule:
    if not isinstance(d, dict):
        raise p.fail(d, "must be a mapping")
    _no_extra(d, {"kinds", "categories", "min_capacity", "tier", "max_tier", "clause", "assumption", "note"}, p)
    tier = _get(d, "tier", p, str, required=False)
    max_tier = _get(d, "max_tier", p, str, required=False)
    if (tier is None) == (max_tier is None):
        raise p.fail(d, "must set exactly one of tier or max_tier")
    for key, t in (("tier", tier), ("max_tier", max_tier)):
        if t is not None and t not in tier_ids:
            raise (p / key).fail(t, f"must be one of the standard's tiers {tier_ids}")
    return KindRule(
        _kinds(d["kinds"], p / "kinds") if "kinds" in d else frozenset(),
        _categories(d["categories"], p / "categories") if "categories" in d else frozenset(),
        _get(d, "min_capacity", p, int, required=False), tier, max_tier, _get(d, "clause", p, str),
        _get(d, "assumption", p, bool, required=False, default=False),
        _get(d, "note", p, str, required=False, default=""),
    )


def _fact_name(v: str, p: _P) -> str:
    if v not in KNOWN_FACTS:
        raise p.fail(v, f"must be a known site fact ({sorted(KNOWN_FACTS)})")
    return v


def _factor(d: Any, p: _P) -> Factor:
    if not isinstance(d, dict):
        raise p.fail(d, "must be a mapping")
    _no_extra(d, {"id", "label", "clause", "input", "bands", "default_by_category", "default_score",
                  "assumption"}, p)
    inp = _get(d, "input", p, str)
    if inp != "capacity":
        _fact_name(inp, p / "input")
    bands: list[ScoreBand] = []
    for i, b in enumerate(_list(d, "bands", p)):
        bp = p / "bands" / i
        if not isinstance(b, dict):
            raise bp.fail(b, "must be a mapping {max, score}")
        _no_extra(b, {"max", "score"}, bp)
        mx = _get(b, "max", bp, (int, float), required=False)
        score = _get(b, "score", bp, int)
        if bands and (bands[-1].max is None or (mx is not None and mx <= bands[-1].max)):
            raise (bp / "max").fail(mx, "must increase from band to band, with only the last band open (no max)")
        bands.append(ScoreBand(mx, score))
    if bands and bands[-1].max is not None:
        raise (p / "bands" / (len(bands) - 1) / "max").fail(bands[-1].max, "must be omitted on the last band")
    dbc = _get(d, "default_by_category", p, dict, required=False, default={})
    for c, s in dbc.items():
        if c not in CATEGORIES:
            raise (p / "default_by_category" / c).fail(c, f"must be a site category ({sorted(CATEGORIES)})")
        if isinstance(s, bool) or not isinstance(s, int) or not 1 <= s <= 4:
            raise (p / "default_by_category" / c).fail(s, "must be a score 1-4")
    return Factor(_get(d, "id", p, str), _get(d, "label", p, str), _get(d, "clause", p, str), inp, tuple(bands),
                  MappingProxyType(dict(dbc)), _get(d, "default_score", p, int, required=False),
                  _get(d, "assumption", p, bool, required=False, default=False))


def _tiers(doc: Mapping[str, Any], p: _P) -> tuple[Tier, ...]:
    tiers: list[Tier] = []
    for i, t in enumerate(_list(doc, "tiers", p, required=True)):
        tp = p / "tiers" / i
        if not isinstance(t, dict):
            raise tp.fail(t, "must be a mapping {id, label, clause, requirements}")
        _no_extra(t, {"id", "label", "clause", "requirements"}, tp)
        tiers.append(Tier(_get(t, "id", tp, str), _get(t, "label", tp, str), _get(t, "clause", tp, str),
                          _requirements(t.get("requirements"), tp / "requirements")))
    if not tiers:
        raise (p / "tiers").fail([], "must list at least one tier, lowest first")
    tier_ids = [t.id for t in tiers]
    if len(set(tier_ids)) != len(tier_ids):
        raise (p / "tiers").fail(tier_ids, "must have unique ids")
    return tuple(tiers)


def _tier_ref(v: Any, q: _P, tier_ids: list[str]) -> str:
    if v not in tier_ids:
        raise q.fail(v, f"must be one of the standard's tiers {tier_ids}")
    return str(v)


def _capacity_bands(doc: Mapping[str, Any], p: _P, tier_ids: list[str]) -> tuple[CapacityBand, ...]:
    bands: list[CapacityBand] = []
    for i, b in enumerate(_list(doc, "capacity_bands", p)):
        bp = p / "capacity_bands" / i
        if not isinstance(b, dict):
            raise bp.fail(b, "must be a mapping {min, max, tier, clause}")
        _no_extra(b, {"min", "max", "tier", "clause", "assumption"}, bp)
        lo, hi = _get(b, "min", bp, int), _get(b, "max", bp, int, required=False)
        if hi is not None and hi < lo:
            raise (bp / "max").fail(hi, f"must be >= min ({lo})")
        if bands and (bands[-1].max is None or lo != bands[-1].max + 1):
            raise (bp / "min").fail(lo, "must start right after the previous band's max (bands are contiguous)")
        bands.append(CapacityBand(lo, hi, _tier_ref(_get(b, "tier", bp, str), bp / "tier", tier_ids),
                                  _get(b, "clause", bp, str),
                                  _get(b, "assumption", bp, bool, required=False, default=False)))
    return tuple(bands)


def _event_rule(doc: Mapping[str, Any], p: _P, tier_ids: list[str]) -> EventRule | None:
    if "event_rule" not in doc:
        return None
    ep = p / "event_rule"
    e = _get(doc, "event_rule", p, dict)
    _no_extra(e, {"min_capacity", "requires_fact", "tier", "clause"}, ep)
    rf = _get(e, "requires_fact", ep, str, required=False)
    return EventRule(_get(e, "min_capacity", ep, int),
                     _fact_name(rf, ep / "requires_fact") if rf else None,
                     _tier_ref(_get(e, "tier", ep, str), ep / "tier", tier_ids), _get(e, "clause", ep, str))


def _total_bands(doc: Mapping[str, Any], p: _P, tier_ids: list[str]) -> tuple[TotalBand, ...]:
    totals: list[TotalBand] = []
    for i, b in enumerate(_list(doc, "total_bands", p)):
        bp = p / "total_bands" / i
        if not isinstance(b, dict):
            raise bp.fail(b, "must be a mapping {min, max, tier, clause}")
        _no_extra(b, {"min", "max", "tier", "clause"}, bp)
        lo, hi = _get(b, "min", bp, int), _get(b, "max", bp, int)
        if hi < lo or (totals and lo != totals[-1].max + 1):
            raise bp.fail([lo, hi], "must be contiguous inclusive ranges in increasing order")
        totals.append(TotalBand(lo, hi, _tier_ref(_get(b, "tier", bp, str), bp / "tier", tier_ids),
                                _get(b, "clause", bp, str)))
    return tuple(totals)


def _designation(doc: Mapping[str, Any], p: _P, tier_ids: list[str]) -> tuple[str | None, dict[int, str]]:
    if "designation" not in doc:
        return None, {}
    dp = p / "designation"
    d = _get(doc, "designation", p, dict)
    _no_extra(d, {"fact", "map", "clause"}, dp)
    des_fact = _fact_name(_get(d, "fact", dp, str), dp / "fact")
    m = _get(d, "map", dp, dict)
    return des_fact, {int(k): _tier_ref(v, dp / "map" / str(k), tier_ids) for k, v in m.items()}


def _heightened_levels(doc: Mapping[str, Any], p: _P) -> tuple[HeightenedLevel, ...]:
    levels: list[HeightenedLevel] = []
    for i, h in enumerate(_list(doc, "heightened_levels", p)):
        hp = p / "heightened_levels" / i
        if not isinstance(h, dict):
            raise hp.fail(h, "must be a mapping {id, label, clause, requirements}")
        _no_extra(h, {"id", "label", "clause", "requirements", "assumption"}, hp)
        levels.append(HeightenedLevel(_get(h, "id", hp, str), _get(h, "label", hp, str), _get(h, "clause", hp, str),
                                      _requirements(h.get("requirements"), hp / "requirements"),
                                      _get(h, "assumption", hp, bool, required=False, default=False)))
    return tuple(levels)


def parse_standard(doc: Mapping[str, Any], *, where: str = "standard") -> Standard:
    """Validate a standards document (a plain dict, e.g. from YAML) and return a frozen ``Standard``.

    ``where`` names the document (a file name) in error messages.
    """
    p = _P("", where)
    if not isinstance(doc, Mapping):
        raise p.fail(type(doc).__name__, "must be a mapping at the top level")
    _no_extra(doc, {"schema_version", "id", "name", "version", "jurisdiction", "source", "method", "tiers",
                    "capacity_bands", "qualifying", "overrides", "event_rule", "factors", "total_bands",
                    "adjustment", "rules", "designation", "heightened_levels", "notes"}, p)
    sv = _get(doc, "schema_version", p, int)
    if sv != SCHEMA_VERSION:
        raise (p / "schema_version").fail(sv, f"must be {SCHEMA_VERSION} (the only schema this version reads)")
    method = _get(doc, "method", p, str)
    if method not in METHODS:
        raise (p / "method").fail(method, f"must be one of {list(METHODS)}")
    tiers = _tiers(doc, p)
    tier_ids = [t.id for t in tiers]
    bands = _capacity_bands(doc, p, tier_ids)
    qualifying = None
    qclause = ""
    if "qualifying" in doc:
        qp = p / "qualifying"
        q = _get(doc, "qualifying", p, dict)
        _no_extra(q, {"kinds", "clause", "assumption", "note"}, qp)
        qualifying = _kinds(q.get("kinds"), qp / "kinds")
        qclause = _get(q, "clause", qp, str)
    overrides = tuple(_rule(r, p / "overrides" / i, tier_ids) for i, r in enumerate(_list(doc, "overrides", p)))
    event_rule = _event_rule(doc, p, tier_ids)
    factors = tuple(_factor(f, p / "factors" / i) for i, f in enumerate(_list(doc, "factors", p)))
    totals = _total_bands(doc, p, tier_ids)
    adj_fact, adj_clause = None, ""
    if "adjustment" in doc:
        ap = p / "adjustment"
        a = _get(doc, "adjustment", p, dict)
        _no_extra(a, {"fact", "clause"}, ap)
        adj_fact = _fact_name(_get(a, "fact", ap, str), ap / "fact")
        adj_clause = _get(a, "clause", ap, str)
    rules = tuple(_rule(r, p / "rules" / i, tier_ids) for i, r in enumerate(_list(doc, "rules", p)))
    des_fact, des_map = _designation(doc, p, tier_ids)
    levels = _heightened_levels(doc, p)
    # method-specific completeness
    if method == "capacity_bands" and not bands:
        raise (p / "capacity_bands").fail([], "must list at least one band for method capacity_bands")
    if method == "factor_score" and (not factors or not totals):
        raise (p / ("factors" if not factors else "total_bands")).fail([], "is required for method factor_score")
    if method == "grade_rules" and not rules and des_fact is None:
        raise (p / "rules").fail([], "must list rules (or a designation) for method grade_rules")
    return Standard(
        id=_get(doc, "id", p, str), name=_get(doc, "name", p, str), version=str(_get(doc, "version", p, (str, int))),
        jurisdiction=_get(doc, "jurisdiction", p, str), source=_get(doc, "source", p, str), method=method,
        tiers=tiers, capacity_bands=bands, qualifying_kinds=qualifying, qualifying_clause=qclause,
        overrides=overrides, event_rule=event_rule, factors=factors, total_bands=totals,
        adjustment_fact=adj_fact, adjustment_clause=adj_clause, rules=rules, designation_fact=des_fact,
        designation_map=MappingProxyType(des_map), heightened_levels=levels,
    )
