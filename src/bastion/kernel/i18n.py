"""Server-side words in the reader's language: every domain's i18n/{lang}.json merged (the words the page loads),
for the labels and texts the server itself produces (reports, API titles). A key missing in a language falls back
to English, then to the caller's default."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from pathlib import Path

from bastion.kernel.errors import InvalidInput

LANGS = ("en", "zh-CN")

Translate = Callable[..., str]


@cache
def words(lang: str) -> dict[str, str]:
    """Every domain's i18n/{lang}.json merged, the reports domain's last (its report.* words are its own)."""
    root = Path(str(resources.files("bastion")))
    out: dict[str, str] = {}
    for path in sorted(root.glob(f"*/i18n/{lang}.json"), key=lambda p: p.parent.parent.name == "reports"):
        out.update(json.loads(path.read_text("utf-8")))
    return out


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise InvalidInput(f"lang must be one of {', '.join(LANGS)}, got {lang!r}", field="lang")
    return lang


def translator(lang: str) -> Translate:
    """`tr(key, default, **params)`: the word in `lang`, else English, else `default` (else the key), with
    `{name}` placeholders filled from params."""
    en, own = words("en"), words(check_lang(lang))

    def tr(key: str, default: str | None = None, **params: object) -> str:
        text = own.get(key) or en.get(key) or (default if default is not None else key)
        for name, value in params.items():
            text = text.replace("{" + name + "}", str(value))
        return text

    return tr
