"""Capacity figures of the bundled regions: totals, the 20 largest sites, named places, tier counts.

Imports Monaco and Andorra into a fresh SQLite file and prints markdown tables (the same script gives the
"before" and the "after" of a capacity change; docs/models/sites.md records both). Last line: JSON.
Run: .venv/bin/python bench/capacity.py [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from bastion.imports.service import import_osm
from bastion.kernel.db.engine import make_engine
from bastion.kernel.db.engine import make_session_factory
from bastion.platform import migrate
from bastion.regions.repository import RegionRepo
from bastion.risk import service as risk

REGIONS = {
    "Monaco": REPO / "data" / "osm" / "monaco-2023-12.osm.pbf",
    "Andorra": REPO / "data" / "osm" / "andorra-2023-05.osm.pbf",
}
# Places named in issue 12 (and the stadium used as a published-figure check).
NAMED = {
    "Monaco": ["Stade Louis II", "Zoo", "Jardin Animalier", "Place des Bougainvilliers", "Mairie de Monaco",
               "Rue Louis Notari", "Rue Princesse Caroline"],
    "Andorra": ["British College", "Sant Ermengol", "Comte de Foix", "Naturlandia", "Avinguda Meritxell",
                "Plaça de les Fontetes"],
}


def _band(site: Any) -> str:
    low, high = getattr(site, "capacity_low", None), getattr(site, "capacity_high", None)
    return "" if low is None or high is None else f"{low:,}–{high:,}"


def _fold(text: str) -> str:
    import unicodedata

    t = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in t if not unicodedata.combining(c)).replace("-", " ")


def region_tables(sf: Any, name: str) -> tuple[list[str], dict[str, Any]]:
    lines: list[str] = []
    with sf() as s:
        region = RegionRepo(s).by_name(name)
        assert region is not None
        rr = risk.region_risk(s, region.id)
        sites = list(rr.sites.values())
        total = sum(x.capacity or 0 for x in sites)
        lines.append(f"### {name}: {len(sites)} sites, total capacity {total:,} people\n")
        lines.append("| # | site | kind | method | capacity | band |")
        lines.append("|---|---|---|---|---|---|")
        top = sorted(sites, key=lambda x: (-(x.capacity or 0), x.id))[:20]
        for i, x in enumerate(top, 1):
            lines.append(f"| {i} | {x.name or '(unnamed)'} | {x.kind} | {x.capacity_method} | "
                         f"{x.capacity or 0:,} | {_band(x)} |")
        lines.append("")
        lines.append("Named places:\n")
        lines.append("| site | kind | osm | method | capacity | band |")
        lines.append("|---|---|---|---|---|---|")
        for needle in NAMED[name]:
            hits = [x for x in sites if x.name and _fold(needle) in _fold(x.name)]
            for x in sorted(hits, key=lambda x: x.id):
                lines.append(f"| {x.name} | {x.kind} | {x.source_type}/{x.source_id} | {x.capacity_method} | "
                             f"{x.capacity or 0:,} | {_band(x)} |")
        lines.append("")
        counts: dict[str, Counter[str]] = {}
        straddle: Counter[str] = Counter()
        for results in rr.tiers.values():
            for t in results:
                counts.setdefault(t.standard_id, Counter())[t.tier or t.status] += 1
                if any("confirm on site" in r for r in t.reasons):
                    straddle[t.standard_id] += 1
        lines.append("| standard | tier counts | band straddles a threshold |")
        lines.append("|---|---|---|")
        for std in sorted(counts):
            c = ", ".join(f"{k} {v}" for k, v in sorted(counts[std].items()))
            lines.append(f"| {std} | {c} | {straddle.get(std, 0)} |")
        lines.append("")
        summary = {"sites": len(sites), "total_capacity": total,
                   "tiers": {k: dict(sorted(v.items())) for k, v in sorted(counts.items())},
                   "top20": [[x.name, x.kind, x.capacity_method, x.capacity] for x in top]}
    return lines, summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = ap.parse_args()
    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as d:
        engine = make_engine(f"sqlite:///{d}/capacity.db")
        migrate.upgrade(engine)
        sf = make_session_factory(engine)
        for name, path in REGIONS.items():
            import_osm(sf, path, name)
            lines, out[name] = region_tables(sf, name)
            print("\n".join(lines))
        engine.dispose()
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False))
    print(json.dumps({"benchmark": "capacity", **{k: {"sites": v["sites"], "total_capacity": v["total_capacity"]}
                                                   for k, v in out.items()}}))


if __name__ == "__main__":
    main()
