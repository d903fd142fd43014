"""The printable plan: HTML (no scripts, inline CSS) in en or zh-CN, and PDF through WeasyPrint (the reports
domain's printer). Generated texts are i18n keys (``@eplan....``) rendered in the reader's language."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from bastion import __version__
from bastion.algorithms.preparedness.plans import PROCEDURES
from bastion.kernel.errors import InvalidInput
from bastion.preparedness.models import EmergencyPlan
from bastion.sites.models import Site

HERE = Path(__file__).resolve().parent
LANGS = ("en", "zh-CN")
FIELD_ORDER = ("triggers", "decision_role", "roles", "steps", "exits", "assembly_points", "protected_spaces",
               "lockable_zones", "means", "informs_emergency_services")

_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                          undefined=jinja2.StrictUndefined)


@cache
def catalogue(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise InvalidInput(f"lang must be one of {list(LANGS)}, got {lang!r}", field="lang")
    return json.loads((HERE / "i18n" / f"{lang}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def translator(lang: str) -> Any:
    cat = catalogue(lang)

    def t(key: str, **kw: Any) -> str:
        text = cat.get(key, key)
        out = str(text)
        for k, v in kw.items():
            out = out.replace("{" + k + "}", str(v))
        return out

    def text(value: str) -> str:
        if value.startswith("@"):
            return t(value[1:])
        return value if lang == "en" else space_line(value, t)

    return t, text


# The lines the draft writes for protected spaces and lockable zones (spaces.section_lines): "<label> (<area> m²,
# <n> people)", the label itself generated for a building's core. Stored as written in English (ADR 0006) and
# re-worded here for other languages; a line a user typed matches neither pattern and is shown as written.
_SPACE_LINE = re.compile(r"^(?P<label>.+) \((?:(?P<area>[\d,]+) m², )?(?P<cap>[\d,]+) people\)$")
_CORE_LABEL = re.compile(r"^building core \((?P<share>\d+)% of (?P<floor>[\d,]+) m2 floor, ASSUMPTION\)$")


def space_line(value: str, t: Callable[..., str]) -> str:
    m = _SPACE_LINE.match(value)
    if m is None:
        return value
    label = m["label"]
    core = _CORE_LABEL.match(label)
    if core is not None:
        label = t("eplan.space.core", share=core["share"], floor=core["floor"])
    if m["area"] is not None:
        return t("eplan.space.area_cap", label=label, area=m["area"], cap=m["cap"])
    return t("eplan.space.cap", label=label, cap=m["cap"])


def plan_html(plan: EmergencyPlan, site: Site, *, flags: tuple[str, ...] = (), lang: str = "en",
              generated_at: dt.datetime, invacuation: dict[str, Any] | None = None) -> str:
    t, text = translator(lang)

    def flag(f: str) -> str:
        name, _, x = f.partition(":")
        proc, _, field = x.partition(".")
        if proc in PROCEDURES:  # "evacuation.roles" -> the procedure's and the field's words
            x = f"{t(f'eplan.proc.{proc}')} · {t(f'eplan.field.{field}')}" if field else t(f"eplan.proc.{proc}")
        return str(t(f"eplan.flag.{name}", x=x))

    sections = []
    for proc in PROCEDURES:
        body = plan.sections.get(proc) or {}
        rows = []
        for f in FIELD_ORDER:
            v = body.get(f)
            if not v:
                continue
            if f in ("decision_role", "informs_emergency_services"):
                items = [t(f"eplan.position.{v}")]
            elif f == "roles":
                items = [f"{t('eplan.position.' + r['position'])}: " + "; ".join(text(a) for a in r["actions"])
                         for r in v]
            else:
                items = [text(x) for x in v]
            rows.append((t(f"eplan.field.{f}"), items))
        sections.append((t(f"eplan.proc.{proc}"), rows))
    return _env.get_template("eplan.html").render(
        lang=lang, t=t, plan=plan, site=site, sections=sections, flags=[flag(f) for f in flags],
        evac=plan.evacuation or {}, data=plan.data or {},
        inv=invacuation or (plan.data or {}).get("invacuation"), threat=t(f"eplan.threat.{plan.threat}"),
        generated=generated_at.strftime("%Y-%m-%d %H:%M UTC"), version=__version__)


def aar_html(report: Any, *, lang: str = "en", generated_at: dt.datetime) -> str:
    """The after-action report (an ``aar.AarReport``) as printable HTML in ``lang``."""
    t, _text = translator(lang)
    return _env.get_template("aar.html").render(
        lang=lang, t=t, r=report, uncovered_labels=[t(f"aar.cap.{c}") for c in report.uncovered],
        generated=generated_at.strftime("%Y-%m-%d %H:%M UTC"), version=__version__)


def to_pdf(html_text: str) -> bytes:
    from bastion.reports.service import to_pdf as print_pdf

    return print_pdf(html_text)
