"""The risk domain's server-made wording in the reader's language: the standards' cited clauses, the tiering
reasons built from them, checklist requirement texts and measure parameters.

The algorithms and the standard files speak English (a standard file is data, its clauses are quoted as written);
this module renders them for a reader. Clauses are looked up whole in ``i18n/standards.{lang}.json`` (keyed by the
English text, like a gettext catalogue; a clause merged from two tiers, "a; b", is translated piece by piece); a
reason is matched against the tiering algorithm's sentence patterns and rebuilt from ``risk.reason.*`` words. A
text that no pattern or catalogue entry knows (a user's own standard file) stays as written."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from bastion.kernel.i18n import check_lang
from bastion.kernel.i18n import translator

I18N = Path(__file__).resolve().parent / "i18n"


@cache
def clause_catalogue(lang: str) -> dict[str, str]:
    """English clause/label/note text of the bundled standards -> its wording in `lang` (empty for English)."""
    path = I18N / f"standards.{check_lang(lang)}.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def clause(text: str, lang: str) -> str:
    """A standard's clause (or tier label, factor label, note) in `lang`; unknown text stays as written."""
    cat = clause_catalogue(lang)
    if not cat or not text:
        return text
    if text in cat:
        return cat[text]
    return "；".join(cat.get(p, p) for p in text.split("; ")) if "; " in text else text


def _tier(standard_id: str | None, tier: str, lang: str) -> str:
    tr = translator(lang)
    return tr(f"report.tier.{standard_id}.{tier}", tier) if standard_id else tier


# (pattern over the English reason, key of its wording, how each group is rendered: "clause", "tier", "kind",
# "factor" (a factor label of the standard file) or "" (a number or code kept as is))
_REASONS: tuple[tuple[re.Pattern[str], str, tuple[str, ...]], ...] = tuple(
    (re.compile(p), k, g) for p, k, g in (
        (r"^heightened level (\w+): (.+)$", "risk.reason.heightened", ("level", "clause")),
        (r"^qualifying use \((\w+)\): (.+)$", "risk.reason.qualifying_use", ("kind", "clause")),
        (r"^kind '(\w+)' is not a qualifying use: (.+)$", "risk.reason.not_qualifying_use", ("kind", "clause")),
        (r"^([\d,]+) people: (.+)$", "risk.reason.people", ("", "clause")),
        (r"^([\d,]+) people is below ([\d,]+): (.+)$", "risk.reason.below", ("", "", "clause")),
        (r"^override to (\w+): (.+)$", "risk.reason.override", ("tier", "clause")),
        (r"^capped at (\w+): (.+)$", "risk.reason.capped", ("tier", "clause")),
        (r"^qualifying event of ([\d,]+) people: (.+)$", "risk.reason.event", ("", "clause")),
        (r"^event of ([\d,]+) people \(entry checks: (True|False)\) is not a qualifying event: (.+)$",
         "risk.reason.not_event", ("", "bool", "clause")),
        (r"^the standard has no event rule$", "risk.reason.no_event_rule", ()),
        (r"^event capacity unknown: record expected attendance$", "risk.reason.event_unknown", ()),
        (r"^capacity unknown: record the expected number of people$", "risk.reason.capacity_unknown", ()),
        (r"^total (\d+): (.+)$", "risk.reason.total", ("", "clause")),
        (r"^total (\d+) is outside every band$", "risk.reason.total_outside", ("",)),
        (r"^intangible adjustment ([+-]\d+): (.+)$", "risk.reason.adjustment", ("", "clause")),
        (r"^(.+?) = (.+): score (\d) \((.+)\)$", "risk.reason.factor_value", ("factor", "", "", "clause")),
        (r"^(.+?): recorded score (\d) \((.+)\)$", "risk.reason.factor_recorded", ("factor", "", "clause")),
        (r"^(.+?): assumed (\d) for category (\w+) \(default; record the fact\)$", "risk.reason.factor_category",
         ("factor", "", "category")),
        (r"^(.+?): assumed (\d) \(default; record the fact\)$", "risk.reason.factor_default", ("factor", "")),
        (r"^(.+?): unknown \(record (\w+)\)$", "risk.reason.factor_unknown", ("factor", "")),
        (r"^designated grade (\w+)$", "risk.reason.designated", ("",)),
        (r"^no rule matches without capacity: record the expected number of people$",
         "risk.reason.no_rule_capacity", ()),
        (r"^no grading rule matches and no designation is recorded$", "risk.reason.no_rule", ()),
        (r"^capacity band ([\d,]+)–([\d,]+) people spans (\w+) to (\w+): confirm on site$",
         "risk.reason.band_straddles", ("", "", "tier", "tier")),
    ))


def reason(text: str, lang: str, *, standard_id: str | None = None) -> str:
    """One tiering reason in `lang` (its clause translated too); a sentence no pattern knows stays as written."""
    if lang == "en":
        return text
    tr = translator(lang)
    if text.endswith(" (assumption)"):  # a grading rule applied as a modelling assumption
        return tr("risk.reason.assumption", text, p0=reason(text[: -len(" (assumption)")], lang,
                                                             standard_id=standard_id))
    if text in clause_catalogue(lang):  # a rule's bare clause
        return clause(text, lang)
    for pattern, key, groups in _REASONS:
        m = pattern.match(text)
        if not m:
            continue
        params: dict[str, str] = {}
        for i, (how, value) in enumerate(zip(groups, m.groups(), strict=True)):
            if how in ("clause", "factor"):
                value = clause(value, lang)
            elif how == "tier":
                value = _tier(standard_id, value, lang)
            elif how == "level":
                value = tr(f"riskws.level.{value}", value)
            elif how == "kind":
                value = tr(f"kind.{value}", value)
            elif how == "category":
                value = tr(f"category.{value}", value)
            elif how == "bool":
                value = tr(f"risk.reason.{value.lower()}", value)
            params[f"p{i}"] = value
        return tr(key, text, **params)
    return text


def reasons(texts: Any, lang: str, *, standard_id: str | None = None) -> list[str]:
    return [reason(str(t), lang, standard_id=standard_id) for t in texts]


def requirement_text(measure: str, params: Mapping[str, Any], lang: str, *, default: str | None = None) -> str:
    """A checklist item's text (the requirement: the measure and its parameters) in `lang`; the English text
    is the checklist's own (algorithms.risk.checklist), so `default` is returned for English."""
    if lang == "en" and default is not None:
        return default
    tr = translator(lang)
    label = tr(f"risk.measure.{measure}", measure.replace("_", " "))
    parts = []
    for k, v in params.items():
        if k == "within_days":
            parts.append(tr("risk.req.within_days", v=v))
        elif isinstance(v, str):
            parts.append(tr("risk.req.kv", name=tr(f"risk.param_name.{k}", k.replace("_", " ")),
                            v=tr(f"risk.param_value.{v}", v)))
        else:
            parts.append(tr(f"risk.req.param.{k}", "", v=v)
                         or tr("risk.req.at_least", name=tr(f"risk.param_name.{k}", k.replace("_", " ")), v=v))
    return label + (tr("risk.req.paren", parts=tr("risk.req.sep").join(parts)) if parts else "")


def measure_params(params: Mapping[str, Any], lang: str) -> str:
    """A recorded measure's parameters, for a report's measures table."""
    tr = translator(lang)
    return tr("risk.req.sep").join(
        tr("risk.req.kv", name=tr(f"risk.param_name.{k}", k),
           v=", ".join(map(str, v)) if isinstance(v, (list, tuple)) else tr(f"risk.param_value.{v}", str(v)))
        for k, v in params.items())

