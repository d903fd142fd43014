"""The free-text personal-data guard on a labelled corpus (tests/incidents/pii_corpus.py): at least 99 % of the
personal-data sentences refused, at most 1 % of ordinary operational sentences refused; hand-checked cases
for the Chinese resident ID check digit (GB 11643-1999, ISO 7064 MOD 11-2)."""

from __future__ import annotations

import pytest

from bastion.algorithms.pii import cn_resident_id_valid
from bastion.algorithms.pii import find_personal_data
from bastion.incidents.intake import free_text
from bastion.kernel.errors import InvalidInput
from tests.incidents.pii_corpus import negative
from tests.incidents.pii_corpus import positive


def test_corpus_figures() -> None:
    pos, neg = positive(), negative()
    assert len(pos) >= 450 and len(neg) >= 450
    refused = sum(1 for s, _ in pos if find_personal_data(s))
    false_refused = [s for s in neg if find_personal_data(s)]
    by_cat: dict[str, list[int]] = {}
    for s, cat in pos:
        by_cat.setdefault(cat, []).append(bool(find_personal_data(s)))
    print(f"PII corpus: {refused}/{len(pos)} personal-data sentences refused ({100 * refused / len(pos):.1f} %); "
          f"{len(false_refused)}/{len(neg)} operational sentences refused ({100 * len(false_refused) / len(neg):.2f} %)"
          "; by category " + ", ".join(f"{c} {sum(v)}/{len(v)}" for c, v in sorted(by_cat.items())))
    assert refused / len(pos) >= 0.99
    assert len(false_refused) / len(neg) <= 0.01, false_refused


@pytest.mark.parametrize(("value", "ok"), [
    ("11010519491231002X", True),  # the standard's worked example
    ("11010519491231002x", True),
    ("110105194912310021", False),  # wrong check digit
    ("440524188001010014", True),
    ("440524188001010015", False),
])
def test_cn_resident_id_check_digit(value: str, ok: bool) -> None:
    assert cn_resident_id_valid(value) is ok
    assert find_personal_data(f"证件号 {value}")  # 18 digits are refused either way (identity-number shape)


@pytest.mark.parametrize(("text", "kind"), [
    ("call back on +44 20 7946 0958", "phone"),
    ("mail ops.lead@example.org", "email"),
    ("resident id 11010519491231002X", "cn_resident_id"),
    ("passport G12345678", "passport"),
    ("car AB12 CDE left", "plate"),
    ("车牌 粤B12345", "plate"),
])
def test_each_kind_is_named(text: str, kind: str) -> None:
    assert [f.kind for f in find_personal_data(text)] == [kind]


def test_refusal_names_the_field_and_the_reason() -> None:
    with pytest.raises(InvalidInput) as e:
        free_text("Caller on 07700 900123 says smoke", "hazards")
    assert e.value.field == "hazards"
    assert "a phone number" in str(e.value) and "never people" in str(e.value)
    text = "3 P1 casualties at 14:05, cordon 100 m"
    assert free_text(f"  {text}  ", "hazards") == text
