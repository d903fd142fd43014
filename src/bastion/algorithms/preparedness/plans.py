"""Emergency-plan structure and completeness (Martyn's Law s5 public protection procedures; NPSA guidance).

A plan is per site x scenario (threat type) and holds four procedures — evacuation, invacuation, lockdown,
communication — each a structured section. Roles are POSITIONS from a fixed vocabulary, never people: there is
no name field, and free text is refused when it looks like a contact detail (e-mail, phone number).

Completeness depends on the site's requirement level across regimes:
- ``enhanced``: UK enhanced-duty premises (uk_ppa_2025 enhanced), China-style grade_1 / grade_2 key targets,
  US ISC FSL III / IV. Every procedure needs triggers, a decision role, steps and roles with actions, plus its
  specific content (exits, assembly points and an evacuation-time estimate; protected spaces; lockable zones;
  means of communication and the role that informs the emergency services); the plan must be approved, within
  its review date, and exercised within 365 days.
- ``standard``: any other tier (UK standard duty, grade_3, FSL I / II): triggers, decision role and steps for
  each procedure; approved and within its review date.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bastion.kernel.errors import InvalidInput

PROCEDURES = ("evacuation", "invacuation", "lockdown", "communication")
POSITIONS = (
    "designated_senior_individual", "duty_manager", "security_lead", "control_room_operator", "fire_marshal",
    "steward", "reception", "first_aider", "communications_officer", "facilities_manager", "head_of_site",
)
ENHANCED_TIERS = frozenset({("uk_ppa_2025", "enhanced"), ("cn_key_target", "grade_1"), ("cn_key_target", "grade_2"),
                            ("us_isc_fsl", "III"), ("us_isc_fsl", "IV")})
LIST_FIELDS = ("triggers", "steps", "exits", "assembly_points", "protected_spaces", "lockable_zones", "means")
BASE_FIELDS = ("triggers", "decision_role", "steps")
ENHANCED_FIELDS: Mapping[str, tuple[str, ...]] = {
    "evacuation": ("roles", "exits", "assembly_points"),
    "invacuation": ("roles", "protected_spaces"),
    "lockdown": ("roles", "lockable_zones"),
    "communication": ("roles", "means", "informs_emergency_services"),
}
PLACEHOLDER_PREFIX = "@eplan.placeholder."  # a draft's marked gap the user must fill: it counts as missing
EXERCISE_RECENCY_DAYS = 365
MAX_TEXT = 500
MAX_ITEMS = 60
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[a-z]{2,}", re.I)
_PHONE = re.compile(r"(?:\+|00)?\d[\d\s().-]{6,}\d")


def requirement_level(tiers: Iterable[tuple[str, str]]) -> str | None:
    ts = set(tiers)
    if ts & ENHANCED_TIERS:
        return "enhanced"
    return "standard" if ts else None


def check_free_text(v: object, where: str, *, max_len: int = MAX_TEXT) -> str:
    """Non-empty text of at most ``max_len`` characters that holds no contact detail (e-mail, phone number)."""
    return _check_text(v, where, max_len=max_len)


def _check_text(v: object, where: str, *, max_len: int = MAX_TEXT) -> str:
    if not isinstance(v, str) or not v.strip():
        raise InvalidInput(f"{where} must be non-empty text", field=where)
    if len(v) > max_len:
        raise InvalidInput(f"{where} must be at most {max_len} characters, got {len(v)}", field=where)
    if _EMAIL.search(v) or _PHONE.search(v):
        raise InvalidInput(f"{where} looks like a contact detail (e-mail or phone number); plans name positions "
                           "and channels, never people", field=where)
    return v.strip()


def _check_position(v: object, where: str) -> str:
    if v not in POSITIONS:
        raise InvalidInput(f"{where} must be a position, one of {list(POSITIONS)}, got {v!r} (roles are positions, "
                           "never names)", field=where)
    return str(v)


def check_sections(sections: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Validate and normalise the four procedure sections (missing ones are allowed: completeness flags them)."""
    if not isinstance(sections, Mapping):
        raise InvalidInput("sections must be an object keyed by procedure", field="sections")
    out: dict[str, dict[str, Any]] = {}
    for proc, body in sections.items():
        if proc not in PROCEDURES:
            raise InvalidInput(f"sections has {proc!r}; procedures are {list(PROCEDURES)}", field="sections")
        if not isinstance(body, Mapping):
            raise InvalidInput(f"sections.{proc} must be an object", field=f"sections.{proc}")
        sec: dict[str, Any] = {}
        for key, val in body.items():
            where = f"sections.{proc}.{key}"
            if key in LIST_FIELDS:
                if not isinstance(val, list) or len(val) > MAX_ITEMS:
                    raise InvalidInput(f"{where} must be a list of at most {MAX_ITEMS} texts", field=where)
                sec[key] = [_check_text(x, f"{where}[{i}]") for i, x in enumerate(val)]
            elif key in ("decision_role", "informs_emergency_services"):
                sec[key] = _check_position(val, where)
            elif key == "roles":
                if not isinstance(val, list) or len(val) > MAX_ITEMS:
                    raise InvalidInput(f"{where} must be a list of {{position, actions}}", field=where)
                roles = []
                for i, r in enumerate(val):
                    if not isinstance(r, Mapping) or set(r) - {"position", "actions"}:
                        raise InvalidInput(f"{where}[{i}] must hold only position and actions (no names)",
                                           field=f"{where}[{i}]")
                    acts = r.get("actions", [])
                    if not isinstance(acts, list):
                        raise InvalidInput(f"{where}[{i}].actions must be a list", field=f"{where}[{i}].actions")
                    pos = _check_position(r.get("position"), f"{where}[{i}].position")
                    roles.append({"position": pos, "actions": [_check_text(a, f"{where}[{i}].actions[{j}]")
                                                               for j, a in enumerate(acts)]})
                sec[key] = roles
            else:
                known = sorted((*LIST_FIELDS, "roles", "decision_role", "informs_emergency_services"))
                raise InvalidInput(f"{where} is not a plan field; fields are {known}", field=where)
        out[proc] = sec
    return out


