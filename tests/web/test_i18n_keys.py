"""Translation files: same keys, same placeholders, and every key the page uses exists."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bastion.algorithms.sites.capacity import IBC_M2_PER_OCCUPANT
from bastion.algorithms.sites.taxonomy import CATEGORIES
from bastion.platform.meta import catalogue
from bastion.risk.enums import Rating
from bastion.vehicle.enums import VehicleClassKey

SRC = Path(__file__).resolve().parents[2] / "src" / "bastion"
LANGS = ("en", "zh-CN")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _load(lang: str) -> dict[str, str]:
    """The merged catalogue the page receives (the shell's file and every domain's)."""
    data = catalogue(lang)
    assert isinstance(data, dict)
    return data


def test_every_domain_file_has_the_same_keys_in_both_languages() -> None:
    files = sorted(SRC.glob("*/i18n/en.json"))
    assert len(files) >= 5  # the shell and the domains that draw on the map
    for en_file in files:
        en = json.loads(en_file.read_text(encoding="utf-8"))
        zh = json.loads(en_file.with_name("zh-CN.json").read_text(encoding="utf-8"))
        assert sorted(en) == sorted(zh), en_file


def test_both_languages_have_identical_keys() -> None:
    en, zh = _load("en"), _load("zh-CN")
    assert sorted(en) == sorted(zh), {
        "only in en": sorted(set(en) - set(zh)),
        "only in zh-CN": sorted(set(zh) - set(en)),
    }


def test_values_are_non_empty_strings_with_matching_placeholders() -> None:
    en, zh = _load("en"), _load("zh-CN")
    for key, text in en.items():
        other = zh[key]
        assert isinstance(text, str) and text.strip(), f"en {key!r} is empty"
        assert isinstance(other, str) and other.strip(), f"zh-CN {key!r} is empty"
        assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(other)), key


def test_chinese_is_actually_translated() -> None:
    zh = _load("zh-CN")
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for key in ("filters.search_label", "panel.category", "panel.capacity", "results.heading"):
        assert cjk.search(zh[key]), key


def test_every_category_kind_and_space_use_of_the_taxonomy_is_named() -> None:
    wanted = [f"category.{c}" for c in CATEGORIES]
    wanted += [f"kind.{k}" for kinds in CATEGORIES.values() for k in kinds]
    wanted += [f"space.{s}" for s in IBC_M2_PER_OCCUPANT]
    wanted += [f"vehicle.class.{v}" for v in VehicleClassKey]  # the page builds its vehicle menu from /meta
    wanted += [f"risk.rating.{r.replace(' ', '_')}" for r in Rating]
    assert len(wanted) > 60
    for lang in LANGS:
        d = _load(lang)
        assert [k for k in wanted if k not in d] == [], lang


def test_every_key_used_by_the_page_exists() -> None:
    en = _load("en")
    html = (SRC / "platform" / "web" / "templates" / "index.html").read_text(encoding="utf-8")
    html = re.sub(r"\{#.*?#\}", "", html, flags=re.S)  # drop Jinja comments
    js = "\n".join(
        p.read_text(encoding="utf-8") for p in sorted([*SRC.glob("platform/web/static/*.js"), *SRC.glob("*/web/*.js")])
    )
    used = set(re.findall(r'data-i18n="([\w.\-]+)"', html))
    for attrs in re.findall(r'data-i18n-attr="([^"]+)"', html):
        used |= {pair.split(":", 1)[1].strip() for pair in attrs.split(";")}
    used |= set(re.findall(r'\bt\(\s*"([\w.\-]+)"', js))
    assert len(used) > 40  # the scan found the page's keys
    assert sorted(used - set(en)) == []
