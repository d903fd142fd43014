"""Read GTD-format and ACLED-format CSV exports into weekly aggregate cells, reading only the columns needed.

Only the date, attack type, target type, casualty counts and (optionally) country columns are ever read; every
other column (GTD ``gname``, ``motive``, ``summary``, ``target1``, ``corp1``, ``addnotes``...; ACLED ``actor1``,
``actor2``, ``assoc_actor_*``, ``notes``, ``source``...) is skipped by position and its values never leave the
CSV reader. Rows become cells: ISO week (Monday) x Bastion attack type x GTD target type -> events, fatalities,
injured. The user supplies the file under their own licence; Bastion ships only synthetic fixtures.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from bastion.algorithms.risk.threat import GTD_TARGET_TYPES
from bastion.algorithms.risk.threat import GTD_WEAPON_TO_THREAT
from bastion.kernel.errors import InvalidInput
from bastion.warning.enums import ACLED_CIVILIAN_TARGET
from bastion.warning.enums import ACLED_SUB_EVENT_TO_THREAT
from bastion.warning.enums import GTD_ATTACK_TO_THREAT
from bastion.warning.enums import UNKNOWN_TARGET

Progress = Callable[[float, str], None]
CellKey = tuple[dt.date, str, int]  # (week Monday, attack type, target type)

GTD_REQUIRED = ("iyear", "imonth", "iday", "targtype1", "attacktype1")
GTD_OPTIONAL = ("weaptype1", "nkill", "nwound", "country")
ACLED_REQUIRED = ("event_date", "sub_event_type")
ACLED_OPTIONAL = ("fatalities", "civilian_targeting", "country")
_MONTHS = {m: i for i, m in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                       "september", "october", "november", "december"), start=1)}


@dataclass
class Aggregate:
    cells: dict[CellKey, list[int]] = field(default_factory=dict)  # [events, fatalities, injured]
    rows_read: int = 0
    rows_used: int = 0
    rows_undated: int = 0
    rows_filtered: int = 0
    columns_kept: list[str] = field(default_factory=list)
    columns_dropped: int = 0

    def add(self, key: CellKey, fatalities: int, injured: int) -> None:
        c = self.cells.get(key)
        if c is None:
            self.cells[key] = [1, fatalities, injured]
        else:
            c[0] += 1
            c[1] += fatalities
            c[2] += injured
        self.rows_used += 1


def monday(d: dt.date) -> dt.date:
    return d - dt.timedelta(days=d.weekday())


def _int(raw: str, line: int, col: str) -> int | None:
    raw = raw.strip()
    if raw == "":
        return None
    try:
        return int(float(raw))
    except ValueError:
        raise InvalidInput(f"line {line}: column {col} must be a number, got {raw[:40]!r}", field=col) from None


def _count(raw: str, line: int, col: str) -> int:
    v = _int(raw, line, col)
    if v is not None and v < 0:
        raise InvalidInput(f"line {line}: column {col} must be >= 0, got {v}", field=col)
    return v or 0


def _columns(header: list[str], required: tuple[str, ...], optional: tuple[str, ...], fmt: str
             ) -> tuple[dict[str, int], int]:
    names = [h.strip().lstrip("\ufeff").lower() for h in header]
    missing = [c for c in required if c not in names]
    if missing:
        raise InvalidInput(f"the {fmt.upper()}-format file lacks columns {missing}; export it with the codebook's "
                           "column names", field="file")
    idx = {c: names.index(c) for c in (*required, *optional) if c in names}
    return idx, len(names) - len(idx)


def _data_rows(reader: Iterable[list[str]], width: int, agg: Aggregate, tick: Callable[[int], None]
               ) -> Iterator[tuple[int, list[str]]]:
    """(file line, row) of every non-blank data row, counted in ``agg.rows_read`` (progress every 20,000 rows); a
    row shorter than the header is refused with its line."""
    for line, row in enumerate(reader, start=2):
        if len(row) < width and not any(x.strip() for x in row):
            continue
        agg.rows_read += 1
        if agg.rows_read % 20_000 == 0:
            tick(agg.rows_read)
        if len(row) < width:
            raise InvalidInput(f"line {line}: {len(row)} columns, the header has at least {width}", field="file")
        yield line, row


def _gtd_rows(reader: Iterable[list[str]], idx: dict[str, int], agg: Aggregate, country: str | None,
              tick: Callable[[int], None]) -> None:
    ci, wi = idx.get("country"), idx.get("weaptype1")
    ki, ni = idx.get("nkill"), idx.get("nwound")
    iy, im, iday, it, ia = (idx[c] for c in GTD_REQUIRED)
    want = None if country is None else _int(country, 0, "country")
    for line, row in _data_rows(reader, max(idx.values()) + 1, agg, tick):
        if want is not None and (ci is None or _int(row[ci], line, "country") != want):
            agg.rows_filtered += 1
            continue
        year, month, day = _int(row[iy], line, "iyear"), _int(row[im], line, "imonth"), _int(row[iday], line, "iday")
        if year is None or not month:
            agg.rows_undated += 1
            continue
        try:
            date = dt.date(year, month, day or 1)  # GTD iday 0 = day unknown: counted in the month's first week
        except ValueError:
            agg.rows_undated += 1
            continue
        tt = _int(row[it], line, "targtype1")
        if tt is None or tt not in GTD_TARGET_TYPES:
            raise InvalidInput(f"line {line}: targtype1 must be a GTD target code 1-22, got {row[it][:10]!r}",
                               field="targtype1")
        weapon = _int(row[wi], line, "weaptype1") if wi is not None else None
        threat = GTD_WEAPON_TO_THREAT.get(weapon) if weapon is not None else None
        if threat is None:
            attack = _int(row[ia], line, "attacktype1")
            threat = GTD_ATTACK_TO_THREAT.get(attack, "other") if attack is not None else "other"
        agg.add((monday(date), threat, tt), _count(row[ki], line, "nkill") if ki is not None else 0,
                _count(row[ni], line, "nwound") if ni is not None else 0)


def _acled_date(raw: str, line: int) -> dt.date:
    raw = raw.strip()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        pass
    parts = raw.replace(",", " ").split()
    if len(parts) == 3 and parts[1].lower() in _MONTHS:
        try:
            return dt.date(int(parts[2]), _MONTHS[parts[1].lower()], int(parts[0]))
        except ValueError:
            pass
    raise InvalidInput(f"line {line}: event_date must be YYYY-MM-DD or '15 January 2023', got {raw[:30]!r}",
                       field="event_date")


def _acled_rows(reader: Iterable[list[str]], idx: dict[str, int], agg: Aggregate, country: str | None,
                tick: Callable[[int], None]) -> None:
    di, si = idx["event_date"], idx["sub_event_type"]
    fi, vi, ci = idx.get("fatalities"), idx.get("civilian_targeting"), idx.get("country")
    want = None if country is None else country.strip().lower()
    for line, row in _data_rows(reader, max(idx.values()) + 1, agg, tick):
        if want is not None and (ci is None or row[ci].strip().lower() != want):
            agg.rows_filtered += 1
            continue
        if not row[di].strip():
            agg.rows_undated += 1
            continue
        date = _acled_date(row[di], line)
        threat = ACLED_SUB_EVENT_TO_THREAT.get(row[si].strip().lower(), "other")
        civ = vi is not None and row[vi].strip().lower().startswith("civilian")
        agg.add((monday(date), threat, ACLED_CIVILIAN_TARGET if civ else UNKNOWN_TARGET),
                _count(row[fi], line, "fatalities") if fi is not None else 0, 0)


def aggregate_lines(lines: Iterable[str], fmt: str, *, country: str | None = None, total_lines: int | None = None,
                    progress: Progress | None = None) -> Aggregate:
    """Aggregate a CSV given as text lines (the header first)."""
    if fmt not in ("gtd", "acled"):
        raise InvalidInput(f"format must be 'gtd' or 'acled', got {fmt!r}", field="format")
    reader = csv.reader(lines)
    try:
        header = next(reader)
    except StopIteration:
        raise InvalidInput("the file is empty; give a CSV with a header row", field="file") from None
    except csv.Error as e:
        raise InvalidInput(f"the file is not a readable CSV: {e}", field="file") from None
    req, opt = (GTD_REQUIRED, GTD_OPTIONAL) if fmt == "gtd" else (ACLED_REQUIRED, ACLED_OPTIONAL)
    idx, dropped = _columns(header, req, opt, fmt)
    agg = Aggregate(columns_kept=sorted(idx), columns_dropped=dropped)

    def tick(n: int) -> None:
        if progress is not None:
            frac = min(0.95, n / total_lines) if total_lines else 0.5
            progress(frac, f"{n:,} rows read")

    try:
        (_gtd_rows if fmt == "gtd" else _acled_rows)(reader, idx, agg, country, tick)
    except csv.Error as e:
        raise InvalidInput(f"the file is not a readable CSV near row {agg.rows_read + 1}: {e}", field="file") from None
    return agg


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("iso-8859-1")  # GTD exports are ISO-8859-1


def aggregate_bytes(data: bytes, fmt: str, *, country: str | None = None,
                    progress: Progress | None = None) -> tuple[str, Aggregate]:
    """(sha256 of the bytes, aggregate)."""
    digest = hashlib.sha256(data).hexdigest()
    return digest, aggregate_lines(io.StringIO(_decode(data), newline=""), fmt, country=country,
                                   total_lines=data.count(b"\n"), progress=progress)


def aggregate_file(path: str | Path, fmt: str, *, country: str | None = None,
                   progress: Progress | None = None) -> tuple[str, Aggregate]:
    """(sha256 of the file, aggregate), streaming: the file is read twice (hash and line count, then rows)."""
    p = Path(path)
    if not p.is_file():
        raise InvalidInput(f"path {str(p)!r} is not a file; give the CSV export you hold", field="path")
    h, lines = hashlib.sha256(), 0
    utf8 = True
    with p.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
            lines += chunk.count(b"\n")
            if utf8:
                try:
                    chunk.decode("utf-8")
                except UnicodeDecodeError as e:
                    utf8 = e.start >= len(chunk) - 3  # a character cut at the chunk's end is not an error
    with p.open(encoding="utf-8-sig" if utf8 else "iso-8859-1", newline="") as fh:
        return h.hexdigest(), aggregate_lines(fh, fmt, country=country, total_lines=lines, progress=progress)
