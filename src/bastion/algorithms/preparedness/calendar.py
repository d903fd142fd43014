"""The exercise calendar: HSEEP exercise types, frequency rules as data, gaps and conflicts, proposals.

A rule says: every site tiered ``tier`` (one of ``tiers``) under ``standard_id`` must hold at least ``min_count``
exercises of the given ``types`` in every ``period`` (calendar year, half or quarter, UTC). Defaults (editable,
ASSUMPTIONS drawn from the issue and the anchors): one operations-based exercise a year per UK enhanced-duty
premises; one a quarter per top-grade (grade_1) China-style key target; one a year per grade_2 target (MEM
Order No. 2 Art. 33 asks at least one comprehensive or special drill a year).

Conflicts: two exercises at the same site that overlap in time; one agency in two overlapping exercises.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput

DISCUSSION_TYPES = ("seminar", "workshop", "tabletop", "game")
OPERATIONS_TYPES = ("drill", "functional", "full_scale")
EXERCISE_TYPES = DISCUSSION_TYPES + OPERATIONS_TYPES
PERIODS = {"year": 12, "half": 6, "quarter": 3}  # months per period
MAX_YEARS = 10


@dataclass(frozen=True)
class CalendarRule:
    id: str
    standard_id: str
    tiers: tuple[str, ...]
    period: str
    min_count: int
    types: tuple[str, ...] = OPERATIONS_TYPES
    label: str = ""
    source: str = ""  # the law, standard or guidance the rule comes from
    assumption: bool = False  # the frequency is chosen here (editable), not stated by the source

    def __post_init__(self) -> None:
        if self.period not in PERIODS:
            raise InvalidInput(f"rule {self.id}: period must be one of {list(PERIODS)}, got {self.period!r}",
                               field="period")
        if not 1 <= self.min_count <= 52:
            raise InvalidInput(f"rule {self.id}: min_count must be 1 to 52, got {self.min_count!r}", field="min_count")
        bad = [t for t in self.types if t not in EXERCISE_TYPES]
        if bad or not self.types:
            raise InvalidInput(f"rule {self.id}: types must be among {list(EXERCISE_TYPES)}, got {bad or '[]'}",
                               field="types")
        if not self.tiers:
            raise InvalidInput(f"rule {self.id}: tiers must name at least one tier", field="tiers")


DEFAULT_RULES: tuple[CalendarRule, ...] = (
    CalendarRule("uk_enhanced_annual", "uk_ppa_2025", ("enhanced",), "year", 1,
                 label="One operations-based exercise a year per enhanced-duty premises",
                 source="Terrorism (Protection of Premises) Act 2025 s5-6 (public protection procedures); the "
                        "yearly frequency is chosen here", assumption=True),
    CalendarRule("cn_grade1_quarterly", "cn_key_target", ("grade_1",), "quarter", 1,
                 label="One operations-based exercise a quarter per top-grade key target",
                 source="Sector practice for grade 1 key targets (issue 16); the quarterly frequency is chosen here",
                 assumption=True),
    CalendarRule("cn_grade2_annual", "cn_key_target", ("grade_2",), "year", 1,
                 label="One operations-based exercise a year per grade 2 key target (MEM Order 2 Art. 33)",
                 source="应急管理部令第2号《生产安全事故应急预案管理办法》(2019) 第三十三条: at least one "
                        "comprehensive or special drill a year"),
)


def rules_from_data(rows: Iterable[Mapping[str, object]]) -> tuple[CalendarRule, ...]:
    """Rules from plain data (a YAML/JSON rule pack)."""
    out = []
    for i, r in enumerate(rows):
        try:
            tiers, types, n = r["tiers"], r.get("types", OPERATIONS_TYPES), r["min_count"]
            if not isinstance(tiers, list | tuple) or not isinstance(types, list | tuple) or not isinstance(n, int):
                raise InvalidInput(f"rules[{i}]: tiers and types must be lists, min_count a whole number",
                                   field=f"rules[{i}]")
            out.append(CalendarRule(str(r["id"]), str(r["standard_id"]), tuple(str(t) for t in tiers),
                                    str(r["period"]), n, tuple(str(t) for t in types), str(r.get("label", ""))))
        except KeyError as e:
            raise InvalidInput(f"rules[{i}] lacks {e.args[0]!r}", field=f"rules[{i}]") from None
    if len({r.id for r in out}) != len(out):
        raise InvalidInput("rule ids must be unique", field="rules")
    return tuple(out)


@dataclass(frozen=True)
class ExerciseEvent:
    id: str
    type: str
    start: dt.datetime
    end: dt.datetime
    site_ids: tuple[int, ...]
    agencies: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.type not in EXERCISE_TYPES:
            raise InvalidInput(f"type must be one of {list(EXERCISE_TYPES)}, got {self.type!r}", field="type")
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise InvalidInput("start and end must carry a timezone", field="start")
        if self.end <= self.start:
            raise InvalidInput(f"end ({self.end.isoformat()}) must be after start ({self.start.isoformat()})",
                               field="end")


@dataclass(frozen=True)
class Gap:
    site_id: int
    rule_id: str
    period_start: dt.date
    period_end: dt.date  # exclusive
    held: int
    required: int


@dataclass(frozen=True)
class Clash:
    kind: str  # site | agency
    key: str  # the site id or the agency name
    first: str  # exercise ids
    second: str


@dataclass(frozen=True)
class CalendarCheck:
    gaps: tuple[Gap, ...]
    conflicts: tuple[Clash, ...]


def periods(period: str, first_year: int, years: int) -> list[tuple[dt.date, dt.date]]:
    if not 1 <= years <= MAX_YEARS:
        raise InvalidInput(f"years must be 1 to {MAX_YEARS}, got {years}", field="years")
    step = PERIODS[period]
    out = []
    for y in range(first_year, first_year + years):
        for m in range(1, 13, step):
            end = dt.date(y + (m + step - 1) // 12, (m + step - 1) % 12 + 1, 1)
            out.append((dt.date(y, m, 1), end))
    return out


def applicable(rule: CalendarRule, tiers: Iterable[tuple[str, str]]) -> bool:
    return any(sid == rule.standard_id and t in rule.tiers for sid, t in tiers)


def find_gaps(site_tiers: Mapping[int, Iterable[tuple[str, str]]], rules: Sequence[CalendarRule],
              events: Sequence[ExerciseEvent], *, first_year: int, years: int) -> tuple[Gap, ...]:
    """Every (site, rule, period) with fewer exercises than the rule asks (an exercise counts in the period its
    start falls in, for each of its sites)."""
    by_site: dict[int, list[ExerciseEvent]] = {}
    for e in events:
        for s in e.site_ids:
            by_site.setdefault(s, []).append(e)
    out = []
    for sid in sorted(site_tiers):
        tiers = list(site_tiers[sid])
        for r in rules:
            if not applicable(r, tiers):
                continue
            evs = [e for e in by_site.get(sid, []) if e.type in r.types]
            for a, b in periods(r.period, first_year, years):
                held = sum(1 for e in evs if a <= e.start.astimezone(dt.UTC).date() < b)
                if held < r.min_count:
                    out.append(Gap(sid, r.id, a, b, held, r.min_count))
    return tuple(out)


def find_conflicts(events: Sequence[ExerciseEvent]) -> tuple[Clash, ...]:
    """Pairs of overlapping exercises sharing a site or an agency (sweep over start times)."""
    evs = sorted(events, key=lambda e: (e.start, e.id))
    out = []
    for i, a in enumerate(evs):
        for b in evs[i + 1:]:
            if b.start >= a.end:
                break
            for s in sorted(set(a.site_ids) & set(b.site_ids)):
                out.append(Clash("site", str(s), a.id, b.id))
            for ag in sorted(set(a.agencies) & set(b.agencies)):
                out.append(Clash("agency", ag, a.id, b.id))
    return tuple(out)


def check_calendar(site_tiers: Mapping[int, Iterable[tuple[str, str]]], rules: Sequence[CalendarRule],
                   events: Sequence[ExerciseEvent], *, first_year: int, years: int) -> CalendarCheck:
    return CalendarCheck(find_gaps(site_tiers, rules, events, first_year=first_year, years=years),
                         find_conflicts(events))


def propose(site_tiers: Mapping[int, Iterable[tuple[str, str]]], rules: Sequence[CalendarRule],
            events: Sequence[ExerciseEvent], *, first_year: int, years: int, duration_h: int = 3,
            exercise_type: str = "drill") -> tuple[ExerciseEvent, ...]:
    """Exercises that fill every gap: one per missing count, on a weekday (Tue–Thu) inside the period, 10:00
    UTC, spread over days so that no two proposals (or an existing exercise) overlap at the same site.
    Deterministic: the same inputs give the same proposals."""
    if exercise_type not in EXERCISE_TYPES:
        raise InvalidInput(f"exercise_type must be one of {list(EXERCISE_TYPES)}", field="exercise_type")
    if not 1 <= duration_h <= 72:
        raise InvalidInput(f"duration_h must be 1 to 72 hours, got {duration_h}", field="duration_h")
    rule_types = {r.id: r.types for r in rules}
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {}
    for e in events:
        for s in e.site_ids:
            busy.setdefault(s, []).append((e.start, e.end))
    out: list[ExerciseEvent] = []
    # finest period first: a quarterly proposal may already satisfy a yearly rule of the same site
    for rule in sorted(rules, key=lambda r: (PERIODS[r.period], r.id)):
        gaps = list(find_gaps(site_tiers, [rule], [*events, *out], first_year=first_year, years=years))
        out.extend(_fill(gaps, rule_types, busy, exercise_type, duration_h, len(out)))
    return tuple(out)


def _fill(gaps: Sequence[Gap], rule_types: Mapping[str, tuple[str, ...]],
          busy: dict[int, list[tuple[dt.datetime, dt.datetime]]], exercise_type: str, duration_h: int,
          n0: int) -> list[ExerciseEvent]:
    out: list[ExerciseEvent] = []
    for k, g in enumerate(gaps):
        etype = exercise_type if exercise_type in rule_types[g.rule_id] else rule_types[g.rule_id][0]
        day = g.period_start + dt.timedelta(days=7 + (g.site_id * 7 + k) % 28)
        for _ in range(g.required - g.held):
            while True:
                while day.weekday() not in (1, 2, 3):
                    day += dt.timedelta(days=1)
                start = dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC)
                end = start + dt.timedelta(hours=duration_h)
                if day >= g.period_end:
                    raise InvalidInput(f"no free weekday left for site {g.site_id} in {g.period_start}",
                                       field="events")
                if all(end <= a or start >= b for a, b in busy.get(g.site_id, [])):
                    break
                day += dt.timedelta(days=1)
            ev = ExerciseEvent(f"proposed-{g.site_id}-{g.rule_id}-{g.period_start.isoformat()}-{n0 + len(out)}", etype,
                               start, end, (g.site_id,))
            busy.setdefault(g.site_id, []).append((start, end))
            out.append(ev)
            day += dt.timedelta(days=1)
    return out