@dataclass(frozen=True)
class PlanFacts:
    sections: Mapping[str, Mapping[str, Any]]
    approved: bool
    review_date: dt.date | None
    evacuation_over_target: bool | None  # None: no estimate
    last_exercised: dt.date | None
    invacuation_enough: bool | None = None  # protected-space capacity >= peak-hour people; None: not assessed


def placeholder(field: str) -> str:
    """The marked gap a draft leaves where the data cannot say (``protected_spaces``, ``lockable_zones``)."""
    return f"{PLACEHOLDER_PREFIX}{field}"


def filled(value: object) -> bool:
    """A field counts as filled when it holds something other than the draft's placeholders."""
    if isinstance(value, list):
        return any(not (isinstance(x, str) and x.startswith(PLACEHOLDER_PREFIX)) for x in value)
    return bool(value)


def completeness(plan: PlanFacts, level: str | None, *, as_of: dt.date) -> tuple[str, ...]:
    """Flags (empty: complete). ``level`` None (site in no tier) still asks the four base procedures."""
    flags: list[str] = []
    lvl = level or "standard"
    for proc in PROCEDURES:
        sec = plan.sections.get(proc)
        if not sec:
            flags.append(f"missing_procedure:{proc}")
            continue
        need = BASE_FIELDS + (ENHANCED_FIELDS[proc] if lvl == "enhanced" else ())
        flags += [f"missing_field:{proc}.{f}" for f in need if not filled(sec.get(f))]
    if not plan.approved:
        flags.append("not_approved")
    if plan.review_date is None or plan.review_date < as_of:
        flags.append("review_overdue")
    if lvl == "enhanced":
        if plan.evacuation_over_target is None:
            flags.append("no_evacuation_estimate")
        elif plan.evacuation_over_target:
            flags.append("evacuation_over_target")
        if plan.invacuation_enough is False:
            flags.append("invacuation_capacity_short")
        if plan.last_exercised is None or (as_of - plan.last_exercised).days > EXERCISE_RECENCY_DAYS:
            flags.append("not_exercised_12_months")
    return tuple(flags)


def missing_scenarios(top_threats: Sequence[str], planned: Iterable[str], *, n: int = 3) -> tuple[str, ...]:
    """The site's top-``n`` threats (highest risk first) that have no plan."""
    have = set(planned)
    return tuple(t for t in top_threats[:n] if t not in have)
