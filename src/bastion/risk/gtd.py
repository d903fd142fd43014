"""Read a user-supplied GTD-format CSV and recompute the threat priors from it.

The Global Terrorism Database may not be redistributed: Bastion ships no GTD rows, only the published
aggregate counts in ``bastion.algorithms.risk.threat``. Users who hold a GTD licence can point this loader at their
own export (ISO-8859-1 CSV, codes as in the GTD codebook). Only ``targtype1`` and ``weaptype1`` are
required; ``iyear``, ``country`` and ``region`` are read when filtering by them.
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Collection
from pathlib import Path

from bastion.algorithms.risk.threat import GTD_TARGET_TYPES
from bastion.algorithms.risk.threat import ThreatPriors
from bastion.algorithms.risk.threat import priors_from_counts
from bastion.kernel.errors import InvalidInput

log = logging.getLogger(__name__)

REQUIRED_COLUMNS = ("targtype1", "weaptype1")
GTD_WEAPON_CODES = range(1, 14)


def _int(row: dict[str, str], col: str, line: int, path: Path) -> int | None:
    raw = (row.get(col) or "").strip()
    if raw == "":
        return None
    try:
        return int(float(raw))
    except ValueError:
        msg = f"{path.name} line {line}: column {col} must be a GTD code (integer), got {raw!r}"
        raise InvalidInput(msg, field=col) from None


def _selected(row: dict[str, str], line: int, p: Path, *, years: tuple[int, int] | None,
              countries: Collection[int] | None, regions: Collection[int] | None) -> bool:
    """Whether an incident passes the year, country and region filters."""
    if years is not None:
        y = _int(row, "iyear", line, p)
        if y is None or not years[0] <= y <= years[1]:
            return False
    if countries is not None and _int(row, "country", line, p) not in countries:
        return False
    return regions is None or _int(row, "region", line, p) in regions


def load_gtd_priors(path: str | Path, *, years: tuple[int, int] | None = None,
                    countries: Collection[int] | None = None, regions: Collection[int] | None = None,
                    mix_floor: float = 0.02, min_incidents_for_mix: int = 30) -> ThreatPriors:
    """Threat priors from a GTD-format CSV: shares of incidents by ``targtype1`` and, per target type, the
    threat mix from ``weaptype1``. Filters: inclusive ``years`` range on ``iyear``, GTD ``country`` and
    ``region`` codes."""
    p = Path(path)
    if not p.is_file():
        msg = f"path {str(p)!r} is not a file; give the GTD-format CSV you hold"
        raise InvalidInput(msg, field="path")
    targets: dict[int, int] = {}
    weapons: dict[int, dict[int, int]] = {0: {}}
    n_rows = n_used = 0
    with p.open(encoding="iso-8859-1", newline="") as fh:
        reader = csv.DictReader(fh)
        cols = set(reader.fieldnames or ())
        missing = [c for c in REQUIRED_COLUMNS if c not in cols]
        for col, flt in (("iyear", years), ("country", countries), ("region", regions)):
            if flt is not None and col not in cols:
                missing.append(col)
        if missing:
            msg = f"{p.name} lacks GTD columns {missing}; export the file with the GTD codebook column names"
            raise InvalidInput(msg, field="path")
        for line, row in enumerate(reader, start=2):
            n_rows += 1
            if not _selected(row, line, p, years=years, countries=countries, regions=regions):
                continue
            tt = _int(row, "targtype1", line, p)
            if tt is None or tt not in GTD_TARGET_TYPES:
                msg = f"{p.name} line {line}: targtype1 must be a GTD target code 1-22, got {row.get('targtype1')!r}"
                raise InvalidInput(msg, field="targtype1")
            wt = _int(row, "weaptype1", line, p)
            if wt is not None and wt not in GTD_WEAPON_CODES:
                msg = f"{p.name} line {line}: weaptype1 must be a GTD weapon code 1-13, got {row.get('weaptype1')!r}"
                raise InvalidInput(msg, field="weaptype1")
            n_used += 1
            targets[tt] = targets.get(tt, 0) + 1
            if wt is not None:
                for key in (0, tt):
                    w = weapons.setdefault(key, {})
                    w[wt] = w.get(wt, 0) + 1
    if n_used == 0:
        msg = f"{p.name}: no incidents left after filtering ({n_rows} rows read); widen the filters"
        raise InvalidInput(msg, field="path")
    log.debug("GTD priors from %s: %d of %d rows", p.name, n_used, n_rows)
    src = f"user GTD-format file {p.name}: {n_used} incidents" + (f", years {years[0]}-{years[1]}" if years else "")
    return priors_from_counts(targets, weapons, source=src, mix_floor=mix_floor,
                              min_incidents_for_mix=min_incidents_for_mix)
