"""A cold `bastion` process loads only what the invoked command needs (issue 13: adding or moving a unit from the
command line <= 0.5 s, of which Python start-up and imports are most).

Each command runs in a fresh interpreter that reports which heavy libraries were imported; `--help` and the units
commands (with the routing state already on disk, as after any first use) must load none of them. A change that makes
the root CLI or the units path import the web framework, the scientific stack or Dask again fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HEAVY = ("fastapi", "starlette", "uvicorn", "scipy", "shapely", "pandas", "dask", "distributed", "bokeh",
         "weasyprint", "jinja2", "highspy", "networkx", "osmium", "matplotlib", "httpx", "opening_hours", "numpy",
         "pyproj")

RUN = """
import json, os, sys
sys.argv = ["bastion", *json.loads(os.environ["COLD_ARGS"])]
from bastion.platform.cli import app
try:
    app()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
print("MODULES " + json.dumps({"code": code, "loaded": sorted(m for m in json.loads(os.environ["COLD_HEAVY"])
                                                              if m in sys.modules)}))
"""


def _cold(*args: str) -> tuple[int | str | None, list[str], str]:
    """Run `bastion ARGS` in a new interpreter: exit code, heavy modules it imported, its output."""
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "COLUMNS": "200", "COLD_ARGS": json.dumps(args),
           "COLD_HEAVY": json.dumps(HEAVY)}
    r = subprocess.run([sys.executable, "-c", RUN], env=env, capture_output=True, text=True, timeout=120,
                       check=False)
    line = next((x for x in r.stdout.splitlines()[::-1] if x.startswith("MODULES ")), None)
    assert line is not None, r.stdout + r.stderr
    report = json.loads(line.removeprefix("MODULES "))
    return report["code"], report["loaded"], r.stdout + r.stderr


def test_root_help_loads_no_heavy_library(cli_monaco: Path) -> None:
    code, loaded, out = _cold("--help")
    assert code == 0 and "units" in out and "batch" in out  # every domain's group is listed
    assert loaded == []
    code, loaded, out = _cold("units", "--help")
    assert code == 0 and "move" in out
    assert loaded == []


@pytest.mark.slow  # three fresh interpreters, the first builds Monaco's routing state
def test_units_add_and_move_load_no_heavy_library(cli_monaco: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BASTION_ROUTING_CACHE_DIR", str(tmp_path / "fresh-routing-cache"))
    # the first use of a road network builds its routing state (graph, then the small snap file) and needs scipy:
    # this also shows that the guard sees a heavy import when there is one
    code, loaded, out = _cold("units", "add", "--region", "Monaco", "--type", "patrol_car", "--name",
                              "Warm-up car", "--lon", "7.4246", "--lat", "43.7384")
    assert code == 0, out
    assert "scipy" in loaded
    code, loaded, out = _cold("units", "add", "--region", "Monaco", "--type", "patrol_car", "--name", "Car 9",
                              "--lon", "7.4200", "--lat", "43.7310")
    assert code == 0, out
    assert "'Car 9' added" in out and "snapped" in out and "too far" not in out
    assert loaded == [], f"a cold `units add` imported {loaded}"
    unit_id = out.split("unit ", 1)[1].split()[0]
    code, loaded, out = _cold("units", "move", unit_id, "--lon", "7.4280", "--lat", "43.7400")
    assert code == 0 and f"unit {unit_id} moved" in out, out
    assert loaded == [], f"a cold `units move` imported {loaded}"
