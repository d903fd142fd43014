"""The vehicle domain's server-made wording in the reader's language: required-rating labels
("V/1500[M1]/64 penetration <= 1.0 m"), why a barrier does or does not meet a need, and the site report's
hostile-vehicle section. Rating codes (V/1500[M1]/64, M50-P1) are the standards' own notation and stay as written."""

from __future__ import annotations

import re
from typing import Any

from bastion.algorithms.vehicle.barriers import UNRATED
from bastion.kernel.i18n import Translate
from bastion.kernel.i18n import translator

_PENETRATION = re.compile(r" penetration <= ([\d.]+) m")
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple((re.compile(p), k) for p, k in (
    (r"^(.+) meets (.+)$", "vehicle.reason.meets"),
    (r"^no (.+) rating covers (\d+) km/h$", "vehicle.reason.not_coverable"),
    (r"^(.+) does not meet (.+)$", "vehicle.reason.does_not_meet"),
    (r"^rated under (.+), which is not assessed here \((.+)\); ratings are never converted$",
     "vehicle.reason.other_standard"),
    (r"^rating not understood: (.+)$", "vehicle.reason.not_understood"),
))


def rating_label(label: str, lang: str) -> str:
    """A required rating in `lang`: the standard's code kept, "penetration <= 1.0 m" worded."""
    if lang == "en":
        return label
    tr = translator(lang)
    return _PENETRATION.sub(lambda m: tr("vehicle.penetration", m=m.group(1)), label)


def barrier_reason(reason: str, lang: str) -> str:
    """Why a barrier meets a need or not (algorithms.vehicle.barriers.check_barrier's sentence) in `lang`."""
    if lang == "en":
        return reason
    tr = translator(lang)
    if reason == UNRATED:
        return tr("vehicle.reason.unrated", reason)
    for pattern, key in _REASONS:
        m = pattern.match(reason)
        if m:
            return tr(key, reason, **{f"p{i}": rating_label(g, lang) for i, g in enumerate(m.groups())})
    return reason


def section_words(section: dict[str, Any], lang: str) -> tuple[dict[str, Any], Translate]:
    """The report section with its labels in `lang`, and the translator its template uses."""
    tr = translator(lang)
    if lang == "en" or not section.get("assessed"):
        return section, tr
    vehicles = []
    for v in section["vehicles"]:
        rows = [{**a, "needs": [rating_label(n, lang) for n in a["needs"]],
                 "barriers": [_barrier(b, lang, tr) for b in a["barriers"]]} for a in v["approaches"]]
        vehicles.append({**v, "approaches": rows})
    return {**section, "vehicles": vehicles}, tr


def _barrier(text: str, lang: str, tr: Translate) -> str:
    kind, _, reason = text.partition(": ")
    return f"{tr(f'vehicle.barrier_kind.{kind}', kind)}：{barrier_reason(reason, lang)}"
