"""Tier of a site under each protection standard, from its category/kind, capacity and recorded facts."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from bastion.algorithms.risk.site import SiteProfile
from bastion.algorithms.risk.standards import Factor
from bastion.algorithms.risk.standards import Requirement
from bastion.algorithms.risk.standards import Standard
from bastion.kernel.errors import InvalidInput
from bastion.kernel.units import sqft_to_m2

log = logging.getLogger(__name__)

TIERED, NOT_IN_SCOPE, UNKNOWN = "tiered", "not_in_scope", "unknown"


@dataclass(frozen=True)
class TierResult:
    """The outcome for one site under one standard.

    ``status`` is ``tiered`` (``tier`` set), ``not_in_scope`` (the standard does not apply) or ``unknown``
    (a needed input such as capacity is missing; ``reasons`` says which). ``requirements`` are cumulative
    (the tier's and every lower tier's, plus any heightened level's), merged per measure.
    """

    standard_id: str
    status: str
    tier: str | None
    label: str
    reasons: tuple[str, ...]
    requirements: tuple[Requirement, ...]
    score: int | None = None
    heightened_level: str | None = None
    band_straddles: bool = False  # the capacity band's ends fall in different tiers: confirm on site


def merge_requirements(reqs: Iterable[Requirement]) -> tuple[Requirement, ...]:
    """One requirement per measure: numeric minima take the maximum, ``within_days`` the minimum, strings
    the later (higher-tier) value; clauses are joined so every source stays cited."""
    merged: dict[str, Requirement] = {}
    for r in reqs:
        old = merged.get(r.measure)
        if old is None:
            merged[r.measure] = r
            continue
        params: dict[str, Any] = dict(old.params)
        for k, v in r.params.items():
            if k not in params or isinstance(v, str):
                params[k] = v
            elif k == "within_days":
                params[k] = min(params[k], v)
            else:
                params[k] = max(params[k], v)
        clause = old.clause if r.clause in old.clause else f"{old.clause}; {r.clause}"
        note = "; ".join(n for n in (old.note, r.note) if n)
        merged[r.measure] = Requirement(r.measure, MappingProxyType(params), clause,
                                        old.assumption and r.assumption, note)
    return tuple(merged.values())


def required_for(standard: Standard, tier_id: str, *, heightened_level: str | None = None) -> tuple[Requirement, ...]:
    """Cumulative requirements of ``tier_id`` (and lower tiers), raised by ``heightened_level`` if given."""
    rank = standard.tier_rank(tier_id)
    reqs = [r for t in standard.tiers[: rank + 1] for r in t.requirements]
    if heightened_level is not None:
        ids = [h.id for h in standard.heightened_levels]
        standard.heightened(heightened_level)
        for h in standard.heightened_levels[: ids.index(heightened_level) + 1]:
            reqs.extend(h.requirements)
    return merge_requirements(reqs)


def _result(standard: Standard, status: str, tier: str | None, reasons: list[str], *, score: int | None = None,
            heightened_level: str | None = None) -> TierResult:
    if tier is None:
        label = "not in scope" if status == NOT_IN_SCOPE else "unknown"
        return TierResult(standard.id, status, None, label, tuple(reasons), (), score, None)
    if heightened_level is not None:
        reasons.append(f"heightened level {heightened_level}: {standard.heightened(heightened_level).clause}")
    return TierResult(standard.id, TIERED, tier, standard.tier(tier).label, tuple(reasons),
                      required_for(standard, tier, heightened_level=heightened_level), score, heightened_level)


def _capacity_bands(site: SiteProfile, std: Standard, hl: str | None) -> TierResult:
    reasons: list[str] = []
    cap = site.capacity
    if site.facts.get("is_event"):
        ev = std.event_rule
        if ev is None:
            return _result(std, NOT_IN_SCOPE, None, ["the standard has no event rule"])
        if cap is None:
            return _result(std, UNKNOWN, None, ["event capacity unknown: record expected attendance"])
        checks = bool(site.facts.get(ev.requires_fact)) if ev.requires_fact else True
        if cap >= ev.min_capacity and checks:
            return _result(std, TIERED, ev.tier, [f"qualifying event of {cap} people: {ev.clause}"],
                           heightened_level=hl)
        return _result(std, NOT_IN_SCOPE, None, [f"event of {cap} people (entry checks: {checks}) "
                                                 f"is not a qualifying event: {ev.clause}"])
    forced = site.facts.get("uk_qualifying_use")
    if std.qualifying_kinds is not None:
        if forced is False or (forced is None and site.kind not in std.qualifying_kinds):
            return _result(
                std, NOT_IN_SCOPE, None, [f"kind {site.kind!r} is not a qualifying use: {std.qualifying_clause}"]
            )
        reasons.append(f"qualifying use ({site.kind}): {std.qualifying_clause}")
    if cap is None:
        return _result(std, UNKNOWN, None, reasons + ["capacity unknown: record the expected number of people"])
    band = next((b for b in std.capacity_bands if b.min <= cap and (b.max is None or cap <= b.max)), None)
    if band is None:
        return _result(std, NOT_IN_SCOPE, None, reasons + [f"{cap} people is below {std.capacity_bands[0].min}: "
                                                           f"{std.capacity_bands[0].clause}"])
    tier = band.tier
    reasons.append(f"{cap} people: {band.clause}")
    for rule in std.overrides:
        if rule.matches(site.category, site.kind, cap):
            if rule.tier is not None and rule.tier != tier:
                tier = rule.tier
                reasons.append(f"override to {tier}: {rule.clause}")
            elif rule.max_tier is not None and std.tier_rank(tier) > std.tier_rank(rule.max_tier):
                tier = rule.max_tier
                reasons.append(f"capped at {tier}: {rule.clause}")
    return _result(std, TIERED, tier, reasons, heightened_level=hl)


def factor_score(site: SiteProfile, factor: Factor) -> tuple[int | None, str]:
    """Score (1-4) of one factor for a site and the reason; ``None`` when nothing gives a score."""
    value: Any
    if factor.input == "capacity":
        value = site.capacity
    else:
        value = site.facts.get(factor.input)
        if value is None and factor.input == "floor_area_sqft" and site.facts.get("floor_area_m2") is not None:
            value = float(site.facts["floor_area_m2"]) / sqft_to_m2(1.0)  # type: ignore[arg-type]
    if value is not None:
        if factor.bands:
            for b in factor.bands:
                if b.max is None or float(value) <= b.max:
                    return b.score, f"{factor.label} = {value}: score {b.score} ({factor.clause})"
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 4:
            msg = f"facts.{factor.input} must be a score 1-4 for {factor.label}, got {value!r}"
            raise InvalidInput(msg, field=f"facts.{factor.input}")
        return value, f"{factor.label}: recorded score {value} ({factor.clause})"
    if site.category in factor.default_by_category:
        s = factor.default_by_category[site.category]
        return s, f"{factor.label}: assumed {s} for category {site.category} (default; record the fact)"
    if factor.default_score is not None:
        return factor.default_score, f"{factor.label}: assumed {factor.default_score} (default; record the fact)"
    return None, f"{factor.label}: unknown (record {factor.input})"


def _factor_score(site: SiteProfile, std: Standard, hl: str | None) -> TierResult:
    total, reasons = 0, []
    for f in std.factors:
        s, why = factor_score(site, f)
        reasons.append(why)
        if s is None:
            return _result(std, UNKNOWN, None, reasons)
        total += s
    band = next((b for b in std.total_bands if b.min <= total <= b.max), None)
    if band is None:
        return _result(std, UNKNOWN, None, reasons + [f"total {total} is outside every band"], score=total)
    rank = std.tier_rank(band.tier)
    reasons.append(f"total {total}: {band.clause}")
    if std.adjustment_fact and site.facts.get(std.adjustment_fact):
        adj = site.facts[std.adjustment_fact]
        if adj not in (-1, 0, 1):
            msg = f"facts.{std.adjustment_fact} must be -1, 0 or +1 (levels), got {adj!r}"
            raise InvalidInput(msg, field=f"facts.{std.adjustment_fact}")
        rank = min(max(rank + int(adj), 0), len(std.tiers) - 1)
        reasons.append(f"intangible adjustment {int(adj):+d}: {std.adjustment_clause}")
    return _result(std, TIERED, std.tiers[rank].id, reasons, score=total, heightened_level=hl)


def _grade_rules(site: SiteProfile, std: Standard, hl: str | None) -> TierResult:
    if std.designation_fact and site.facts.get(std.designation_fact) is not None:
        g = site.facts[std.designation_fact]
        if g not in std.designation_map:
            msg = f"facts.{std.designation_fact} must be one of {sorted(std.designation_map)}, got {g!r}"
            raise InvalidInput(msg, field=f"facts.{std.designation_fact}")
        return _result(std, TIERED, std.designation_map[g], [f"designated grade {g}"], heightened_level=hl)  # type: ignore[index]
    for rule in std.rules:
        if rule.matches(site.category, site.kind, site.capacity) and rule.tier is not None:
            return _result(std, TIERED, rule.tier, [rule.clause + (" (assumption)" if rule.assumption else "")],
                           heightened_level=hl)
    if site.capacity is None:
        return _result(std, UNKNOWN, None, ["no rule matches without capacity: record the expected number of people"])
    return _result(std, NOT_IN_SCOPE, None, ["no grading rule matches and no designation is recorded"])


def tier_site(site: SiteProfile, standard: Standard, *, heightened_level: str | None = None) -> TierResult:
    """Tier of ``site`` under ``standard``; ``heightened_level`` (e.g. ``level_2``) raises requirements
    under standards that define heightened levels and is ignored (with a reason) by those that do not.

    When the site's capacity is an estimate with a band whose ends fall in different tiers, the result says
    so (``band_straddles`` and a reason such as "capacity band 199–850 people: ... confirm on site")."""
    result = _tier_site(site, standard, heightened_level=heightened_level)
    band = site.capacity_band
    if band is None or band[0] == band[1] or site.capacity is None or site.facts.get("is_event"):
        return result
    ends = [_tier_site(replace(site, capacity=c, capacity_band=None), standard, heightened_level=heightened_level)
            for c in band]
    if all((e.status, e.tier) == (result.status, result.tier) for e in ends):
        return result
    low, high = (e.tier or e.label for e in ends)
    why = f"capacity band {band[0]:,}–{band[1]:,} people spans {low} to {high}: confirm on site"
    return replace(result, reasons=(*result.reasons, why), band_straddles=True)


def _tier_site(site: SiteProfile, standard: Standard, *, heightened_level: str | None = None) -> TierResult:
    hl = heightened_level if heightened_level is not None and standard.heightened_levels else None
    if heightened_level is not None and hl is None:
        log.debug("standard %s has no heightened levels; ignoring %s", standard.id, heightened_level)
    if hl is not None:
        standard.heightened(hl)
    if standard.method == "capacity_bands":
        return _capacity_bands(site, standard, hl)
    if standard.method == "factor_score":
        return _factor_score(site, standard, hl)
    return _grade_rules(site, standard, hl)


def tier_all(site: SiteProfile, standards: Iterable[Standard], *,
             heightened_levels: Mapping[str, str] | None = None) -> tuple[TierResult, ...]:
    """The site's tier under every standard, side by side (``heightened_levels`` maps standard id -> level)."""
    hls = heightened_levels or {}
    return tuple(tier_site(site, s, heightened_level=hls.get(s.id)) for s in standards)
