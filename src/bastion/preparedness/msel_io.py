"""The MSEL (master scenario events list) as CSV and XLSX, and back.

One row per inject, in the exercise's order; every row says EXERCISE. Text cells go through kernel/csvsafe
(OWASP CSV injection: a cell beginning with = + - @ is shown as text) in both formats; the XLSX writes every
text cell as a string, never a formula. ``args`` (the inject's i18n arguments) is JSON text. Reading reverses
both: the apostrophe csvsafe added is removed, numbers come back as numbers, empty cells are absent fields, so
export -> parse gives the same injects (tests/preparedness/test_msel_export.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any

from bastion.kernel.csvsafe import FORMULA_PREFIXES
from bastion.kernel.csvsafe import LINE_TERMINATOR
from bastion.kernel.csvsafe import cell
from bastion.kernel.errors import InvalidInput

# (column, type): the inject's fields in a stable order; "exercise_time" is derived (H:MM:SS from offset_s)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("no", "int"), ("offset_s", "int"), ("exercise_time", "derived"), ("mode", "str"), ("synopsis", "str"),
    ("from", "str"), ("to", "str"), ("expected_action", "str"), ("capability", "str"), ("unit", "str"),
    ("modelled_travel_s", "num"), ("impact_speed_kph", "num"), ("cordon_m", "num"), ("people_inside", "int"),
    ("modelled_evacuation_min", "num"), ("released_at", "str"), ("key", "str"), ("args", "json"),
)
HEADER = [c for c, _ in COLUMNS]
SHEET = "MSEL (EXERCISE)"
MAX_ROWS = 5000


def clock_text(offset_s: int) -> str:
    h, rem = divmod(int(offset_s), 3600)
    return f"{h}:{rem // 60:02d}:{rem % 60:02d}"


def _cell(v: Any) -> Any:
    """csvsafe.cell, and a text that itself begins with an apostrophe gets one more (so reading is exact)."""
    return "'" + v if isinstance(v, str) and v.startswith("'") else cell(v)


def _row(inject: Mapping[str, Any]) -> list[Any]:
    unknown = set(inject) - set(HEADER)
    if unknown:
        raise InvalidInput(f"inject {inject.get('no')} has fields the MSEL columns do not hold: {sorted(unknown)}",
                           field="msel")
    out: list[Any] = []
    for col, typ in COLUMNS:
        if typ == "derived":
            out.append(clock_text(inject["offset_s"]))
            continue
        v = inject.get(col)
        if v is None:
            out.append("")
        elif typ == "json":
            out.append(_cell(json.dumps(v, ensure_ascii=False, sort_keys=True)))
        else:
            out.append(_cell(v))
    return out


def to_csv(msel: Sequence[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator=LINE_TERMINATOR)
    w.writerow(HEADER)
    for i in msel:
        w.writerow(_row(i))
    return buf.getvalue()


def to_xlsx(msel: Sequence[Mapping[str, Any]], *, title: str = "", created: dt.datetime | None = None) -> bytes:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append(HEADER)
    for i in msel:
        ws.append(_row(i))
    for row in ws.iter_rows(min_row=2):
        for c in row:
            if isinstance(c.value, str):
                c.data_type = "s"  # a string, never a formula
    ws.freeze_panes = "A2"
    if title:
        wb.properties.title = f"EXERCISE: {title}"[:250]
    if created is not None:
        wb.properties.created = created.replace(tzinfo=None)
        wb.properties.modified = created.replace(tzinfo=None)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _uncell(v: str) -> str:
    """Undo ``_cell``: the apostrophe added before a formula prefix (or before an apostrophe) goes."""
    return v[1:] if v.startswith("'") and v[1:].startswith((*FORMULA_PREFIXES, "'")) else v


def _value(col: str, typ: str, raw: Any, where: str) -> Any:
    if raw is None or raw == "":
        return None
    if typ == "str":
        return _uncell(str(raw))
    if typ == "json":
        try:
            return json.loads(_uncell(str(raw)))
        except json.JSONDecodeError:
            raise InvalidInput(f"{where}.{col} must be JSON, got {raw!r}", field=f"{where}.{col}") from None
    try:
        num = float(raw)
    except (TypeError, ValueError):
        raise InvalidInput(f"{where}.{col} must be a number, got {raw!r}", field=f"{where}.{col}") from None
    if typ == "int":
        if not num.is_integer():
            raise InvalidInput(f"{where}.{col} must be a whole number, got {raw!r}", field=f"{where}.{col}")
        return int(num)
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().lstrip("+-").isdigit()):
        return int(num)  # written as a whole number: read back as one
    return num


def _rows_to_msel(header: Sequence[Any], rows: Sequence[Sequence[Any]]) -> list[dict[str, Any]]:
    head = [str(h) for h in header]
    missing = [c for c in ("no", "offset_s", "synopsis") if c not in head]
    if missing:
        raise InvalidInput(f"MSEL header lacks columns {missing}; columns are {HEADER}", field="header")
    unknown = [h for h in head if h not in HEADER]
    if unknown:
        raise InvalidInput(f"MSEL header has unknown columns {unknown}; columns are {HEADER}", field="header")
    if len(rows) > MAX_ROWS:
        raise InvalidInput(f"an MSEL holds at most {MAX_ROWS} injects, got {len(rows)}", field="rows")
    types = dict(COLUMNS)
    out = []
    for n, r in enumerate(rows, 2):
        where = f"row {n}"
        d: dict[str, Any] = {}
        for col, raw in zip(head, r, strict=False):
            if types[col] == "derived":
                continue
            v = _value(col, types[col], raw, where)
            if v is not None:
                d[col] = v
        if d.get("mode", "EXERCISE") != "EXERCISE":
            raise InvalidInput(f"{where}.mode must be EXERCISE, got {d['mode']!r}", field=f"{where}.mode")
        out.append(d)
    return out


def from_csv(data: str) -> list[dict[str, Any]]:
    rows = list(csv.reader(io.StringIO(data)))
    if not rows:
        raise InvalidInput("the MSEL CSV is empty", field="file")
    return _rows_to_msel(rows[0], [r for r in rows[1:] if any(x.strip() for x in r)])


def from_xlsx(data: bytes) -> list[dict[str, Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as e:  # zipfile.BadZipFile, KeyError, InvalidFileException: not an xlsx workbook
        raise InvalidInput(f"not an XLSX workbook: {type(e).__name__}", field="file") from None
    ws = wb[SHEET] if SHEET in wb.sheetnames else wb.worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    wb.close()
    if not rows:
        raise InvalidInput("the MSEL workbook is empty", field="file")
    return _rows_to_msel(rows[0], [r for r in rows[1:] if any(x not in (None, "") for x in r)])
