"""Where the Porto metropolitan road extract is (shared by the Porto benchmarks; not a benchmark itself).

porto-roads.osm.pbf (about 63.6k intersection nodes, 148k directed edges; roads only, almost no POIs) lives in
the shared data folder beside the repository (../shared/data/osm, ODbL, see its NOTICE.md); BASTION_PORTO_PBF
overrides the path.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NAME = "porto-roads.osm.pbf"
CANDIDATES = (REPO.parent / "shared" / "data" / "osm" / NAME, REPO.parents[1] / "shared" / "data" / "osm" / NAME,
              Path("/work/shared/data/osm") / NAME)


def porto_pbf() -> Path:
    env = os.environ.get("BASTION_PORTO_PBF")
    for p in ([Path(env)] if env else []) + list(CANDIDATES):
        if p.is_file():
            return p
    sys.exit(f"{NAME} not found in {', '.join(str(c) for c in CANDIDATES)}; set BASTION_PORTO_PBF")
