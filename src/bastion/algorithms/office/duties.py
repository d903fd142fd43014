"""Duties for a period: what, who, by when and what evidence closes it.

A duty template applies to sites by category and tier and from a posture rank upwards; it names the role that
owes it (operator / supervising / lead) and a cadence. One duty per (site, template, period): the natural key
makes generating a period twice create nothing new (Duly's idempotent dispatch). ``standing`` templates never
create duties. Open findings (rectification tasks) become one-off duties due at the task's deadline.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from bastion.algorithms.office.responsibility import ROLES
from bastion.algorithms.office.responsibility import Assignment
from bastion.algorithms.office.responsibility import SiteKey
from bastion.kernel.errors import InvalidInput

CADENCES = ("monthly", "quarterly", "semiannual", "annual", "standing")
_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}


@dataclass(frozen=True)
class DutyTemplate:
    code: str
    title: str  # English label; translations by code in the domain's i18n
    evidence: str
    role: str
    cadence: str
    due_day: int  # days after the period's first day
    source: str  # the clause or document the duty comes from
    categories: frozenset[str] = frozenset()  # empty = every category
    tiers: frozenset[str] = frozenset()  # "<standard>:<tier>"; empty = every site (tiered or not)
    min_rank: int = 0  # posture rank from which the duty applies (0 normal .. 3 highest)
    assumption: bool = False

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise InvalidInput(f"duty {self.code}: role must be one of {list(ROLES)}, got {self.role!r}", field="role")
        if self.cadence not in CADENCES:
            raise InvalidInput(f"duty {self.code}: cadence must be one of {list(CADENCES)}, got {self.cadence!r}",
                               field="cadence")
        if self.due_day < 0:
            raise InvalidInput(f"duty {self.code}: due_day must be 0 or more, got {self.due_day}", field="due_day")
        if not self.source.strip():
            raise InvalidInput(f"duty {self.code}: source is required (cite the clause)", field="source")

    def applies(self, site: SiteKey, rank: int) -> bool:
        return (self.cadence != "standing" and rank >= self.min_rank
                and (not self.categories or site.category in self.categories)
                and (not self.tiers or bool(self.tiers & site.tiers)))


def period(cadence: str, on: dt.date) -> tuple[str, dt.date, dt.date]:
    """(key, first day, last day) of the period of ``cadence`` containing ``on``: 2026-M11, 2026-Q4, 2026-H2, 2026."""
    if cadence not in _MONTHS:
        raise InvalidInput(f"cadence must be one of {list(_MONTHS)}, got {cadence!r}", field="cadence")
    n = _MONTHS[cadence]
    first_month = (on.month - 1) // n * n + 1
    start = dt.date(on.year, first_month, 1)
    end_month = first_month + n
    end = (dt.date(on.year + 1, 1, 1) if end_month > 12 else dt.date(on.year, end_month, 1)) - dt.timedelta(days=1)
    idx = (on.month - 1) // n + 1
    key = {"monthly": f"{on.year}-M{idx:02d}", "quarterly": f"{on.year}-Q{idx}", "semiannual": f"{on.year}-H{idx}",
           "annual": f"{on.year}"}[cadence]
    return key, start, end


@dataclass(frozen=True)
class Finding:
    task_id: int
    site_id: int
    text: str
    deadline: dt.date


@dataclass(frozen=True)
class DutyDraft:
    site_id: int
    code: str
    period: str
    role: str
    agency_id: int | None  # None: no agency holds the role yet (shown as unassigned, never dropped)
    due: dt.date
    title: str
    evidence: str
    source: str

    @property
    def key(self) -> tuple[int, str, str]:
        return self.site_id, self.code, self.period


def generate(sites: Sequence[SiteKey], assignments: Mapping[int, Mapping[str, Assignment]],
             templates: Sequence[DutyTemplate], *, on: dt.date, rank_by_region: Mapping[int, int],
             findings: Iterable[Finding] = ()) -> list[DutyDraft]:
    """Every duty of the periods containing ``on``; sorted by key (deterministic)."""
    periods = {c: period(c, on) for c in _MONTHS}
    out: list[DutyDraft] = []
    for site in sites:
        rank = rank_by_region.get(site.region_id, 0)
        roles = assignments.get(site.site_id, {})
        for t in templates:
            if not t.applies(site, rank):
                continue
            key, start, end = periods[t.cadence]
            due = min(start + dt.timedelta(days=t.due_day), end)
            a = roles.get(t.role)
            out.append(DutyDraft(site.site_id, t.code, key, t.role, a.agency_id if a else None, due, t.title,
                                 t.evidence, t.source))
    for f in findings:
        a = assignments.get(f.site_id, {}).get("operator")
        out.append(DutyDraft(f.site_id, f"finding:{f.task_id}", "once", "operator", a.agency_id if a else None,
                             f.deadline, f.text[:300], "re-inspection passes the item", "rectification task"))
    out.sort(key=lambda d: d.key)
    return out


def missing(drafts: Iterable[DutyDraft], existing: set[tuple[int, str, str]]) -> list[DutyDraft]:
    """The drafts whose natural key is not stored yet (what generating the period again would add)."""
    seen = set(existing)
    out = []
    for d in drafts:
        if d.key not in seen:
            seen.add(d.key)
            out.append(d)
    return out
