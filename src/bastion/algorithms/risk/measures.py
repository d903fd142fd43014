"""Catalogue of protective measures: that a control exists and its parameters, never personal data.

A ``Measure`` records a control at a site (a CCTV system and its retention period, a number of guards,
a vehicle barrier and its certified rating). It never records who the guards are, footage, names of the
designated senior individual, or anything else about people. Hostile-vehicle-mitigation ratings are kept
verbatim as certified; they are never converted between standards (IWA 14-1, ISO 22343-1, PAS 68 and
ASTM F2656 use different test vehicles and measures).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from collections.abc import Iterator
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from types import MappingProxyType

from bastion.kernel.errors import InvalidInput

PILLARS = ("staffing", "physical", "technical", "management")  # 人防, 物防, 技防, 制度防
BARRIER_STANDARDS = ("IWA 14-1", "ISO 22343-1", "PAS 68", "ASTM F2656")


@dataclass(frozen=True)
class MeasureSpec:
    """One kind of control in the catalogue; ``default_cost`` is an editable planning assumption."""

    kind: str
    label: str
    pillar: str
    params: Mapping[str, type]  # parameter name -> expected Python type
    default_params: Mapping[str, object]  # parameters assumed when the measure is proposed
    default_cost: float  # one-off planning cost, EUR (modelling assumption, editable)


def _spec(kind: str, label: str, pillar: str, params: dict[str, type], defaults: dict[str, object],
          cost: float) -> MeasureSpec:
    return MeasureSpec(kind, label, pillar, MappingProxyType(params), MappingProxyType(defaults), cost)


CATALOGUE: Mapping[str, MeasureSpec] = MappingProxyType(
    {
        s.kind: s
        for s in (
            _spec("hvm_barrier", "Hostile-vehicle barrier (certified)", "physical",
                  {"standard": str, "rating": str}, {"standard": "ASTM F2656", "rating": "M50-P1"}, 120_000.0),
            _spec("access_control", "Access control at entrances", "technical", {}, {}, 25_000.0),
            _spec("screening", "Search and screening of people and bags", "staffing",
                  {"coverage": str}, {"coverage": "all"}, 40_000.0),
            _spec("cctv", "CCTV (monitored, recorded)", "technical", {"retention_days": int},
                  {"retention_days": 90}, 20_000.0),
            _spec("guards", "Security officers on site", "staffing", {"count": int}, {"count": 2}, 60_000.0),
            _spec("lockable_doors", "Lockable doors and shutters", "physical", {}, {}, 15_000.0),
            _spec("public_address", "Public-address / mass notification", "technical", {}, {}, 8_000.0),
            _spec("evacuation_procedure", "Evacuation procedure", "management", {}, {}, 2_000.0),
            _spec("invacuation_procedure", "Invacuation procedure", "management", {}, {}, 2_000.0),
            _spec("lockdown_procedure", "Lockdown procedure", "management", {}, {}, 2_000.0),
            _spec("communication_procedure", "Communication procedure", "management", {}, {}, 1_500.0),
            _spec("drills", "Drills / exercises held", "management", {"dates": tuple}, {"dates": ()}, 3_000.0),
            _spec("training", "Staff counter-terrorism awareness training", "staffing",
                  {"staff_fraction": float}, {"staff_fraction": 1.0}, 5_000.0),
            _spec("designated_senior_individual", "Designated senior individual (role exists)", "management",
                  {}, {}, 1_000.0),
            _spec("security_plan", "Written security plan / compliance document", "management",
                  {"revised_on": dt.date}, {}, 3_000.0),
            _spec("patrol", "Police or security patrol visits", "staffing", {"visits_per_day": int},
                  {"visits_per_day": 4}, 30_000.0),
        )
    }
)

_ASTM_RE = re.compile(r"^(M30|M40|M50|C40|C50|C60|PU40|PU50|PU60)-P([1-4])$")
_PEN_RE = re.compile(r":\s*(\d+(?:\.\d+)?)")


def barrier_penetration_m(standard: str, rating: str) -> float | None:
    """Dynamic penetration in metres read from a certified rating, without converting standards.

    ASTM F2656 gives a band (P1 <= 1 m, P2 <= 7 m, P3 <= 30 m, P4 > 30 m): the band's upper bound is
    returned (P4 -> 60 m, an assumption). IWA 14-1 / PAS 68 / ISO 22343-1 ratings carry ``:<metres>``
    after the impact angle (e.g. ``V/7200[N2A]/48/90:4.5``); the first such number is returned. ``None``
    when the rating does not state a penetration.
    """
    if standard == "ASTM F2656":
        m = _ASTM_RE.match(rating.strip())
        if m is None:
            return None
        return {1: 1.0, 2: 7.0, 3: 30.0, 4: 60.0}[int(m.group(2))]
    m2 = _PEN_RE.search(rating)
    return float(m2.group(1)) if m2 else None


@dataclass(frozen=True)
class Measure:
    """A control present at a site, with its parameters."""

    kind: str
    params: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        spec = CATALOGUE.get(self.kind)
        if spec is None:
            msg = f"measure kind must be one of {sorted(CATALOGUE)}, got {self.kind!r}"
            raise InvalidInput(msg, field="kind")
        params = dict(self.params)
        unknown = set(params) - set(spec.params)
        if unknown:
            msg = f"measure {self.kind!r} has unknown parameters {sorted(unknown)}; allowed: {sorted(spec.params)}"
            raise InvalidInput(msg, field=f"{self.kind}.params")
        for name, typ in spec.params.items():
            if name not in params:
                continue
            value = params[name]
            if typ is float and isinstance(value, int) and not isinstance(value, bool):
                value = params[name] = float(value)
            if typ is tuple and isinstance(value, list):
                value = params[name] = tuple(value)
            if not isinstance(value, typ) or isinstance(value, bool):
                msg = f"{self.kind}.{name} must be {typ.__name__}, got {value!r}"
                raise InvalidInput(msg, field=f"{self.kind}.{name}")
        _check_ranges(self.kind, params)
        object.__setattr__(self, "params", MappingProxyType(params))


def _check_ranges(kind: str, p: dict[str, object]) -> None:
    def bad(name: str, fix: str) -> InvalidInput:
        return InvalidInput(f"{kind}.{name} {fix}, got {p[name]!r}", field=f"{kind}.{name}")

    if kind == "hvm_barrier":  # an uncertified barrier is recorded without standard/rating
        if "standard" in p and p["standard"] not in BARRIER_STANDARDS:
            raise bad("standard", f"must be one of {list(BARRIER_STANDARDS)} (the certificate's standard)")
        if "rating" in p and not str(p["rating"]).strip():
            raise bad("rating", "must be the certified rating text, verbatim (omit it for an uncertified barrier)")
    if kind == "cctv" and "retention_days" in p and int(p["retention_days"]) < 0:  # type: ignore[call-overload]
        raise bad("retention_days", "must be >= 0 days")
    if kind == "guards" and "count" in p and int(p["count"]) < 1:  # type: ignore[call-overload]
        raise bad("count", "must be >= 1 (omit the measure when there are no guards)")
    if kind == "patrol" and "visits_per_day" in p and int(p["visits_per_day"]) < 1:  # type: ignore[call-overload]
        raise bad("visits_per_day", "must be >= 1")
    if kind == "training" and "staff_fraction" in p and not 0.0 < float(p["staff_fraction"]) <= 1.0:  # type: ignore[arg-type]
        raise bad("staff_fraction", "must be in (0, 1]")
    if kind == "screening" and "coverage" in p and p["coverage"] not in ("all", "random"):
        raise bad("coverage", "must be 'all' or 'random'")
    if kind == "drills" and "dates" in p:
        dates = p["dates"]
        if not all(isinstance(d, dt.date) for d in dates):  # type: ignore[attr-defined]
            raise bad("dates", "must be a list of dates")


def proposed(kind: str) -> Measure:
    """The measure as it would be installed, with the catalogue's default parameters."""
    if kind not in CATALOGUE:
        msg = f"measure kind must be one of {sorted(CATALOGUE)}, got {kind!r}"
        raise InvalidInput(msg, field="kind")
    return Measure(kind, CATALOGUE[kind].default_params)


