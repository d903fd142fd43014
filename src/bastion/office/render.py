"""HTML and PDF of briefings and rectification notices (Jinja2, autoescaped; WeasyPrint for PDF), en and zh-CN."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from bastion.kernel.errors import InvalidInput
from bastion.office.briefing import LANGS
from bastion.office.briefing import Briefing
from bastion.office.campaigns import Notice

HERE = Path(__file__).parent
_env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(HERE / "templates")), autoescape=True,
                          undefined=jinja2.StrictUndefined)


@cache
def labels(lang: str) -> dict[str, str]:
    if lang not in LANGS:
        raise InvalidInput(f"lang must be one of {list(LANGS)}, got {lang!r}", field="lang")
    out: dict[str, str] = {}
    for domain in ("office", "posture"):
        f = HERE.parent / domain / "i18n" / f"{lang}.json"
        if f.exists():
            out.update(json.loads(f.read_text(encoding="utf-8")))
    return out


def _t(lang: str) -> Any:
    lab = labels(lang)
    return lambda key: lab.get(key, key)


def _worded_rows(b: Briefing, t: Any) -> list[list[tuple[Any, ...]]]:
    """Each section's rows with the generated codes worded: the levels in force (scheme, level, response) and
    the "unassigned" owner; names and figures as they are."""
    out = []
    for sec in b.sections:
        rows = list(sec.rows)
        if sec.key == "office.briefing.posture":
            rows = [(r[0], t(f"posture.scheme.{r[1]}"), t(f"posture.level_name.{r[1]}.{r[2]}"),
                     t(f"posture.response.{r[1]}.{r[3]}")) for r in rows]
        elif sec.key == "office.briefing.duties":
            rows = [(t("office.unassigned") if r[0] == "unassigned" else r[0], *r[1:]) for r in rows]
        out.append(rows)
    return out


def briefing_html(b: Briefing, *, lang: str = "en") -> str:
    t = _t(lang)
    return _env.get_template("briefing.html").render(b=b, t=t, lang=lang, rows=_worded_rows(b, t))


def notice_html(n: Notice, *, lang: str = "en") -> str:
    return _env.get_template("notice.html").render(n=n, t=_t(lang), lang=lang)


def to_pdf(html_text: str) -> bytes:
    import weasyprint

    return weasyprint.HTML(string=html_text).write_pdf()  # type: ignore[no-any-return]
