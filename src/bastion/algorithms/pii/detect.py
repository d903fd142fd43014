"""Detection of personal-data patterns in free text (pure; no I/O).

Bastion keeps no record about people, so every free-text field of an incident refuses text that looks like a
phone number, an e-mail address, an identity number, a passport number or a vehicle registration plate. The
rules favour refusal of identifier-shaped strings and leave ordinary operational text alone: counts, times,
dates, distances, coordinates, road names (A316, M25), call signs (ARV 21, Echo 3-1), OSM references
(node/123456789). Measured on the labelled corpus in tests/incidents/pii_corpus.py (figures in the test).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bastion.kernel.errors import InvalidInput


@dataclass(frozen=True)
class Finding:
    kind: str  # email | phone | cn_resident_id | identity_number | passport | plate
    start: int
    end: int

    def reason(self) -> str:
        return _REASONS[self.kind]


_REASONS = {
    "email": "an e-mail address",
    "phone": "a phone number",
    "cn_resident_id": "a Chinese resident identity number",
    "identity_number": "an identity or account number",
    "passport": "a passport-like document number",
    "plate": "a vehicle registration plate",
}

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def cn_resident_id_valid(value: str) -> bool:
    """GB 11643-1999: 17 digits and a check digit (ISO 7064 MOD 11-2; 'X' stands for 10)."""
    if len(value) != 18 or not value[:17].isdigit():
        return False
    s = sum(int(c) * w for c, w in zip(value[:17], _WEIGHTS, strict=True))
    return _CHECK[s % 11] == value[17].upper()


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+\s*(?:@|\(at\)|\[at\]|＠)\s*[A-Za-z0-9\-]+(?:\s*(?:\.|\(dot\)|\[dot\])\s*"
                    r"[A-Za-z0-9\-]+)*\s*(?:\.|\(dot\)|\[dot\])\s*[A-Za-z]{2,}")
_CN_ID = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
# text that is neither a phone nor an identifier but has many digits: dates, times, decimals, OSM references
_NEUTRAL = re.compile(
    r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?\b"
    r"|\b(?:[0-2]?\d|3[01])[./](?:0?\d|1[0-2])[./]\d{2,4}\b(?![./]\d)"
    r"|\b[HNOST][A-HJ-Z]\s(?:\d{3}\s\d{3}|\d{4}\s\d{4}|\d{5}\s\d{5})\b"  # British National Grid reference
    r"|\b\d{1,2}:\d{2}(?::\d{2})?\b"
    r"|-?\b\d{1,3}\.\d{3,}\b"
    r"|\b(?:node|way|relation)/\d+\b"
)
_SSN = re.compile(r"(?<![\d-])\d{3}-\d{2}-\d{4}(?![\d-])")
_UK_NINO = re.compile(r"\b[A-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b", re.I)
_DIGIT_RUN = re.compile(r"\+?\(?\d[\d\s().\-]*\d\)?")
_PASSPORT = re.compile(r"(?<![0-9A-Za-z])[A-Za-z]{1,2}\s?\d{6,9}(?![0-9A-Za-z])")
# Chinese plate: province abbreviation, letter, optional dot, 5 (6 for new-energy) letters/digits
_CN_PLATE = re.compile(r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领][A-Z][·•]?[A-Z0-9]{5,6}")
# plates written with separators: AB-123-CD, 12-AB-34, AB12 CDE, M-AB 1234
_PLATE_SEP = re.compile(r"(?<![0-9A-Za-z\-])[A-Z0-9]{1,4}(?:[\s\-·][A-Z0-9]{1,4}){1,2}(?![0-9A-Za-z\-])")
_PLATE_TOKEN = re.compile(r"(?<![0-9A-Za-z])[A-Z0-9]{5,8}(?![0-9A-Za-z])")


def _alternations(s: str) -> int:
    """How many times a string switches between letters and digits (AB12CDE: 2, ARV21: 1)."""
    kinds = [c.isdigit() for c in s if c.isalnum()]
    return sum(1 for a, b in zip(kinds, kinds[1:], strict=False) if a != b)


def _plate_like(token: str) -> bool:
    core = re.sub(r"[\s\-·]", "", token)
    letters = sum(c.isalpha() for c in core)
    digits = sum(c.isdigit() for c in core)
    if not 5 <= len(core) <= 8 or letters < 2 or digits < 2:
        return False
    return _alternations(core) >= 2  # AB12 CDE, AB-123-CD, 12-AB-34, 7ABC123 (ARV 21, ICS-209: one switch)


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = "~"
    return "".join(chars)


def _phone_like(run: str) -> bool:
    digits = sum(c.isdigit() for c in run)
    if run.startswith("+"):
        return 7 <= digits <= 15
    if digits >= 9:
        return True
    if 7 <= digits <= 8:  # a local number: grouped with a dash or brackets, or a trunk prefix 0
        return bool(re.search(r"\d{3}[-.]\d{4}\b", run) or "(" in run or run.lstrip("(").startswith("0"))
    return False


def find_personal_data(text: str) -> list[Finding]:
    """Every personal-data pattern in ``text``, in order of position (empty: the text may be stored)."""
    out: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def add(kind: str, a: int, b: int) -> None:
        if any(a < y and x < b for x, y in taken):
            return
        out.append(Finding(kind, a, b))
        taken.append((a, b))

    for kind, rx in (("email", _EMAIL), ("cn_resident_id", _CN_ID), ("identity_number", _SSN),
                     ("identity_number", _UK_NINO), ("plate", _CN_PLATE)):
        for m in rx.finditer(text):
            if kind != "cn_resident_id" or cn_resident_id_valid(m.group()):
                add(kind, m.start(), m.end())
    masked = _mask(text, [(m.start(), m.end()) for m in _NEUTRAL.finditer(text)])
    for m in _PASSPORT.finditer(masked):
        add("passport", m.start(), m.end())
    for m in _DIGIT_RUN.finditer(masked):
        run = m.group().rstrip(" .-(")
        if _phone_like(run):
            digits = re.sub(r"\D", "", run)
            add("identity_number" if len(digits) >= 12 and not run.startswith("+") and " " not in run.strip()
                else "phone", m.start(), m.start() + len(run))
    for rx in (_PLATE_SEP, _PLATE_TOKEN):
        for m in rx.finditer(masked):
            if _plate_like(m.group()):
                add("plate", m.start(), m.end())
    out.sort(key=lambda f: f.start)
    return out


def refuse_personal_data(text: str, field: str) -> None:
    """Raise ``InvalidInput`` naming ``field`` when ``text`` holds a personal-data pattern: Bastion records places
    and counts, never people (incident free text, inspection evidence notes)."""
    found = find_personal_data(text)
    if found:
        kinds = ", ".join(dict.fromkeys(f.reason() for f in found))
        raise InvalidInput(f"{field} looks like it contains personal data ({kinds}); Bastion records places and "
                           "counts, never people: remove it (pass identities to the police by the usual channel)",
                           field=field)
