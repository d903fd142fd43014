"""Who answers for each site: the operator agency, the supervising sector agency and the lead office.

Rules match on region (jurisdiction), category and tier (``"<standard>:<tier>"``); ``None`` matches anything.
The most specific matching rule wins (one point each for region, category and tier); equal specificity is
settled by the lowest rule id, and reported as a conflict when the agencies differ. A per-site exception beats
every rule. The operator defaults to the site's own ``operator_agency_id`` when no rule or exception names one.
"""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput

ROLES = ("operator", "supervising", "lead")


@dataclass(frozen=True)
class SiteKey:
    site_id: int
    region_id: int
    category: str
    tiers: frozenset[str]  # "<standard_id>:<tier>" for every standard the site is tiered under
    operator_agency_id: int | None = None


@dataclass(frozen=True)
class ResponsibilityRule:
    rule_id: int
    role: str
    agency_id: int
    region_id: int | None = None
    category: str | None = None
    tier: str | None = None

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidInput(f"role must be one of {list(ROLES)}, got {self.role!r}", field="role")

    @property
    def specificity(self) -> int:
        return (self.region_id is not None) + (self.category is not None) + (self.tier is not None)

    def matches(self, site: SiteKey) -> bool:
        return ((self.region_id is None or self.region_id == site.region_id)
                and (self.category is None or self.category == site.category)
                and (self.tier is None or self.tier in site.tiers))


@dataclass(frozen=True)
class SiteException:
    site_id: int
    role: str
    agency_id: int


@dataclass(frozen=True)
class Assignment:
    agency_id: int
    source: str  # "exception" | "rule:<id>" | "site"


@dataclass(frozen=True)
class Resolution:
    assignments: Mapping[int, Mapping[str, Assignment]]  # site id -> role -> assignment (roles with no one: absent)
    conflicts: tuple[tuple[int, str, tuple[int, ...]], ...]  # (site, role, rule ids of equal specificity)


def resolve(sites: Sequence[SiteKey], rules: Iterable[ResponsibilityRule],
            exceptions: Iterable[SiteException] = ()) -> Resolution:
    """Assign every role of every site (see the module docstring for precedence)."""
    ordered = sorted(rules, key=lambda r: (-r.specificity, r.rule_id))
    by_role: dict[str, list[ResponsibilityRule]] = {role: [r for r in ordered if r.role == role] for role in ROLES}
    exc: dict[tuple[int, str], int] = {(e.site_id, e.role): e.agency_id for e in exceptions}
    out: dict[int, dict[str, Assignment]] = {}
    conflicts: list[tuple[int, str, tuple[int, ...]]] = []
    # sites alike in what rules read (region, category, tiers) share the rule outcome
    memo: dict[tuple[int, str, frozenset[str]], dict[str, tuple[Assignment, tuple[int, ...] | None]]] = {}
    for site in sites:
        key = (site.region_id, site.category, site.tiers)
        by_rule = memo.get(key)
        if by_rule is None:
            by_rule = memo[key] = {}
            for role in ROLES:
                best: ResponsibilityRule | None = None
                tied: list[ResponsibilityRule] = []
                for r in by_role[role]:
                    if best is not None and r.specificity < best.specificity:
                        break
                    if r.matches(site):
                        if best is None:
                            best = r
                        tied.append(r)
                if best is not None:
                    clash = tuple(r.rule_id for r in tied) if len({r.agency_id for r in tied}) > 1 else None
                    by_rule[role] = (Assignment(best.agency_id, f"rule:{best.rule_id}"), clash)
        roles: dict[str, Assignment] = {}
        for role in ROLES:
            if (site.site_id, role) in exc:
                roles[role] = Assignment(exc[site.site_id, role], "exception")
            elif role in by_rule:
                roles[role], clash = by_rule[role]
                if clash is not None:
                    conflicts.append((site.site_id, role, clash))
            elif role == "operator" and site.operator_agency_id is not None:
                roles[role] = Assignment(site.operator_agency_id, "site")
        out[site.site_id] = roles
    return Resolution(out, tuple(conflicts))