@dataclass(frozen=True)
class MeasureSet:
    """The controls present at one site: at most one ``Measure`` per kind."""

    measures: tuple[Measure, ...] = ()

    def __post_init__(self) -> None:
        kinds = [m.kind for m in self.measures]
        dup = sorted({k for k in kinds if kinds.count(k) > 1})
        if dup:
            msg = f"measures lists kinds {dup} more than once; merge them into one measure each"
            raise InvalidInput(msg, field="measures")
        object.__setattr__(self, "measures", tuple(sorted(self.measures, key=lambda m: m.kind)))

    @classmethod
    def of(cls, items: Iterable[Measure | str]) -> MeasureSet:
        return cls(tuple(m if isinstance(m, Measure) else Measure(m) for m in items))

    def __iter__(self) -> Iterator[Measure]:
        return iter(self.measures)

    def __contains__(self, kind: object) -> bool:
        return any(m.kind == kind for m in self.measures)

    def get(self, kind: str) -> Measure | None:
        return next((m for m in self.measures if m.kind == kind), None)

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(m.kind for m in self.measures)

    def with_measure(self, measure: Measure) -> MeasureSet:
        """A copy with ``measure`` added (replacing a measure of the same kind)."""
        return MeasureSet(tuple(m for m in self.measures if m.kind != measure.kind) + (measure,))
