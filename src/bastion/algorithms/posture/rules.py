"""Rule packs (YAML) -> required measures and temporary tasks per site, recomputed as boolean matrices.

A rule applies to a site when the posture gate holds (scheme + minimum level, or a minimum response rank for any
scheme) and the site matches its categories and tiers. Kinds: ``measure`` (a required measure, standing while
the level holds), ``task`` (a temporary task due ``deadline_h`` hours after the change), ``hvm`` (a temporary
vehicle-barrier task for sites whose barrier is rated below the computed impact speed), ``patrol`` (extra teams
or hours for the patrol game). Every rule cites its ``source``; ``assumption: true`` marks editable guesses.
Measure titles are need-to-know (TLP:AMBER): never put them in public or low-label outputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from bastion.algorithms.posture.levels import SCHEMES
from bastion.algorithms.posture.levels import scheme
from bastion.kernel.errors import InvalidInput

KINDS = ("measure", "task", "hvm", "patrol")
CATEGORIES_4 = ("people", "physical", "technical", "procedural")  # 人防 / 物防 / 技防 / 制度防


@dataclass(frozen=True)
class PostureRule:
    rule_id: str
    kind: str
    title: str
    category: str
    source: str
    assumption: bool
    scheme: str | None  # None: gate on min_rank over any scheme
    min_level: str | None
    min_rank: int
    site_categories: frozenset[str]
    tiers: frozenset[str]
    deadline_h: float | None
    staff_hours_per_day: float
    extra_teams: int

    def gate(self, levels: Mapping[str, str]) -> bool:
        """Does the posture ``levels`` (scheme -> level) switch this rule on?"""
        if self.scheme is not None:
            lvl = levels.get(self.scheme)
            return lvl is not None and self.min_level is not None and \
                SCHEMES[self.scheme].index(lvl) >= SCHEMES[self.scheme].index(self.min_level)
        return max((SCHEMES[s].rank(lvl) for s, lvl in levels.items()), default=0) >= self.min_rank


@dataclass(frozen=True)
class RulePack:
    pack_id: str
    version: str
    rules: tuple[PostureRule, ...]


def _req(d: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise InvalidInput(f"{where}: {key} is required", field=f"{where}.{key}")
    return d[key]


def parse_pack(doc: Any) -> RulePack:
    """Validate a loaded YAML document; messages name the rule and field."""
    if not isinstance(doc, dict):
        raise InvalidInput("rule pack must be a mapping with id, version and rules", field="pack")
    pack_id = str(_req(doc, "id", "pack"))
    rules_in = _req(doc, "rules", "pack")
    if not isinstance(rules_in, list):
        raise InvalidInput("pack.rules must be a list", field="pack.rules")
    out: list[PostureRule] = []
    seen: set[str] = set()
    for i, r in enumerate(rules_in):
        where = f"rules[{i}]"
        if not isinstance(r, dict):
            raise InvalidInput(f"{where} must be a mapping", field=where)
        rid = str(_req(r, "id", where))
        where = f"rules[{rid}]"
        if rid in seen:
            raise InvalidInput(f"{where}: duplicate rule id", field=f"{where}.id")
        seen.add(rid)
        kind = str(_req(r, "kind", where))
        if kind not in KINDS:
            raise InvalidInput(f"{where}: kind must be one of {list(KINDS)}, got {kind!r}", field=f"{where}.kind")
        cat = str(r.get("category", "procedural"))
        if cat not in CATEGORIES_4:
            raise InvalidInput(f"{where}: category must be one of {list(CATEGORIES_4)}, got {cat!r}",
                               field=f"{where}.category")
        when = _req(r, "when", where)
        sch, lvl, mr = None, None, 0
        if "scheme" in when:
            sch = scheme(str(when["scheme"])).code
            lvl = str(_req(when, "min_level", f"{where}.when"))
            SCHEMES[sch].index(lvl)
        else:
            mr = int(_req(when, "min_rank", f"{where}.when"))
            if not 0 <= mr <= 3:
                raise InvalidInput(f"{where}.when.min_rank must be 0..3, got {mr}", field=f"{where}.when.min_rank")
        dl = r.get("deadline_h")
        if kind in ("task", "hvm") and (not isinstance(dl, (int, float)) or not 0 < dl <= 720):
            raise InvalidInput(f"{where}: deadline_h (hours, 0 < h <= 720) is required for {kind} rules, got {dl!r}",
                               field=f"{where}.deadline_h")
        sh = float(r.get("staff_hours_per_day", 0))
        et = int(r.get("extra_teams", 0))
        if sh < 0 or et < 0:
            raise InvalidInput(f"{where}: staff_hours_per_day and extra_teams must be >= 0", field=where)
        out.append(PostureRule(rid, kind, str(_req(r, "title", where)), cat, str(_req(r, "source", where)),
                               bool(r.get("assumption", False)), sch, lvl, mr,
                               frozenset(r.get("site_categories", ()) or ()), frozenset(r.get("tiers", ()) or ()),
                               float(dl) if isinstance(dl, (int, float)) else None, sh, et))
    return RulePack(pack_id, str(doc.get("version", "1")), tuple(out))


@dataclass(frozen=True)
class SiteTable:
    """Sites as columns for vectorised matching: ids, categories, tier sets and HVM gaps."""

    site_ids: npt.NDArray[np.int64]
    categories: tuple[str, ...]
    tiers: tuple[frozenset[str], ...]
    hvm_gap: npt.NDArray[np.bool_]


def site_table(site_ids: Sequence[int], categories: Sequence[str], tiers: Sequence[frozenset[str]],
               hvm_gap: Sequence[bool]) -> SiteTable:
    n = len(site_ids)
    if not len(categories) == len(tiers) == len(hvm_gap) == n:
        raise InvalidInput("site_ids, categories, tiers and hvm_gap must have the same length", field="sites")
    return SiteTable(np.asarray(site_ids, dtype=np.int64), tuple(categories), tuple(tiers),
                     np.asarray(hvm_gap, dtype=bool))


def applicability(table: SiteTable, rules: Sequence[PostureRule]) -> npt.NDArray[np.bool_]:
    """sites x rules: does the rule apply to the site whatever the level (categories, tiers, HVM gap)."""
    n = len(table.categories)
    cats = np.asarray(table.categories, dtype=object)
    out = np.zeros((n, len(rules)), dtype=bool)
    tier_cache: dict[frozenset[str], npt.NDArray[np.bool_]] = {}
    for j, r in enumerate(rules):
        col = np.isin(cats, list(r.site_categories)) if r.site_categories else np.ones(n, dtype=bool)
        if r.tiers:
            if r.tiers not in tier_cache:
                tier_cache[r.tiers] = np.fromiter((bool(r.tiers & t) for t in table.tiers), dtype=bool, count=n)
            col &= tier_cache[r.tiers]
        if r.kind == "hvm":
            col &= table.hvm_gap
        out[:, j] = col
    return out


def gates(rules: Sequence[PostureRule], levels: Mapping[str, str]) -> npt.NDArray[np.bool_]:
    return np.fromiter((r.gate(levels) for r in rules), dtype=bool, count=len(rules))


@dataclass(frozen=True)
class PostureDiff:
    """(site index, rule index) pairs switched on and off by a change of levels."""

    added: npt.NDArray[np.int64]  # shape (k, 2)
    removed: npt.NDArray[np.int64]

    def as_sets(self, table: SiteTable, rules: Sequence[PostureRule]
                ) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
        def conv(a: npt.NDArray[np.int64]) -> set[tuple[int, str]]:
            return {(int(table.site_ids[i]), rules[j].rule_id) for i, j in a}
        return conv(self.added), conv(self.removed)


def diff(app: npt.NDArray[np.bool_], before: Mapping[str, str], after: Mapping[str, str],
         rules: Sequence[PostureRule]) -> PostureDiff:
    """Only rules whose gate flips can change anything: columns of ``app`` for those rules."""
    g0, g1 = gates(rules, before), gates(rules, after)
    on, off = np.flatnonzero(g1 & ~g0), np.flatnonzero(g0 & ~g1)

    def pairs(cols: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        if cols.size == 0:
            return np.zeros((0, 2), dtype=np.int64)
        sub = app[:, cols]
        i, k = np.nonzero(sub)
        return np.column_stack([i, cols[k]]).astype(np.int64)

    return PostureDiff(pairs(on), pairs(off))


def required(app: npt.NDArray[np.bool_], levels: Mapping[str, str], rules: Sequence[PostureRule]
             ) -> npt.NDArray[np.bool_]:
    """sites x rules in force at ``levels``."""
    return app & gates(rules, levels)[None, :]
